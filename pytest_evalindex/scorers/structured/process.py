"""process_bench: the index of the first wrong paragraph in the last ``\\boxed{}`` (-1 = no error).

EvalScope 1.14.1 names the metric after the gold label: ``correct_acc`` for a fully correct
solution (label -1), ``error_acc`` otherwise, so one dataset carries two metric names.
"""

from __future__ import annotations

import re

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values, reference_text
from pytest_evalindex.scorers.text import clean_completion

_BOXED = re.compile(r"\\boxed\{([^}]*)\}")


def boxed_index(text: str) -> int | None:
    """The last ``\\boxed{…}`` content as an integer (Python's ``int``: spaces, sign, ``_`` allowed), else None."""
    found = _BOXED.findall(text)
    if not found:
        return None
    try:
        return int(found[-1].strip())
    except ValueError:
        return None


def process_bench(sample: ScoreInput) -> Score:
    """1 when the boxed index equals the gold label; metric ``correct_acc`` (label -1) or ``error_acc``."""
    predicted = boxed_index(clean_completion(sample.completion))
    try:
        label = int(reference_text(sample))
    except ValueError:
        return Score(value=None, extracted=None if predicted is None else str(predicted), metric="error_acc",
                     explanation="the target must be an integer step index")
    name = "correct_acc" if label == -1 else "error_acc"
    return from_values({name: float(predicted == label)}, name,
                       extracted=None if predicted is None else str(predicted))
