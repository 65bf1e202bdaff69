"""EvalScope 1.14.1's instruction-family benchmarks and the scorer each one uses."""

from __future__ import annotations

from pytest_evalindex.scorers.ifeval.scorer import MAIN_METRIC, score_ifbench, score_ifeval
from pytest_evalindex.scorers.registry import register_scorer


def register() -> None:
    """Register this family's benchmark names."""
    register_scorer("ifeval", score_ifeval, metric=MAIN_METRIC, family="instruction")
    register_scorer("ifbench", score_ifbench, metric=MAIN_METRIC, family="instruction",
                    needs=("package:emoji", "package:syllapy"))
