"""drivel_multilabel: the set of technique letters after ``ANSWER:`` against the target letters;
per-sample F1 (the first key, which a collection averages), precision, recall and exact match."""

from __future__ import annotations

import re

from pytest_evalindex.scorers import choice
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values, reference_text
from pytest_evalindex.scorers.text import clean_completion

CATEGORIES = {"A": "inversion", "B": "wordplay", "C": "switchbait", "D": "paradox", "E": "misdirection"}
_CONNECTOR = re.compile(r"\s+(?:and|or)\s+", re.IGNORECASE)


def parse_letters(text: str, n_choices: int) -> set[str]:
    """EvalScope 1.14.1's multiple-answer ``parse_answers``: the labels of the last ``ANSWER:`` marker
    (``AC``, ``A, C``, ``A and C``, ``A/C``), else the last capital letter when it is a label; empty if none."""
    allowed = choice.allowed_letters(n_choices)
    # The marker scan is the single-answer parser's (pytest_evalindex.scorers.choice); only the list split differs.
    matched = choice._last_labelled(text, choice._MARKER_EN, choice._BRACKETED, choice._PLAIN_EN, allowed,
                                    legacy=False)
    if matched is None:
        letter = choice._fallback(text, allowed)
        return {letter} if letter else set()
    matched = _CONNECTOR.sub(",", matched.strip().rstrip(".")).replace(" ", "")
    matched = matched.replace("，", ",").replace("、", ",").replace("/", ",")
    for labels in (set(matched.split(",")), set(matched.replace(",", ""))):
        if labels <= allowed:
            return labels
    return set()


def drivel_multilabel(sample: ScoreInput) -> Score:
    """f1 (main, first key), precision, recall and exact_match of the predicted technique set."""
    extracted = "".join(sorted(parse_letters(clean_completion(sample.completion), len(sample.choices or ()))))
    predicted = {CATEGORIES[c] for c in extracted if c in CATEGORIES}
    gold = {CATEGORIES[c] for c in reference_text(sample) if c in CATEGORIES}
    tp, fp, fn = len(predicted & gold), len(predicted - gold), len(gold - predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    values = {"f1": f1, "precision": precision, "recall": recall, "exact_match": float(predicted == gold)}
    return from_values(values, "f1", extracted=extracted)
