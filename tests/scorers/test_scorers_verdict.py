"""Yes/no(/maybe) verdict scorers (coin_flip, drivel_binary, halueval, pubmedqa) against EvalScope 1.14.1.

Expected values come from tests/scorers/data/match_oracle.json (EvalScope's adapters run on
benchmarks/parity_cases/match_qa.py by tests/scorers/data/gen_match_oracle.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.registry import lookup
from pytest_evalindex.scorers.verdict import yes_no_maybe_verdict, yes_no_verdict

VERDICT_NAMES = frozenset({"coin_flip", "drivel_binary", "halueval", "pubmedqa"})

ORACLE = json.loads((Path(__file__).parent / "data" / "match_oracle.json").read_text(encoding="utf-8"))


def _cases(names: frozenset[str]) -> list[dict[str, Any]]:
    return [c for c in ORACLE["cases"] if c["dataset_name"] in names]


def _sample(case: dict[str, Any]) -> ScoreInput:
    target = case["target"]
    targets = (target,) if isinstance(target, str) else tuple(target)
    return ScoreInput(completion=case["answer"], target="".join(targets), targets=targets, choices=None,
                      metadata=case["metadata"], dataset_name=case["dataset_name"], subset_name=case["subset_name"])


def _check_against_oracle(case: dict[str, Any]) -> None:
    """The registered scorer gives EvalScope's main value, metric, every metric, extraction and metadata;
    where EvalScope itself fails on the sample, ours excludes it."""
    spec = lookup(case.get("scorer") or case["dataset_name"])
    assert spec is not None and spec.family == "match"
    score = spec.fn(_sample(case))
    expected = case["expected"]
    if "error" in expected:
        assert score.value is None, expected["error"]
        return
    if expected["value"] is None:
        assert score.value is None
        assert score.extracted == expected["extracted"]
        return
    assert score.value == pytest.approx(expected["value"], abs=1e-12)
    assert score.metric == expected["metric"] == spec.metric
    metrics: dict[str, float | None] = {**score.metrics} or {score.metric: score.value}  # empty metrics: the main one is the only one
    assert metrics == pytest.approx(expected["values"], abs=1e-12)
    assert list(metrics) == list(expected["values"])  # same keys, same order as EvalScope's value dict
    assert score.extracted == expected["extracted"]
    assert dict(score.metadata) == expected["metadata"]


VERDICT_CASES = _cases(VERDICT_NAMES)


@pytest.mark.parametrize("case", VERDICT_CASES, ids=[f"{c['dataset_name']}-{c['note']}" for c in VERDICT_CASES])
def test_verdict_scores_match_evalscope(case: dict[str, Any]) -> None:
    _check_against_oracle(case)


def test_every_verdict_benchmark_is_probed_with_right_and_wrong_answers() -> None:
    for name in VERDICT_NAMES:
        values = {c["expected"]["value"] for c in VERDICT_CASES if c["dataset_name"] == name}
        assert values == {0.0, 1.0}, name
        assert lookup(name).metric == "acc"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "bare", "expected"), [
    ("Yes", False, "YES"),
    ("NO.", False, "NO"),
    ("yes", False, None),  # lower-case only counts as the whole reply, and only where allowed
    ("yes", True, "YES"),
    (" no! ", True, "NO"),
    ("Yes and No", True, None),
    ("I do not know", False, None),  # "not", "know": no whole-word verdict
    ("Nothing. Yesterday.", False, None),
])
def test_yes_no_verdict(text: str, bare: bool, expected: str | None) -> None:
    assert yes_no_verdict(text, bare_lowercase=bare) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("maybe", "MAYBE"),
    ("Maybe.", "MAYBE"),
    ("YES. Yes.", "YES"),
    ("Yes, or Maybe", None),
    ("yes, maybe", None),
])
def test_yes_no_maybe_verdict(text: str, expected: str | None) -> None:
    assert yes_no_maybe_verdict(text) == expected
