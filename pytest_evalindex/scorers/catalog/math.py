"""EvalScope 1.14.1's math-family benchmarks and the scorer each one uses."""

from __future__ import annotations

from pytest_evalindex.scorers import math as math_scorers
from pytest_evalindex.scorers.registry import register_scorer

EQUIVALENCE = ("amc", "arxivmath", "cmath", "competition_math", "gsm8k", "gsm8k_indic", "hmmt25", "hmmt26",
               "hmmt_nov25", "math_500", "mgsm", "poly_math")
"""math-verify extraction and equivalence with the one accepted answer; metric ``accuracy``."""

INTEGER = ("aime24", "aime25", "aime26")
"""The same, integer literals only; the adapter writes its own metric key ``acc``."""

NAMES: tuple[str, ...] = tuple(sorted(EQUIVALENCE + INTEGER))
"""Every EvalScope 1.14.1 math-equivalence benchmark name (15)."""


def register() -> None:
    """Register this family's benchmark names."""
    register_scorer(EQUIVALENCE, math_scorers.math_accuracy, metric="accuracy", family="math")
    register_scorer(INTEGER, math_scorers.aime, metric="acc", family="math")
