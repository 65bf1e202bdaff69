"""zebralogicbench: cell-by-cell comparison of the answer's JSON solution with the puzzle's grid.

EvalScope 1.14.1 names ``puzzle_acc`` as the main metric but writes only count keys, so a
collection averages the first key, ``Solved Puzzle`` (0 or 1); this scorer does the same.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values, reference_text
from pytest_evalindex.scorers.text import clean_completion

# Puzzle sizes (houses*attributes) of each difficulty and size group of the official scorer.
_GROUPS: dict[str, frozenset[str]] = {
    "Easy": frozenset({"2*2", "2*3", "2*4", "2*5", "2*6", "3*2", "3*3"}),
    "Hard": frozenset({"3*4", "3*5", "4*2", "3*6", "4*3", "4*4", "5*2", "6*2", "4*5", "4*6", "5*3", "5*4",
                       "5*5", "5*6", "6*3", "6*4", "6*5", "6*6"}),
    "Small": frozenset({"2*2", "2*3", "2*4", "2*5", "2*6", "3*2", "3*3", "4*2"}),
    "Medium": frozenset({"3*4", "3*5", "3*6", "4*3", "4*4", "5*2", "6*2"}),
    "Large": frozenset({"4*5", "5*3", "4*6", "5*4", "6*3"}),
    "XL": frozenset({"5*5", "6*4", "5*6", "6*5", "6*6"}),
}


def last_json_object(text: str) -> str:
    """The last top-level ``{…}`` span (braces balanced, strings not special), re-serialised compactly
    after raw newlines are dropped; "" when there is none or it is not valid JSON."""
    depth = 0
    start = -1
    last = ""
    for i, char in enumerate(text):
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0 and start >= 0:
                last = text[start:i + 1]
                start = -1
    if not last:
        return ""
    try:
        return json.dumps(json.loads(last.replace("\n", "")))
    except json.JSONDecodeError:
        return ""


def _cell_text(value: Any) -> str | None:
    """A predicted cell as lower-case text; ``None`` to skip it; ValueError for a type the scorer rejects."""
    if value is None:
        return None
    if isinstance(value, list):
        return str(value[0]).lower().strip() if value else None
    if isinstance(value, str):
        return value.lower().strip()
    raise ValueError(f"unknown cell type: {type(value).__name__}")


def puzzle_counts(prediction: str, reference: str) -> dict[str, int]:
    """The official per-puzzle counts (solved puzzle/cells, cell total, group totals, reasoning length)."""
    answer = json.loads(prediction)
    solution = json.loads(reference)
    rows = solution["rows"]
    header = solution["header"]
    size = f"{len(rows)}*{len(rows[0]) - 1}"
    cells = (len(header) - 1) * len(rows)
    # Dicts, as the official scorer builds them: a repeated column name is checked once.
    expected_table = {f"House {h + 1}": {header[j]: rows[h][j] for j in range(1, len(header))}
                      for h in range(len(rows))}
    table = answer.get("solution", None)
    solved = correct = 0
    reason_length = 0
    if table:
        reason_length = len(answer.get("reasoning", ""))
        for house, truths in expected_table.items():
            for column, truth in truths.items():
                if house not in table or column not in table[house]:
                    continue
                expected = truth.lower().strip()
                predicted = _cell_text(table[house][column])
                if predicted is not None and predicted == expected:
                    correct += 1
        solved = int(correct == cells)
    counts = {"Solved Puzzle": solved, "Solved Cell": correct, "Cell Num": cells, "No answer": int(not table)}
    for group, sizes in _GROUPS.items():
        counts[f"{group} Puzzle Num"] = int(size in sizes)
    for group, sizes in _GROUPS.items():
        counts[f"Solved {group} Puzzle"] = solved if size in sizes else 0
    counts["Reason Lens"] = reason_length
    return counts


def zebralogicbench(sample: ScoreInput) -> Score:
    """EvalScope 1.14.1's per-sample counts; the main value is ``Solved Puzzle``; excluded when scoring fails."""
    extracted = last_json_object(clean_completion(sample.completion))
    try:
        counts = puzzle_counts(extracted or "{}", reference_text(sample))
    except Exception as exc:  # EvalScope logs any scoring error and leaves the sample without a value
        return from_values({}, "Solved Puzzle", extracted=extracted, explanation=f"scoring failed: {exc}")
    return from_values(counts, "puzzle_acc", extracted=extracted)
