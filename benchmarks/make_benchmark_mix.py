"""Write example_suites/benchmark_mix.jsonl and its mock script from the parity cases in benchmarks/parity_cases.

The mix holds the first two cases of every benchmark that runs without options (six for the instruction
followers), in EvalScope's collection format, with every dataset weighted equally; the mock script answers
each prompt with the case's realistic answer. It shows a collection of 100+ EvalScope benchmarks running in one
suite, and parity_evalscope.py compares EvalScope 1.14.1's reports on it with ours.

    .venv/bin/python benchmarks/make_benchmark_mix.py
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from parity_cases import family_names, load_family  # noqa: E402

PER_DATASET = {"instruction": 6}
SUITE = ROOT / "example_suites" / "benchmark_mix.jsonl"
SCRIPT = ROOT / "example_suites" / "benchmark_mix.mock.json"


def chosen_cases() -> list[dict[str, Any]]:
    """Cases of every family, the first few per dataset, skipping those that need EvalScope options."""
    picked: list[dict[str, Any]] = []
    for family in family_names():
        per_dataset: dict[str, int] = defaultdict(int)
        for case in load_family(family):
            if case.get("evalscope_dataset_args") or case.get("scorer"):
                continue
            if per_dataset[case["dataset_name"]] >= PER_DATASET.get(family, 2):
                continue
            per_dataset[case["dataset_name"]] += 1
            picked.append(dict(case, family=family.split("_")[0]))
    return picked


def main() -> None:
    cases = chosen_cases()
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        counts[case["dataset_name"]] += 1
    lines, answers = [], {}
    for i, case in enumerate(cases):
        text = case["input"]
        if text in answers:  # the mock answers by prompt text, so a repeated prompt gets a visible suffix
            text = f"{text}\n\n(case {i})"
        answers[text] = case["answer"]
        prompt: dict[str, Any] = {"input": [{"id": f"mix{i:04d}", "content": text, "role": "user"}],
                                  "target": case["target"], "id": i, "group_id": i,
                                  "metadata": case.get("metadata") or {}}
        if case.get("choices") is not None:
            prompt["choices"] = case["choices"]
        weight = 1.0 / len(counts) / counts[case["dataset_name"]]
        lines.append({"index": i, "prompt": prompt, "tags": [case["family"]],
                      "categories": ["benchmark_mix", case["family"]], "task_type": case["family"],
                      "weight": weight, "dataset_name": case["dataset_name"], "subset_name": case["subset_name"]})
    SUITE.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    SCRIPT.write_text(json.dumps({"model": "mock-model", "default": "I am not sure.", "answers": answers},
                                 ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{SUITE.relative_to(ROOT)}: {len(lines)} samples from {len(counts)} benchmarks")


if __name__ == "__main__":
    main()
