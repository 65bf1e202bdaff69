"""Instruction-following scorers (ifeval, ifbench): our own checkers for the public instruction definitions."""

from __future__ import annotations

from pytest_evalindex.scorers.ifeval.nltk_data import ensure_punkt_tab
from pytest_evalindex.scorers.ifeval.scorer import score_ifbench, score_ifeval

__all__ = ["ensure_punkt_tab", "score_ifbench", "score_ifeval"]
