"""Structured match scorers against EvalScope 1.14.1's own verdicts (tests/scorers/data/structured_oracle.json).

Every case of benchmarks/parity_cases/match_structured.py was scored by EvalScope's data_collection; the file
keeps its full value dict, the main metric a collection averages and the extracted answer.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.registry import lookup

ORACLE = json.loads((Path(__file__).parent / "data" / "structured_oracle.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = ORACLE["cases"]


def _sample(case: dict[str, Any]) -> ScoreInput:
    target = case["target"]
    targets = (target,) if isinstance(target, str) else tuple(target)
    choices = case["choices"]
    return ScoreInput(completion=case["answer"], target="".join(targets), targets=targets,
                      choices=None if choices is None else tuple(choices), metadata=case["metadata"],
                      dataset_name=case["dataset_name"], subset_name=case["subset_name"])


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['dataset_name']}-{c['note']}" for i, c in enumerate(CASES)])
def test_scorer_matches_evalscope(case: dict[str, Any]) -> None:
    spec = lookup(case["dataset_name"])
    assert spec is not None and spec.family == "match"
    got = spec.fn(_sample(case))
    want = case["expected"]
    assert _close(got.value, want["value"]), (got, want)
    if want["values"]:
        assert got.metric == want["metric"]
        assert set(got.metrics) == set(want["values"])
        for name, value in want["values"].items():
            assert _close(got.metrics[name], float(value)), (name, got.metrics[name], value)
    else:
        assert not got.metrics  # EvalScope wrote no value: the sample is excluded
    assert got.extracted == want["extracted"]


def test_oracle_file_holds_the_current_parity_cases() -> None:
    """The oracle must be regenerated (make_structured_oracle.py) whenever the parity cases change."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "parity_cases" / "match_structured.py"
    spec = importlib.util.spec_from_file_location("parity_cases_match_structured", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = [(c["dataset_name"], c["answer"], c["target"], c["metadata"]) for c in module.CASES]
    stored = [(c["dataset_name"], c["answer"], c["target"], c["metadata"]) for c in CASES]
    assert current == stored
