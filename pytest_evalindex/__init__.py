"""pytest-evalindex: a mixed JSONL evaluation collection as a pytest model regression suite."""

from pytest_evalindex.gates.code import gate
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.registry import register_scorer, scorer

__all__ = ["Score", "ScoreInput", "gate", "register_scorer", "scorer"]
__version__ = "0.1.0"
