"""Comparison against a previous run: sample flips matched by content hash, and the max-drop gate.

Both sides' reports are recomputed with :func:`aggregate` from this run's sample metadata
(tags, weights, categories) and each side's own status and score, so the comparison never
mixes aggregation modes or metadata versions; only the answers differ between the two sides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

from pytest_evalindex.core.results import SampleResult, Status
from pytest_evalindex.core.text import sanitize
from pytest_evalindex.gates.outcome import GateOutcome, baseline_gate_name, format_value
from pytest_evalindex.metrics.aggregate import LEVELS, SCORED_STATUSES, Report, aggregate, is_scored
from pytest_evalindex.runs.reader import Baseline, BaselineError, BaselineSample

ALLOW_MISMATCH_OPTION = "--eval-baseline-allow-mismatch"
_STATUSES: frozenset[str] = frozenset(get_args(Status))
_METRICS = (("micro_avg", "micro"), ("macro_avg", "macro"), ("weighted_avg", "weighted"))
_MAX_FLIP_DETAILS = 50

#: A sample's identity across runs: its content hash and, for repeated content, its occurrence number.
SampleKey = tuple[str, int]


@dataclass(frozen=True)
class Flip:
    """A sample whose verdict changed between the baseline and this run."""

    node_id: str
    sample_hash: str
    dataset_name: str
    subset_name: str
    baseline_status: str
    current_status: str
    baseline_extracted: str | None
    current_extracted: str | None

    def describe(self) -> str:
        """One line: ``node_id (dataset/subset): correct -> incorrect, answer 'A' -> 'B'``."""
        return sanitize(
            f"{self.node_id} ({self.dataset_name}/{self.subset_name}): {self.baseline_status} -> "
            f"{self.current_status}, answer {_answer(self.baseline_extracted)} -> {_answer(self.current_extracted)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RowDrop:
    """A row metric that is lower in this run than in the baseline."""

    level: str
    row: str
    metric: str
    baseline: float
    current: float

    @property
    def drop(self) -> float:
        """``baseline - current``, rounded like the values themselves."""
        return round(self.baseline - self.current, 4)

    def describe(self) -> str:
        """One line: ``category_level reasoning_index weighted_avg 0.4 -> 0.3556 (drop 0.0444)``."""
        return sanitize(f"{self.level} {self.row} {self.metric} {format_value(self.baseline)} -> "
                        f"{format_value(self.current)} (drop {format_value(self.drop)})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form."""
        return {"level": self.level, "row": self.row, "metric": self.metric, "baseline": self.baseline,
                "current": self.current, "drop": self.drop}


@dataclass
class BaselineComparison:
    """This run against a baseline, over the samples both runs hold."""

    baseline: Baseline
    current_report: Report
    baseline_report: Report
    regressions: list[Flip]
    improvements: list[Flip]
    drops: list[RowDrop]
    outcomes: list[GateOutcome]
    common: int
    only_current: int = 0
    only_baseline: int = 0
    max_drop: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form (the two recomputed reports are left out)."""
        return {
            "baseline": str(self.baseline.path), "baseline_model": self.baseline.model,
            "common": self.common, "only_current": self.only_current, "only_baseline": self.only_baseline,
            "max_drop": self.max_drop,
            "regressions": [f.to_dict() for f in self.regressions],
            "improvements": [f.to_dict() for f in self.improvements],
            "drops": [d.to_dict() for d in self.drops],
            "gates": [o.to_dict() for o in self.outcomes],
        }


def compare(
    current_results: Sequence[SampleResult],
    baseline: Baseline,
    *,
    max_drop: float,
    allow_mismatch: bool,
    compat: bool,
    pool_subsets_by_name: bool = False,
) -> BaselineComparison:
    """Compare this run with ``baseline`` sample by sample (by content hash, never by position).

    Raises :class:`BaselineError` when the two runs hold different samples, unless
    ``allow_mismatch``, in which case only the common samples are compared.
    """
    if max_drop < 0:
        raise ValueError(f"max drop must be >= 0, got {max_drop}")
    current = _keyed(current_results, lambda r: r.sample_hash, lambda r: r.node_id)
    previous = _keyed(baseline.samples, lambda s: s.sample_hash, lambda s: s.node_id)
    only_current = current.keys() - previous.keys()
    only_baseline = previous.keys() - current.keys()
    common_keys = current.keys() & previous.keys()
    if (only_current or only_baseline) and not allow_mismatch:
        raise BaselineError(
            f"baseline {baseline.path} holds different samples: {len(only_current)} only in this run, "
            f"{len(only_baseline)} only in the baseline, {len(common_keys)} in both; pass "
            f"{ALLOW_MISMATCH_OPTION} to compare the common samples")
    if not common_keys:
        raise BaselineError(f"baseline {baseline.path} has no sample in common with this run")

    ordered = sorted(common_keys, key=lambda k: current[k].ordinal)
    now = [current[k] for k in ordered]
    then = [dataclasses.replace(current[k], status=previous[k].status, score=previous[k].score,
                                extracted=previous[k].extracted, error=None) for k in ordered]
    current_report = aggregate(now, compat=compat, pool_subsets_by_name=pool_subsets_by_name)
    baseline_report = aggregate(then, compat=compat, pool_subsets_by_name=pool_subsets_by_name)

    regressions: list[Flip] = []
    improvements: list[Flip] = []
    for key in ordered:
        was, now_result = previous[key], current[key]
        # A flip is a scored sample whose score moved (correct → incorrect, and graded scores up or down).
        if was.score is None or now_result.score is None or was.status not in SCORED_STATUSES or not is_scored(now_result):
            continue
        if now_result.score < was.score:
            regressions.append(_flip(was, now_result))
        elif now_result.score > was.score:
            improvements.append(_flip(was, now_result))

    drops = _drops(baseline_report, current_report)
    comparison = BaselineComparison(
        baseline=baseline, current_report=current_report, baseline_report=baseline_report,
        regressions=regressions, improvements=improvements, drops=drops, outcomes=[],
        common=len(common_keys), only_current=len(only_current), only_baseline=len(only_baseline),
        max_drop=max_drop,
    )
    comparison.outcomes.append(_max_drop_gate(comparison))
    return comparison


def _keyed(items: Sequence[Any], hash_of: Any, node_of: Any) -> dict[SampleKey, Any]:
    """Items keyed by (hash, occurrence): identical content appearing twice is paired in node-id order."""
    by_hash: dict[str, list[Any]] = {}
    for item in items:
        by_hash.setdefault(hash_of(item), []).append(item)
    keyed: dict[SampleKey, Any] = {}
    for sample_hash, group in by_hash.items():
        for occurrence, item in enumerate(sorted(group, key=node_of)):
            keyed[(sample_hash, occurrence)] = item
    return keyed


def _flip(was: BaselineSample, now: SampleResult) -> Flip:
    return Flip(node_id=now.node_id, sample_hash=now.sample_hash, dataset_name=now.dataset_name,
                subset_name=now.subset_name, baseline_status=was.status, current_status=now.status,
                baseline_extracted=was.extracted, current_extracted=now.extracted)


def _drops(baseline_report: Report, current_report: Report) -> list[RowDrop]:
    """Every (level, row, metric) lower now than in the baseline, rows present in both reports."""
    drops: list[RowDrop] = []
    for level in LEVELS:
        before = {row.name: row for row in baseline_report.levels.get(level, [])}
        for row in current_report.levels.get(level, []):
            old = before.get(row.name)
            if old is None:
                continue
            # subset rows show only micro (their macro is the micro)
            metrics = _METRICS[:1] if level == "subset_level" else _METRICS
            for metric, attribute in metrics:
                was, now = getattr(old, attribute), getattr(row, attribute)
                if was is not None and now is not None and round(was - now, 4) > 0:
                    drops.append(RowDrop(level, row.name, metric, was, now))
    return drops


def _max_drop_gate(comparison: BaselineComparison) -> GateOutcome:
    limit = comparison.max_drop
    name = baseline_gate_name(limit)
    too_big = [d for d in comparison.drops if d.drop > limit]
    worst = max(comparison.drops, key=lambda d: d.drop, default=None)
    flips = f"{len(comparison.regressions)} regressed, {len(comparison.improvements)} improved"
    scope = f"{comparison.common} common samples"
    if too_big and worst is not None:
        message = (f"{len(too_big)} row metrics dropped more than {format(limit, 'g')}; worst "
                   f"{worst.describe()}; {flips} of {scope}")
    elif worst is not None:
        message = f"no row dropped more than {format(limit, 'g')} (largest {worst.describe()}); {flips} of {scope}"
    else:
        message = f"no row dropped; {flips} of {scope}"
    details = [f"{'dropped' if d.drop > limit else 'lower (within limit)'}: {d.describe()}"
               for d in sorted(comparison.drops, key=lambda d: -d.drop)]
    flip_lines = ([f"regressed: {f.describe()}" for f in comparison.regressions]
                  + [f"improved: {f.describe()}" for f in comparison.improvements])
    if len(flip_lines) > _MAX_FLIP_DETAILS:
        flip_lines = flip_lines[:_MAX_FLIP_DETAILS] + [f"... and {len(flip_lines) - _MAX_FLIP_DETAILS} more flips"]
    return GateOutcome(name=name, passed=not too_big, message=sanitize(message), details=details + flip_lines,
                       value=worst.drop if worst is not None else 0.0, limit=limit)


def _answer(extracted: str | None) -> str:
    return "(none)" if extracted is None else repr(extracted)

