"""Math answer-equivalence scorers (spec §6, Family B). First version; refined below."""

from __future__ import annotations

import math
import re

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion


def _last_number(text: str) -> str:
    found = re.findall(r"-?\d*\.?\d+", text.replace(",", ""))
    return found[-1] if found else ""


def _make(metric: str, percent: bool):
    def score(sample: ScoreInput) -> Score:
        text = clean_completion(sample.completion)
        pred = _last_number(text)
        ref = sample.target.split("####")[-1].strip()
        try:
            p, r = float(pred), float(ref.replace(",", ""))
            refs = [r, r / 100, r * 100] if percent else [r]
            ok = any(math.isclose(p, x, rel_tol=1e-4) for x in refs)
        except ValueError:
            ok = pred.strip().lower() == ref.strip().lower() and bool(pred)
        return Score(value=float(ok), extracted=pred, metric=metric)

    return score


math_lenient = _make("accuracy", True)
math_strict = _make("accuracy", False)
aime = _make("acc", True)
