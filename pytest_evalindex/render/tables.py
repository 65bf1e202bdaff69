"""Terminal tables of a :class:`Report`, in the shape of EvalScope's log (``<level> Report:`` + table)."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from pytest_evalindex.core.text import sanitize
from pytest_evalindex.metrics.aggregate import LEVELS, LevelRow, Report
from pytest_evalindex.metrics.row_ci import interval_text

_COUNT_COLUMNS = ("excluded", "errors")
_NUMBER_COLUMNS = frozenset({"micro_avg.", "macro_avg.", "weighted_avg.", "count", *_COUNT_COLUMNS})
_MISSING = "-"


def render_tables(report: Report) -> str:
    """All five levels as ``pretty`` tables, each preceded by ``<level> Report:``.

    Numbers print as ``str(round(x, 4))`` (``1.0``, ``0.8889``), a row without a scored sample
    prints ``-``; ``excluded``/``errors`` columns appear only in a table where some row has one.
    """
    blocks = [f"{level} Report:\n{render_level(report, level)}" for level in LEVELS]
    return "\n\n".join(blocks) + "\n"


def render_level(report: Report, level: str) -> str:
    """One level's table (no title)."""
    rows = report.levels.get(level, [])
    headers = _headers(report, level)
    show_counts = any(row.excluded or row.errors for row in rows)
    if show_counts:
        headers += list(_COUNT_COLUMNS)
    table = [[_cell(value) for value in _row_values(row, show_counts)] for row in rows]
    colalign = tuple("right" if h in _NUMBER_COLUMNS else "left" for h in headers)
    return tabulate(table, headers=headers, tablefmt="pretty", disable_numparse=True, colalign=colalign)


def _headers(report: Report, level: str) -> list[str]:
    rows = report.levels.get(level, [])
    if rows:
        keys = list(rows[0].keys)
    elif level == "subset_level":
        keys = ["task_type", "dataset_name", "subset_name"]
    elif level == "dataset_level":
        keys = ["task_type", "dataset_name"]
    elif level == "task_level":
        keys = ["task_type"]
    elif level == "tag_level":
        keys = ["tags"]
    else:
        keys = ["category0"]
    if level == "subset_level":
        return keys + ["micro_avg.", "count"]
    return keys + ["micro_avg.", "macro_avg.", "weighted_avg.", "count"]


def _row_values(row: LevelRow, show_counts: bool) -> list[Any]:
    values: list[Any] = [*row.keys.values(), row.micro]
    if row.level != "subset_level":
        values += [row.macro, row.weighted]
    values.append(row.count)
    if show_counts:
        values += [row.excluded, row.errors]
    return values


def _cell(value: Any) -> str:
    if value is None:
        return _MISSING
    if isinstance(value, float):
        return str(round(value, 4))
    if isinstance(value, str):
        return sanitize(value)
    return str(value)




def index_line(report: Report) -> str | None:
    """``index reasoning_index = 0.3556  95% CI [0.0612, 0.8189]  n=10 (effective 2.6)``, or None without an index."""
    row = report.index
    if row is None or row.weighted is None:
        return None
    line = f"index {sanitize(row.name)} = {_cell(row.weighted)}"
    ci = row.intervals
    if ci is not None:
        weighted = ci.weighted
        line += f"  {interval_text(weighted.interval.lo, weighted.interval.hi, weighted.confidence)}  n={row.count}"
        if weighted.n_eff < row.count - 0.05:
            line += f" (effective {weighted.n_eff:.1f})"
    else:
        line += f"  n={row.count}"
    return line
