"""eq_bench: EQ-Bench v2 full-scale score of the four emotion intensities in the answer.

The value is the official score divided by 10 (so at most 1) and can be negative; answers that
cannot be scored (not exactly the four reference emotions, a score outside 0-10, no full-scale
reference) are excluded, as in EvalScope 1.14.1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values
from pytest_evalindex.scorers.text import clean_completion

_PAIR = re.compile(r"(\w+):\s+(\d+)")
RANDOM_BASELINE = 0.7477  # the official constant that puts random answers at 0


def parse_emotions(text: str) -> dict[str, str]:
    """Every ``name: number`` pair after removing ``*`` and ``#`` (a later pair with the same name wins)."""
    return dict(_PAIR.findall(text.replace("*", "").replace("#", "")))


def format_problem(answers: Mapping[str, str], emotions: list[Any]) -> str | None:
    """Why the parsed answers cannot be scored, or ``None`` when they can."""
    if len(answers) != 4:
        return f"expected 4 emotions, got {len(answers)}"
    if {e.lower() for e in answers} != {e.lower() for e in emotions}:
        return "the emotions differ from the reference"
    for emotion, raw in answers.items():
        if not 0 <= float(raw) <= 10:
            return f"score for {emotion} out of range (0-10)"
    return None


def fullscale_score(reference: Mapping[str, Any], answers: Mapping[str, str]) -> float | None:
    """The official v2 score (at most 10): sigmoid-scaled distances up to 5, linear beyond."""
    names = [reference[f"emotion{i}"].lower() for i in range(1, 5)]
    if len(answers) != 4 or len({e.lower() for e in answers if e.lower() in names}) != 4:
        return None
    tally = 0.0
    for emotion, raw in answers.items():
        for i, name in enumerate(names, start=1):
            if emotion.lower() != name:
                continue
            d = abs(float(raw) - float(reference[f"emotion{i}_score"]))
            if d == 0:
                scaled = 0.0
            elif d <= 5:
                scaled = 6.5 * (1 / (1 + math.e ** (-1.2 * (d - 4))))
            else:
                scaled = d
            tally += scaled
    return 10 - tally * RANDOM_BASELINE


def eq_bench(sample: ScoreInput) -> Score:
    """``eq_bench_score`` = official score / 10 (may be negative); excluded when it cannot be computed."""
    text = clean_completion(sample.completion)

    def excluded(why: str) -> Score:
        return Score(value=None, extracted=text, metric="eq_bench_score", explanation=why,
                     metadata={"metric_unavailable": True})

    try:
        # A collection line carries the reference as the dict EvalScope's adapter parsed; anything else
        # fails below (as it does in EvalScope) and the sample is excluded.
        reference = sample.metadata.get("reference_answer_fullscale", {})
        if not reference:
            return excluded("No v2 full-scale reference answer available")
        answers = parse_emotions(text)
        if not answers:
            return excluded("Failed to parse prediction")
        problem = format_problem(answers, [reference.get(f"emotion{i}", "") for i in range(1, 5)])
        if problem is not None:
            return excluded(f"Invalid format: {problem}")
        raw = fullscale_score(reference, answers)
        if raw is None:
            return excluded("Scoring failed")
    except Exception as exc:
        return excluded(f"Evaluation error: {exc}")
    return from_values({"eq_bench_score": raw / 10.0}, "eq_bench_score", extracted=text)
