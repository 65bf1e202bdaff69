"""EvalScope's recorded verdicts on the match-family parity cases (data/match_oracle.json), and the check that a
registered scorer reproduces one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.registry import lookup

ORACLE = json.loads((Path(__file__).parent / "data" / "match_oracle.json").read_text(encoding="utf-8"))


def oracle_cases(names: frozenset[str]) -> list[dict[str, Any]]:
    return [c for c in ORACLE["cases"] if c["dataset_name"] in names]


def oracle_sample(case: dict[str, Any]) -> ScoreInput:
    target = case["target"]
    targets = (target,) if isinstance(target, str) else tuple(target)
    return ScoreInput(completion=case["answer"], target="".join(targets), targets=targets, choices=None,
                      metadata=case["metadata"], dataset_name=case["dataset_name"], subset_name=case["subset_name"])


def check_against_oracle(case: dict[str, Any]) -> None:
    """The registered scorer gives EvalScope's main value, metric, every metric, extraction and metadata;
    where EvalScope itself fails on the sample, ours excludes it."""
    spec = lookup(case.get("scorer") or case["dataset_name"])
    assert spec is not None and spec.family == "match"
    score = spec.fn(oracle_sample(case))
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
