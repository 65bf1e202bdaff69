"""Registration of the structured match benchmarks and their behaviour on lines that lack what they read."""

from __future__ import annotations

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.registry import lookup

MAIN_METRIC = {
    "arc_agi_2": "acc", "zebralogicbench": "Solved Puzzle", "finqa": "execution_accuracy", "tablebench": "mix_metric",
    "tool_bench": "F1", "process_bench": "error_acc", "eq_bench": "eq_bench_score", "sparc": "accuracy",
    "drivel_multilabel": "f1",
}


@pytest.mark.parametrize("name", sorted(MAIN_METRIC))
def test_registered_in_the_match_family(name: str) -> None:
    spec = lookup(name)
    assert spec is not None
    assert (spec.family, spec.metric) == ("match", MAIN_METRIC[name])


def test_package_needs_are_declared() -> None:
    assert lookup("tablebench").needs == ("package:rouge_score",)  # type: ignore[union-attr]
    assert lookup("tool_bench").needs == ("package:rouge_score",)  # type: ignore[union-attr]
    assert lookup("finqa").needs == ("package:sympy",)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["finqa", "tablebench", "sparc", "eq_bench"])
def test_missing_metadata_excludes_the_sample(name: str) -> None:
    spec = lookup(name)
    assert spec is not None
    score = spec.fn(ScoreInput(completion="Program: add(1, 2)\nFinal Answer: 3\n#### (0,0)", target="3",
                               targets=("3",), dataset_name=name))
    assert score.value is None
    assert score.metric == MAIN_METRIC[name]


def test_tool_bench_without_target_scores_as_a_failed_evaluation() -> None:
    score = lookup("tool_bench").fn(ScoreInput(completion="Action: x", target=""))  # type: ignore[union-attr]
    assert (score.value, score.metric, score.metrics["HalluRate"]) == (0.0, "F1", 1.0)


def test_process_bench_names_the_metric_after_the_label() -> None:
    scorer = lookup("process_bench").fn  # type: ignore[union-attr]
    assert scorer(ScoreInput(completion="\\boxed{-1}", target="-1", targets=("-1",))).metric == "correct_acc"
    assert scorer(ScoreInput(completion="\\boxed{-1}", target="2", targets=("2",))).metric == "error_acc"
