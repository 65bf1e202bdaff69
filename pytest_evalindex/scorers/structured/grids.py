"""arc_agi_2: the answer grid (a JSON 2-D array) must equal the target grid exactly."""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values, reference_text
from pytest_evalindex.scorers.text import clean_completion

_FENCED = re.compile(r"```(?:json)?\s*\n?(.*?)\n?```", re.DOTALL)
_BRACKETED_ROWS = re.compile(r"\[\s*\[.*?\]\s*\]", re.DOTALL)


def _as_grid(text: str) -> list[Any] | None:
    """``text`` parsed as JSON when it is a list of lists (an empty list counts), else ``None``."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    if isinstance(value, list) and all(isinstance(row, list) for row in value):
        return value
    return None


def find_grid(response: str) -> list[Any]:
    """The first grid found: the whole reply, then each fenced block, then each ``[[ … ]]`` span; [] if none."""
    response = response.strip()
    candidates = [response]
    candidates += [block.strip() for block in _FENCED.findall(response)]
    candidates += _BRACKETED_ROWS.findall(response)
    for text in candidates:
        grid = _as_grid(text)
        if grid is not None:
            return grid
    return []


def extract_grid_answer(completion: str) -> str:
    """The found grid as compact JSON; a reply without a non-empty grid is kept as its stripped text."""
    grid = find_grid(completion)
    return json.dumps(grid) if grid else completion.strip()


def arc_agi_2(sample: ScoreInput) -> Score:
    """1 when the extracted grid equals the target grid (both as JSON values), else 0; metric ``acc``."""
    extracted = extract_grid_answer(clean_completion(sample.completion))
    try:
        correct = json.loads(extracted) == json.loads(reference_text(sample))
    except (json.JSONDecodeError, TypeError):
        correct = False
    return from_values({"acc": float(correct)}, "acc", extracted=extracted)
