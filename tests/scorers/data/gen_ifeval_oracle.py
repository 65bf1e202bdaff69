"""Write ifeval_oracle.json: EvalScope 1.14.1's instruction metrics for (prompt, answer) pairs of the parity cases.

Each prompt is scored with its own answers and with a fixed stride of the dataset's other answers (so each checker
sees many texts), plus a few metadata edge cases, plus ``ratio:stop_words`` pairs against a small stand-in
stopword list (the real NLTK list cannot be installed offline). EvalScope runs in its own venv as the oracle; its
NLTK data is this plugin's offline ``punkt_tab`` so both sides tokenise alike. Not a test:

    .venv/bin/python tests/scorers/data/gen_ifeval_oracle.py --evalscope-python /tmp/es/bin/python
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent / "ifeval_oracle.json"
OTHERS_PER_PROMPT = 24
STAND_IN_STOPWORDS = ["a", "an", "the", "and", "or", "is", "are", "was", "of", "in", "on", "to", "it", "i"]
ORACLE = r"""
import copy, json, sys, logging
logging.disable(logging.CRITICAL)
from evalscope.benchmarks.ifeval.utils import process_results as ifeval
try:
    from evalscope.benchmarks.ifbench.evaluation_lib import process_results as ifbench
except Exception:
    ifbench = None
job = json.load(sys.stdin)
out = []
for dataset, p, a in job["pairs"]:
    fn = ifeval if dataset == "ifeval" else ifbench
    try:
        out.append(fn(copy.deepcopy(job["prompts"][p]), [job["answers"][a]]))
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"[:200]})
json.dump(out, sys.stdout)
"""


def _cases() -> list[dict[str, Any]]:
    path = ROOT / "benchmarks" / "parity_cases" / "instruction.py"
    spec = importlib.util.spec_from_file_location("parity_cases_instruction", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.CASES)


def _edge_prompts(keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Metadata EvalScope rejects: unknown id, bad relation, unexpected kwarg, regex keyword, missing kwargs."""
    def meta(ids: list[str], kwargs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"key": 9000 + len(ids), "prompt": "Edge case.", "instruction_id_list": ids,
                "kwargs": [{k: kw.get(k) for k in keys} | kw for kw in kwargs]}

    return [
        meta(["detectable_format:not_an_instruction"], [{}]),
        meta(["length_constraints:number_words"], [{"num_words": 5, "relation": "at most"}]),
        meta(["punctuation:no_comma"], [{"num_words": 5}]),
        meta(["keywords:existence"], [{"keywords": ["c++"]}]),
        meta(["keywords:existence"], [{"keywords": ["colou?r", "the"]}]),
        meta(["punctuation:no_comma", "detectable_format:title"], [{}]),
        meta([], []),
        meta(["combination:repeat_prompt"], [{}]),
        meta(["language:response_language"], [{"language": "zh"}]),
    ]


def build() -> dict[str, Any]:
    """Prompts, answers and (dataset, prompt index, answer index) pairs to score."""
    cases = _cases()
    prompts: list[dict[str, Any]] = []
    answers: list[str] = []
    datasets: dict[str, tuple[list[int], list[int]]] = {}
    seen_prompts: dict[str, int] = {}
    seen_answers: dict[str, int] = {}
    for case in cases:
        p_idx, a_idx = datasets.setdefault(case["dataset_name"], ([], []))
        key = json.dumps(case["metadata"], sort_keys=True)
        if key not in seen_prompts:
            seen_prompts[key] = len(prompts)
            prompts.append(case["metadata"])
            p_idx.append(seen_prompts[key])
        if case["answer"] not in seen_answers:
            seen_answers[case["answer"]] = len(answers)
            answers.append(case["answer"])
        if seen_answers[case["answer"]] not in a_idx:
            a_idx.append(seen_answers[case["answer"]])
    own: dict[int, list[int]] = {}
    for case in cases:
        p = seen_prompts[json.dumps(case["metadata"], sort_keys=True)]
        own.setdefault(p, []).append(seen_answers[case["answer"]])
    pairs = []
    for d, (ps, all_answers) in datasets.items():
        for n, p in enumerate(ps):
            others = [a for a in all_answers if a not in own[p]]
            stride = max(1, len(others) // OTHERS_PER_PROMPT)
            chosen = own[p] + others[n % stride::stride][:OTHERS_PER_PROMPT]
            pairs += [[d, p, a] for a in chosen]
    if "ifeval" in datasets:
        keys = tuple(cases[0]["metadata"]["kwargs"][0])
        for meta in _edge_prompts(keys):
            prompts.append(meta)
            pairs += [["ifeval", len(prompts) - 1, a] for a in datasets["ifeval"][1][:6]]
    stop_pairs = []
    if "ifbench" in datasets:
        keys = tuple(next(c for c in cases if c["dataset_name"] == "ifbench")["metadata"]["kwargs"][0])
        for percentage in (20, 35, 60):
            prompts.append({"key": 9500 + percentage, "prompt": "Few stop words.",
                            "instruction_id_list": ["ratio:stop_words"],
                            "kwargs": [dict.fromkeys(keys) | {"percentage": percentage}]})
            stop_pairs += [["ifbench", len(prompts) - 1, a] for a in datasets["ifbench"][1]]
    return {"prompts": prompts, "answers": answers, "pairs": pairs, "stop_pairs": stop_pairs}


def _run_oracle(python: str, job: dict[str, Any], pairs: list[list[Any]], nltk_data: str) -> list[list[Any]]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", NLTK_DATA=nltk_data)
    payload = {"prompts": job["prompts"], "answers": job["answers"], "pairs": pairs}
    proc = subprocess.run([python, "-c", ORACLE], input=json.dumps(payload), capture_output=True, text=True,
                          env=env, check=True)
    results = json.loads(proc.stdout)
    return [[d, p, a, None if "error" in r else [r[k] for k in METRICS], r.get("error")]
            for (d, p, a), r in zip(pairs, results)]


METRICS = ("prompt_level_strict", "inst_level_strict", "prompt_level_loose", "inst_level_loose")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evalscope-python", default="/tmp/es/bin/python")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from pytest_evalindex.scorers.ifeval.nltk_data import ensure_punkt_tab

    job = build()
    punkt_root = str(ensure_punkt_tab())
    expected = _run_oracle(args.evalscope_python, job, job["pairs"], punkt_root)
    with tempfile.TemporaryDirectory() as fake:
        corpus = Path(fake) / "corpora" / "stopwords"
        corpus.mkdir(parents=True)
        (corpus / "english").write_text("\n".join(STAND_IN_STOPWORDS) + "\n", encoding="utf-8")
        with_stopwords = _run_oracle(args.evalscope_python, job, job["stop_pairs"],
                                     os.pathsep.join([punkt_root, fake]))
    data = {"oracle": "evalscope 1.14.1 process_results", "metrics": list(METRICS), "prompts": job["prompts"],
            "answers": job["answers"], "expected": expected, "stand_in_stopwords": STAND_IN_STOPWORDS,
            "expected_with_stand_in_stopwords": with_stopwords}
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    errors = sum(1 for e in expected if e[3] is None)
    print(f"wrote {OUT}: {len(expected)} + {len(with_stopwords)} pairs ({errors} raised in EvalScope)")


if __name__ == "__main__":
    main()
