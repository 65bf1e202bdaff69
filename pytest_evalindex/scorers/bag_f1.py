"""Bag-of-tokens F1 with a best one-to-one alignment of answer spans (shared by the DROP and TAT-QA scorers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

Bag = frozenset[str]


def bag_f1(predicted: Bag, gold: Bag) -> float:
    """Token-set F1; an empty side counts as precision (or recall) 1."""
    common = len(predicted & gold)
    precision = common / len(predicted) if predicted else 1.0
    recall = common / len(gold) if gold else 1.0
    if precision == 0.0 and recall == 0.0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def aligned_scores(
    predicted: Sequence[Bag], gold: Sequence[Bag], admissible: Callable[[Bag, Bag], bool] | None = None
) -> list[float]:
    """Per gold span, its F1 under a one-to-one alignment with predicted spans maximising the total.

    The list has ``max(len(gold), len(predicted))`` entries (unmatched ones are 0), as the DROP evaluation
    averages it; a pair rejected by ``admissible(gold, predicted)`` scores 0. Ties between optimal alignments
    change which entry holds a value, never their sum.
    """
    table = [[bag_f1(p, g) if admissible is None or admissible(g, p) else 0.0 for p in predicted] for g in gold]
    width = len(predicted)

    @cache
    def best(row: int, used: int) -> tuple[float, tuple[int, ...]]:
        # Best total for rows[row:], given the predicted spans already used; returns the column picked per row
        # (-1 = unmatched).
        if row == len(table):
            return 0.0, ()
        total, picks = best(row + 1, used)
        choice = (total, (-1, *picks))
        for col in range(width):
            if not used & (1 << col):
                sub_total, sub_picks = best(row + 1, used | (1 << col))
                if table[row][col] + sub_total > choice[0]:
                    choice = (table[row][col] + sub_total, (col, *sub_picks))
        return choice

    scores = [0.0] * max(len(gold), width)
    for row, col in enumerate(best(0, 0)[1]):
        if col >= 0:
            scores[row] = table[row][col]
    return scores


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean (0 for no values)."""
    return sum(values) / len(values) if values else 0.0


def round_half_even(value: float, digits: int) -> float:
    """Round as ``numpy.round`` does (scale, round half to even on the binary value, scale back)."""
    scale = 10.0**digits
    return round(value * scale) / scale
