"""The five-level roll-up of sample results (EvalScope's ``aggregate_scores``, spec §3).

Every level groups the *scored* samples and reports, per group G with scores x and weights w:
``micro`` = mean(x); ``weighted`` = Σw·x / Σw (micro when Σw == 0); ``macro`` = mean over child
groups of their unrounded micro (micro itself at the subset level); ``count`` = |G|; all
rounded with ``round(x, 4)``. Excluded and errored samples never enter an average; they are
counted per row in ``excluded`` and ``errors``.

Modes:

* ``compat=True`` reproduces EvalScope 1.14.1: macro children keyed by
  ``(dataset_name, subset_name)``, category rows only for full paths, samples without tags
  absent from the tag level, a duplicated tag counted twice, and only groups holding at least
  one scored sample appear. With ``pool_subsets_by_name=True`` as well, macro children are
  keyed by ``subset_name`` alone, as the older EvalScope of the spec did (the ``default``
  subsets of different datasets pool into one child).
* ``compat=False`` (default): macro children are keyed by ``(dataset_name, subset_name)``
  (or by subset name with ``pool_subsets_by_name``), and the category level has a row for
  every prefix of each path, so the root row (the index total) always exists. In addition,
  samples without tags go to a ``(untagged)`` row, samples without categories to a
  ``(uncategorized)`` row, a tag repeated within one sample counts once, and groups whose
  samples were all excluded or errored appear with ``None`` averages.

Sums use ``math.fsum``, so results do not depend on the order samples arrive in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.intervals import RowIntervals
from pytest_evalindex.metrics.repeated import repeat_summary

LEVELS: tuple[str, ...] = ("subset_level", "dataset_level", "task_level", "tag_level", "category_level")
UNTAGGED = "(untagged)"
UNCATEGORIZED = "(uncategorized)"

Key = tuple[str, ...]
_KeyFn = Callable[[SampleResult], Iterable[Key]]
_ChildFn = Callable[[SampleResult], Key]


@dataclass
class LevelRow:
    """One row of one level: its key columns, averages and counts."""

    level: str
    keys: dict[str, str]
    micro: float | None
    macro: float | None
    weighted: float | None
    count: int
    excluded: int = 0
    errors: int = 0
    repeats: dict[str, Any] | None = None  # --eval-repeats K > 1: pass@k and stability counts (metrics/repeated.py)
    metrics: dict[str, dict[str, float | int]] = field(default_factory=dict)  # every metric's mean and count
    intervals: RowIntervals | None = None  # set by metrics.row_ci.attach_intervals
    input_tokens: int = 0  # what the row's samples used (every answer, errors included)
    output_tokens: int = 0
    cost: float | None = None  # USD at the run's prices, set by metrics.costs.attach_costs when prices are given

    @property
    def name(self) -> str:
        """Key values joined with ``/``, trailing empty padding dropped (``math_index/math``)."""
        values = list(self.keys.values())
        while values and values[-1] == "":
            values.pop()
        return "/".join(values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form with the row's counts."""
        return {
            "level": self.level,
            "name": self.name,
            "keys": dict(self.keys),
            "micro": self.micro,
            "macro": self.macro,
            "weighted": self.weighted,
            "count": self.count,
            "excluded": self.excluded,
            "errors": self.errors,
            "metrics": {name: dict(summary) for name, summary in self.metrics.items()},
            "tokens": {"input": self.input_tokens, "output": self.output_tokens,
                       "total": self.input_tokens + self.output_tokens},
            **({"cost": self.cost} if self.cost is not None else {}),
            **({"repeats": self.repeats} if self.repeats is not None else {}),
            **({"ci": self.intervals.ci(), "n_eff": self.intervals.weighted.n_eff}
               if self.intervals is not None else {}),
        }

    def evalscope_row(self) -> dict[str, Any]:
        """The row as EvalScope prints and dumps it (spec §3.3, §4.5): key columns, then
        ``micro_avg.``, ``macro_avg.``, ``weighted_avg.``, ``count``; subset rows keep only micro."""
        row: dict[str, Any] = dict(self.keys)
        row["micro_avg."] = self.micro
        if self.level != "subset_level":
            row["macro_avg."] = self.macro
            row["weighted_avg."] = self.weighted
        row["count"] = self.count
        return row


@dataclass
class Totals:
    """Run-wide sample counts by outcome."""

    samples: int = 0
    scored: int = 0
    correct: int = 0
    partial: int = 0
    incorrect: int = 0
    excluded: int = 0
    errors: int = 0

    def to_dict(self) -> dict[str, int]:
        """JSON-plain form."""
        return {
            "samples": self.samples, "scored": self.scored, "correct": self.correct, "partial": self.partial,
            "incorrect": self.incorrect, "excluded": self.excluded, "errors": self.errors,
        }


@dataclass
class Report:
    """All five levels, the index row and run totals."""

    levels: dict[str, list[LevelRow]]
    index: LevelRow | None
    totals: Totals = field(default_factory=Totals)
    compat: bool = False
    pool_subsets_by_name: bool = False  # how macro children were keyed (a comparison re-aggregates alike)
    confidence: float | None = None  # the rows' interval level, once metrics.row_ci.attach_intervals ran

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form (levels in canonical order)."""
        return {
            "compat": self.compat,
            "levels": {level: [row.to_dict() for row in self.levels.get(level, [])] for level in LEVELS},
            "index": self.index.to_dict() if self.index is not None else None,
            "totals": self.totals.to_dict(),
        }


def is_scored(result: SampleResult) -> bool:
    """Whether the sample enters averages: judged (correct, partial or incorrect) with a score."""
    return result.status in SCORED_STATUSES and result.score is not None


SCORED_STATUSES = frozenset({"correct", "partial", "incorrect"})


def aggregate(results: Sequence[SampleResult], *, compat: bool = False,
              pool_subsets_by_name: bool = False) -> Report:
    """Roll ``results`` up into the five-level :class:`Report` (see the module docstring).

    ``pool_subsets_by_name``: macro children keyed by subset name alone (the older EvalScope).
    """
    ordered = sorted(results, key=lambda r: r.ordinal)
    levels: dict[str, list[LevelRow]] = {}
    repeated = any(r.repeats for r in ordered)
    for level, columns, key_fn, child_fn in level_specs(ordered, compat=compat,
                                                        pool_subsets_by_name=pool_subsets_by_name):
        if not columns:  # compat with no category on any scored sample: EvalScope crashes here
            levels[level] = []
            continue
        levels[level] = _level_rows(level, columns, ordered, key_fn, child_fn, drop_unscored=compat,
                                    repeated=repeated)

    return Report(levels=levels, index=_index_row(levels["category_level"], compat), totals=_totals(ordered),
                  compat=compat, pool_subsets_by_name=pool_subsets_by_name)


LevelSpec = tuple[str, list[str], _KeyFn, _ChildFn | None]


def level_specs(results: Sequence[SampleResult], *, compat: bool = False,
                pool_subsets_by_name: bool = False) -> list[LevelSpec]:
    """Each level's (name, key columns, row keys of a sample, macro child of a sample): how rows group samples.

    The row keys and the macro child depend only on a sample's task type, dataset, subset, tags and
    categories, so callers may group samples by those once (``metrics.row_intervals`` does).
    """
    child = macro_child(pool_subsets_by_name)
    depth_source = [r for r in results if is_scored(r)] if compat else results
    depth = max((len(r.categories) for r in depth_source), default=0)
    if not compat:
        depth = max(depth, 1)
    category_cols = [f"category{i}" for i in range(depth)]
    return [
        ("subset_level", ["task_type", "dataset_name", "subset_name"],
         lambda r: [(r.task_type, r.dataset_name, r.subset_name)], None),
        ("dataset_level", ["task_type", "dataset_name"], lambda r: [(r.task_type, r.dataset_name)], child),
        ("task_level", ["task_type"], lambda r: [(r.task_type,)], child),
        ("tag_level", ["tags"], _compat_tags if compat else _tags, child),
        ("category_level", category_cols,
         (lambda r: _compat_category(r, depth)) if compat else (lambda r: _prefix_categories(r, depth)), child),
    ]


def macro_child(pool_subsets_by_name: bool) -> _ChildFn:
    """The macro child (stratum) of a sample: ``(dataset, subset)``, or the subset name alone (legacy)."""
    return _subset_child if pool_subsets_by_name else _dataset_subset_child


def _subset_child(result: SampleResult) -> Key:
    return (result.subset_name,)


def _dataset_subset_child(result: SampleResult) -> Key:
    return (result.dataset_name, result.subset_name)


def _compat_tags(result: SampleResult) -> list[Key]:
    return [(tag,) for tag in result.tags]


def _tags(result: SampleResult) -> list[Key]:
    return [(tag,) for tag in sorted(set(result.tags))] or [(UNTAGGED,)]


def _compat_category(result: SampleResult, depth: int) -> list[Key]:
    path = list(result.categories)
    if len(path) > depth:  # only possible for an unscored sample: no EvalScope row to count it in
        return []
    return [tuple(path + [""] * (depth - len(path)))]


def _prefix_categories(result: SampleResult, depth: int) -> list[Key]:
    path = list(result.categories) or [UNCATEGORIZED]
    return [tuple(path[:i] + [""] * (depth - i)) for i in range(1, len(path) + 1)]


def _level_rows(
    level: str,
    columns: list[str],
    results: Sequence[SampleResult],
    key_fn: _KeyFn,
    child_fn: _ChildFn | None,
    *,
    drop_unscored: bool,
    repeated: bool = False,
) -> list[LevelRow]:
    groups: dict[Key, list[SampleResult]] = {}
    for result in results:
        for key in key_fn(result):
            groups.setdefault(key, []).append(result)
    rows: list[LevelRow] = []
    for key in sorted(groups):
        members = groups[key]
        # One pass over the row's samples (rows of 10,000 samples, five levels): scored ones (is_scored), errors
        # and tokens.
        scored: list[SampleResult] = []
        errors = input_tokens = output_tokens = 0
        for r in members:
            usage = r.usage
            input_tokens += usage.input_tokens
            output_tokens += usage.output_tokens
            status = r.status
            if status in SCORED_STATUSES and r.score is not None:
                scored.append(r)
            elif status == "error":
                errors += 1
        if drop_unscored and not scored:
            continue
        micro, macro, weighted = _averages(scored, child_fn)
        rows.append(LevelRow(
            level=level,
            keys=dict(zip(columns, key)),
            micro=micro, macro=macro, weighted=weighted,
            count=len(scored),
            excluded=len(members) - len(scored) - errors,
            errors=errors,
            repeats=repeat_summary(scored, child_fn) if repeated else None,
            metrics=_metric_means(scored),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        ))
    rows.sort(key=lambda row: -row.count)  # stable: ties keep key-ascending order, as pandas does
    return rows


def _metric_means(scored: Sequence[SampleResult]) -> dict[str, dict[str, float | int]]:
    """Mean (``micro``) and sample count of every metric the row's scorers produced, by name.

    A row mixing benchmarks averages each metric over the samples that have it (ifeval's four levels, a NER
    set's precision and recall); the main metric, under its own name, matches ``micro`` where all share it.
    """
    values: dict[str, list[float]] = {}
    for result in scored:
        for name, value in (result.metrics or {}).items():
            if isinstance(value, (int, float)) and math.isfinite(value):
                values.setdefault(name, []).append(float(value))
    return {name: {"micro": round(math.fsum(v) / len(v), 4), "count": len(v)} for name, v in sorted(values.items())}


def _averages(scored: Sequence[SampleResult], child_fn: _ChildFn | None) -> tuple[float | None, float | None, float | None]:
    if not scored:
        return None, None, None
    scores: list[float] = []
    weights: list[float] = []
    weighted_scores: list[float] = []
    for r in scored:  # one pass; fsum rounds exactly, so each sum is the one of the separate passes
        weight = r.weight
        weights.append(weight)
        if r.score is not None:
            score = float(r.score)
            scores.append(score)
            weighted_scores.append(weight * score)
    micro = math.fsum(scores) / len(scores)
    total_weight = math.fsum(weights)
    if total_weight == 0.0:
        weighted = micro
    else:
        weighted = math.fsum(weighted_scores) / total_weight
    if child_fn is None:
        macro = micro
    else:
        children: dict[Key, list[float]] = {}
        for r in scored:
            children.setdefault(child_fn(r), []).append(float(r.score) if r.score is not None else 0.0)
        child_micros = [math.fsum(values) / len(values) for values in children.values()]
        macro = math.fsum(child_micros) / len(child_micros)
    return round(micro, 4), round(macro, 4), round(weighted, 4)


def _index_row(rows: list[LevelRow], compat: bool) -> LevelRow | None:
    """The category row that totals the whole run, if there is exactly one root."""
    if compat:
        # Full-path rows only: a single row is the total; several rows never are.
        return rows[0] if len(rows) == 1 else None
    roots = {next(iter(row.keys.values())) for row in rows}
    if len(roots) != 1:
        return None
    for row in rows:
        values = list(row.keys.values())
        if all(v == "" for v in values[1:]):
            return row
    return None


def _totals(results: Sequence[SampleResult]) -> Totals:
    totals = Totals(samples=len(results))
    for r in results:
        if is_scored(r):
            totals.scored += 1
            if r.status == "correct":
                totals.correct += 1
            elif r.status == "partial":
                totals.partial += 1
            else:
                totals.incorrect += 1
        elif r.status == "error":
            totals.errors += 1
        else:
            totals.excluded += 1
    return totals
