"""Intervals on every report row: each sample cell summarized once, every row's strata merged from its cells.

A cell is the samples sharing task type, dataset, subset, tags and categories: they belong to exactly the
same rows and the same stratum (the macro child, a ``(dataset, subset)`` pair), so one
:class:`StratumSummary` per cell serves every level (0.16 s for every row of 100,000 samples).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.aggregate import Report, is_scored, level_specs, macro_child
from pytest_evalindex.metrics.intervals import AVERAGES, RowIntervals, StratumSummary, interval_of, merge_strata

_Cell = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]


@dataclass
class IntervalNotes:
    """What the caller shows once about the intervals: strata of one sample, rows left without an interval."""

    singleton_strata: list[str] = field(default_factory=list)
    unbounded_rows: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """At most one line per kind of note."""
        out: list[str] = []
        if self.singleton_strata:
            shown = ", ".join(self.singleton_strata[:5]) + (", …" if len(self.singleton_strata) > 5 else "")
            count = len(self.singleton_strata)
            out.append(f"evalindex: {count} {'stratum has' if count == 1 else 'strata have'} a single sample "
                       f"({shown}): {'it borrows' if count == 1 else 'they borrow'} the pooled within-stratum "
                       "variance in the intervals of the rows holding other strata")
        if self.unbounded_rows:
            out.append(f"evalindex: no interval for {len(self.unbounded_rows)} row(s) with scores outside [0, 1] "
                       f"({', '.join(self.unbounded_rows[:3])})")
        return out


def attach_intervals(report: Report, results: Sequence[SampleResult], *, confidence: float) -> IntervalNotes:
    """Set ``intervals`` on every row of ``report`` with a scored sample, and ``report.confidence``."""
    ordered = sorted(results, key=lambda r: r.ordinal)
    child = macro_child(report.pool_subsets_by_name)
    cells: dict[_Cell, tuple[SampleResult, list[float], list[float]]] = {}
    for r in ordered:
        if not is_scored(r) or r.score is None:
            continue
        key = (r.task_type, r.dataset_name, r.subset_name, tuple(r.tags), tuple(r.categories))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = (r, [], [])
        cell[1].append(float(r.score))
        cell[2].append(float(r.weight))
    summaries: dict[_Cell, StratumSummary | None] = {}
    for key, (first, scores, weights) in cells.items():
        try:
            summaries[key] = StratumSummary.of(child(first), scores, weights)
        except ValueError:
            summaries[key] = None  # a score outside [0, 1]: the rows holding it get no interval
    notes = IntervalNotes()
    singletons: set[Hashable] = set()
    for level, columns, key_fn, _ in level_specs(ordered, compat=report.compat,
                                                 pool_subsets_by_name=report.pool_subsets_by_name):
        if not columns:
            continue
        parts: dict[tuple[str, ...], list[StratumSummary | None]] = {}
        for key, (first, _, _) in cells.items():
            for row_key in key_fn(first):
                parts.setdefault(row_key, []).append(summaries[key])
        for row in report.levels.get(level, []):
            members = parts.get(tuple(row.keys.values()))
            if not members:
                continue
            if any(m is None for m in members):
                notes.unbounded_rows.append(f"{level} {row.name}")
                continue
            strata = merge_strata(m for m in members if m is not None)
            made = {avg: interval_of(strata, avg, confidence=confidence) for avg in AVERAGES}
            row.intervals = RowIntervals(made["micro"], made["macro"], made["weighted"])
            if len(strata) > 1:
                singletons.update(s.key for s in strata if s.n == 1)
    notes.singleton_strata = sorted(_label(k) for k in singletons)
    report.confidence = confidence
    return notes


def interval_text(lo: float, hi: float, confidence: float) -> str:
    """``95% CI [0.1234, 0.6543]``: bounds printed as the report prints values (4 places)."""
    return f"{confidence_label(confidence)} CI [{round(lo, 4)}, {round(hi, 4)}]"


def confidence_label(confidence: float) -> str:
    """``95%`` (``99.5%`` when needed)."""
    percent = confidence * 100.0
    return f"{percent:.0f}%" if math.isclose(percent, round(percent), abs_tol=1e-9) else f"{percent:g}%"


def _label(key: Hashable) -> str:
    return "/".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
