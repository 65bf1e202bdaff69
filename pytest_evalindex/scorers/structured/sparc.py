"""sparc: the answer's path (the ``(x, y)`` nodes after the last ``####``) must equal one of the
puzzle's stored solutions (``accuracy``); ``invalid_path_rate`` flags a path that breaks the grid's
structural rules (start/end, adjacency, no revisit, no rule cell), as EvalScope 1.14.1 scores SPaRC."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values
from pytest_evalindex.scorers.text import clean_completion

_NODE = re.compile(r"\((\d+),\s*(\d+)\)")
Node = tuple[int, int]
_CHECKS = ("starts_at_start_ends_at_exit", "connected_line", "non_intersecting_line", "no_rule_crossing",
           "fully_valid_path")


def _find(grid: Sequence[Sequence[Any]], mark: str, *, first: bool) -> Node | None:
    found: Node | None = None
    for y, row in enumerate(grid):
        for x, cell in enumerate(row):
            if cell == mark:
                found = (x, y)
                if first:
                    return found
    return found


def extract_path(text: str, puzzle: Mapping[str, Any] | None) -> list[Node] | None:
    """The nodes written after the last ``####`` (or anywhere without one), cut after the end node; None if none."""
    part = text.split("####")[-1]
    nodes = [(int(x), int(y)) for x, y in _NODE.findall(part)]
    if not nodes:
        return None
    end = _find(puzzle.get("puzzle_array", []), "E", first=True) if puzzle else None
    if end is not None and end in nodes:
        nodes = nodes[:nodes.index(end) + 1]
    return nodes


def path_text(path: Sequence[Node] | None) -> str:
    """``(x,y), (x,y), …``; "" for no path."""
    return ", ".join(f"({x},{y})" for x, y in path) if path else ""


def is_solution(path: Sequence[Node] | None, puzzle: Mapping[str, Any]) -> bool:
    """Whether a path of at least two nodes equals one of the puzzle's stored solutions."""
    if not path or len(path) < 2:
        return False
    return any(list(path) == [(p["x"], p["y"]) for p in solution["path"]]
               for solution in puzzle.get("solutions", []) or [])


def path_checks(path: Sequence[Node] | None, puzzle: Mapping[str, Any]) -> dict[str, bool]:
    """The structural checks of the reference validator; all False without a path, grid, start or end."""
    grid = puzzle.get("puzzle_array", [])
    start = _find(grid, "S", first=False) if grid else None
    end = _find(grid, "E", first=False) if grid else None
    if not path or not start or not end:
        return dict.fromkeys(_CHECKS, False)
    ends = path[0] == start and path[-1] == end
    connected = all(abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in zip(path, path[1:]))
    simple = len(set(path)) == len(path)
    width = len(grid[0])
    # Rule cells have two odd coordinates inside the grid; the path's own ends are not checked.
    no_rule = not any(x % 2 == 1 and y % 2 == 1 and x < width and y < len(grid) for x, y in path[1:-1])
    values = (ends, connected, simple, no_rule, ends and connected and simple and no_rule)
    return dict(zip(_CHECKS, values))


def sparc(sample: ScoreInput) -> Score:
    """``accuracy`` (main) and ``invalid_path_rate``; excluded when the sample has no ``puzzle``."""
    puzzle = sample.metadata.get("puzzle")
    if not isinstance(puzzle, Mapping):
        return Score(value=None, extracted=None, metric="accuracy", explanation="metadata needs 'puzzle'")
    # EvalScope extracts the path, writes it as text, and parses that text again for scoring.
    extracted = path_text(extract_path(clean_completion(sample.completion), puzzle))
    path = extract_path(extracted, puzzle)
    checks = path_checks(path, puzzle)
    return from_values({"accuracy": float(is_solution(path, puzzle)),
                        "invalid_path_rate": float(not checks["fully_valid_path"])},
                       "accuracy", extracted=extracted, metadata={"path_analysis": checks})
