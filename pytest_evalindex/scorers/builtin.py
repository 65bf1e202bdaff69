"""Registers every built-in scorer (imported lazily by :func:`registry.lookup`)."""

from __future__ import annotations

from pytest_evalindex.scorers import choice, match
from pytest_evalindex.scorers import math as math_scorers
from pytest_evalindex.scorers.registry import register_scorer

CHOICE_EN_NAMES = ("arc", "mmlu", "mmlu_pro", "gpqa_diamond", "race", "choice")
CHOICE_ZH_NAMES = ("cmmlu", "iquiz", "choice_zh")
MATH_NAMES = ("gsm8k", "math_500", "math")
AIME_NAMES = ("aime24", "aime25", "aime26")

register_scorer(CHOICE_EN_NAMES, choice.choice_en, requires_choices=True)
register_scorer(CHOICE_ZH_NAMES, choice.choice_zh, requires_choices=True)
register_scorer("ceval", choice.ceval, requires_choices=True)

register_scorer(MATH_NAMES, math_scorers.math_lenient)
register_scorer(AIME_NAMES, math_scorers.aime, metric="acc")
register_scorer("math_strict", math_scorers.math_strict)

register_scorer("exact", match.exact)
register_scorer("normalized_match", match.normalized_match)
register_scorer("trivia_qa", match.trivia_qa)
register_scorer("includes", match.includes)
