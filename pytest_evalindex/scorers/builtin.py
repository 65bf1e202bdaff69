"""Registers every built-in scorer (imported lazily by :func:`registry.lookup`).

The plain names behave as EvalScope 1.14.1 does; ``<name>@legacy`` keeps the older rules of the
spec (EvalScope HEAD of 2026-08) for every name whose behaviour changed.
"""

from __future__ import annotations

from pytest_evalindex.scorers import choice, match
from pytest_evalindex.scorers import math as math_scorers
from pytest_evalindex.scorers.registry import LEGACY_SUFFIX, register_scorer

CHOICE_EN_NAMES = ("arc", "mmlu", "mmlu_pro", "gpqa_diamond", "race", "choice")
CHOICE_ZH_NAMES = ("cmmlu", "iquiz", "choice_zh")
MATH_NAMES = ("gsm8k", "math_500", "math")
AIME_NAMES = ("aime24", "aime25", "aime26")


def _legacy(names: tuple[str, ...]) -> list[str]:
    return [name + LEGACY_SUFFIX for name in names]


register_scorer(CHOICE_EN_NAMES, choice.choice_en, requires_choices=True)
register_scorer(CHOICE_ZH_NAMES, choice.choice_zh, requires_choices=True)
register_scorer("ceval", choice.ceval, requires_choices=True)
register_scorer(_legacy(CHOICE_EN_NAMES), choice.choice_en_legacy, requires_choices=True)
register_scorer(_legacy(CHOICE_ZH_NAMES), choice.choice_zh_legacy, requires_choices=True)
register_scorer(_legacy(("ceval",)), choice.ceval_legacy, requires_choices=True)

register_scorer(MATH_NAMES, math_scorers.math_accuracy)
register_scorer(AIME_NAMES, math_scorers.aime, metric="acc")
register_scorer(_legacy(MATH_NAMES), math_scorers.math_lenient)
register_scorer(_legacy(AIME_NAMES), math_scorers.aime_legacy, metric="acc")
register_scorer("math_strict", math_scorers.math_strict)

register_scorer("exact", match.exact)
register_scorer("normalized_match", match.normalized_match)
register_scorer("trivia_qa", match.trivia_qa)
register_scorer(_legacy(("trivia_qa",)), match.trivia_qa_legacy)
register_scorer("includes", match.includes)

from pytest_evalindex.scorers.catalog import register_all  # noqa: E402  (after the seed's names: the catalog may refine them)

register_all()
