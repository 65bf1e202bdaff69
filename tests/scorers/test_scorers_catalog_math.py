"""The 15 EvalScope 1.14.1 math-equivalence benchmarks: registered under EvalScope's names, and scoring
the parity cases exactly as EvalScope 1.14.1 did (expected values in data/parity_math.json, written by
``benchmarks/parity_probe.py --write-expected`` from a real EvalScope run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.catalog import math as catalog
from pytest_evalindex.scorers.registry import lookup

ORACLE = json.loads((Path(__file__).parent / "data" / "parity_math.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = ORACLE["cases"]
EVALSCOPE_MATH = ("aime24 aime25 aime26 amc arxivmath cmath competition_math gsm8k gsm8k_indic hmmt25 hmmt26 "
                  "hmmt_nov25 math_500 mgsm poly_math").split()


def sample_input(case: dict[str, Any]) -> ScoreInput:
    """The scorer's input for a case, built the way the plugin builds it from a collection line."""
    target = case["target"]
    return ScoreInput(
        completion=case["answer"], target="".join(target) if isinstance(target, list) else target,
        targets=tuple(target) if isinstance(target, list) else (target,), choices=None, metadata=case["metadata"],
        dataset_name=case["dataset_name"], subset_name=case["subset_name"])


def test_every_math_name_is_registered_in_the_math_family() -> None:
    assert len(EVALSCOPE_MATH) == 15
    assert sorted(catalog.NAMES) == sorted(EVALSCOPE_MATH)
    for name in EVALSCOPE_MATH:
        spec = lookup(name)
        assert spec is not None, name
        # the aime adapters write their own key "acc"; the others the canonical "accuracy"
        assert (spec.family, spec.metric) == ("math", "acc" if name.startswith("aime") else "accuracy")


def test_the_oracle_covers_every_name_with_three_answers_or_more() -> None:
    assert ORACLE["oracle"] == "EvalScope 1.14.1"
    for name in EVALSCOPE_MATH:
        assert sum(c["dataset_name"] == name for c in CASES) >= 3, name


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['dataset_name']}" for i, c in enumerate(CASES)])
def test_scores_like_evalscope(case: dict[str, Any]) -> None:
    spec = lookup(case["dataset_name"])
    assert spec is not None
    score = spec.fn(sample_input(case))
    expected = case["expected"]
    assert score.value == expected["value"], case["note"]
    if expected["value"] is not None:
        assert (score.metric, score.extracted) == (expected["metric"], expected["extracted"])
