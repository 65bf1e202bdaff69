"""Comparison against a previous run: sample flips matched by content hash, the paired test of every row, the gate.

Both sides' reports are recomputed with :func:`aggregate` from this run's sample metadata
(tags, weights, categories) and each side's own status and score, so the comparison never
mixes aggregation modes or metadata versions; only the answers differ between the two sides.

The regression gate has two rules. With ``alpha`` (the default whenever ``--eval-max-drop`` is not
given alone) a row fails only when its paired drop is larger than ``max_drop`` *and* significant at
``alpha`` after Holm's correction over every distinct row test; with ``alpha=None`` any drop larger
than ``max_drop`` fails, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from pytest_evalindex.core.results import SampleResult, Status
from pytest_evalindex.core.text import sanitize
from pytest_evalindex.gates.outcome import GateOutcome, baseline_gate_name, format_value
from pytest_evalindex.metrics.aggregate import LEVELS, SCORED_STATUSES, Report, aggregate, is_scored
from pytest_evalindex.metrics.paired_rows import PairedRow, paired_rows
from pytest_evalindex.metrics.row_ci import interval_text
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
    alpha: float | None = None  # None: the plain max-drop rule
    paired: list[PairedRow] = field(default_factory=list)
    confidence: float = 0.95

    @property
    def tests(self) -> int:
        """How many distinct paired tests Holm's correction ran over."""
        return len({p.test for p in self.paired})

    def significant(self, alpha: float | None = None) -> list[PairedRow]:
        """Rows whose drop is significant at ``alpha`` (the gate's, else 0.05) after Holm, largest drop first."""
        level = alpha if alpha is not None else (self.alpha if self.alpha is not None else 0.05)
        return sorted((p for p in self.paired if p.drop > 0 and p.p_holm <= level), key=lambda p: -p.drop)

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form (the two recomputed reports are left out)."""
        return {
            "baseline": str(self.baseline.path), "baseline_model": self.baseline.model,
            "common": self.common, "only_current": self.only_current, "only_baseline": self.only_baseline,
            "max_drop": self.max_drop, "alpha": self.alpha,
            "rule": "max_drop" if self.alpha is None else "max_drop_and_significant",
            "confidence": self.confidence, "tests": self.tests,
            "regressions": [f.to_dict() for f in self.regressions],
            "improvements": [f.to_dict() for f in self.improvements],
            "drops": [d.to_dict() for d in self.drops],
            "paired": [p.to_dict() for p in self.paired],
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
    alpha: float | None = None,
    confidence: float = 0.95,
    seed: int = 0,
    paired: bool = True,
) -> BaselineComparison:
    """Compare this run with ``baseline`` sample by sample (by content hash, never by position).

    ``alpha``: the gate fails only on a drop larger than ``max_drop`` that is significant at ``alpha``
    (paired tests, Holm); None keeps the plain rule (any drop larger than ``max_drop`` fails).
    ``paired=False`` skips the paired tests (a check of the samples before the run needs only the pairing).

    Raises :class:`BaselineError` when the two runs hold different samples, unless
    ``allow_mismatch``, in which case only the common samples are compared.
    """
    if max_drop < 0 or (alpha is not None and not 0.0 < alpha < 1.0):
        raise ValueError(f"need max drop >= 0 and alpha in (0, 1), got {max_drop}, {alpha}")
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
        max_drop=max_drop, alpha=alpha, confidence=confidence,
        paired=paired_rows(now, then, compat=compat, pool_subsets_by_name=pool_subsets_by_name,
                           confidence=confidence, seed=seed) if paired else [],
    )
    comparison.outcomes.append(_max_drop_gate(comparison) if alpha is None else _significance_gate(comparison))
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
    flip_lines = _flip_lines(comparison)
    return GateOutcome(name=name, passed=not too_big, message=sanitize(message), details=flip_lines + details,
                       value=worst.drop if worst is not None else 0.0, limit=limit)


def _significance_gate(comparison: BaselineComparison) -> GateOutcome:
    """Fail on rows whose paired drop is larger than max_drop and significant at alpha after Holm."""
    limit, alpha = comparison.max_drop, comparison.alpha
    assert alpha is not None
    name = baseline_gate_name(limit, alpha)
    significant = comparison.significant()
    failing = [p for p in significant if p.drop > limit]
    flips = f"{len(comparison.regressions)} regressed, {len(comparison.improvements)} improved"
    scope = f"{comparison.common} common samples"
    rule = f"alpha {format(alpha, 'g')}, Holm over {comparison.tests} tests"
    if failing:
        message = (f"{len(failing)} row metrics dropped by more than {format(limit, 'g')}, significantly "
                   f"({rule}); worst {describe_paired(failing[0])}; {flips} of {scope}")
    else:
        drops = sorted((p for p in comparison.paired if p.drop > 0), key=lambda p: p.p_holm)
        closest = f" (closest {describe_paired(drops[0])})" if drops else ""
        message = (f"no significant drop larger than {format(limit, 'g')} ({rule}){closest}; "
                   f"{flips} of {scope}")
    details = _flip_lines(comparison) + [
        f"{'dropped' if p.drop > limit else 'significant, within limit'}: {describe_paired(p)}" for p in significant]
    worst = failing[0].drop if failing else max((p.drop for p in comparison.paired), default=0.0)
    return GateOutcome(name=name, passed=not failing, message=sanitize(message), details=details,
                       value=round(worst, 4), limit=limit,
                       stats={"alpha": alpha, "tests": comparison.tests, "significant": len(significant)})


def describe_paired(p: PairedRow) -> str:
    """``category_level reasoning_index weighted_avg 0.4 -> 0.3556 (diff -0.0444, 95% CI [...], p 0.5, Holm 1.0)``."""
    r = p.result
    return sanitize(f"{p.level} {p.row} {p.metric} {format_value(p.baseline)} -> {format_value(p.current)} "
                    f"(diff {format_value(r.diff)}, {interval_text(r.interval.lo, r.interval.hi, r.confidence)}, "
                    f"p {_p(r.p_drop)}, Holm {_p(p.p_holm)}, {r.method})")


def _p(value: float) -> str:
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def _flip_lines(comparison: BaselineComparison) -> list[str]:
    lines = ([f"regressed: {f.describe()}" for f in comparison.regressions]
             + [f"improved: {f.describe()}" for f in comparison.improvements])
    if len(lines) > _MAX_FLIP_DETAILS:
        lines = lines[:_MAX_FLIP_DETAILS] + [f"... and {len(lines) - _MAX_FLIP_DETAILS} more flips"]
    return lines


def summary_lines(comparison: BaselineComparison) -> list[str]:
    """The terminal's baseline section: flipped samples, then significant drops, then one line for the rest."""
    alpha = comparison.alpha if comparison.alpha is not None else 0.05
    lines = [sanitize(f"baseline {comparison.baseline.path} (model {comparison.baseline.model or '?'}): "
                      f"{comparison.common} common samples, {len(comparison.regressions)} regressed, "
                      f"{len(comparison.improvements)} improved")]
    lines += _flip_lines(comparison)
    significant = comparison.significant(alpha)
    lines.append(f"significant drops (one-sided, alpha {format(alpha, 'g')}, Holm over {comparison.tests} "
                 f"tests): {len(significant) or 'none'}")
    lines += [f"  {describe_paired(p)}" for p in significant[:_MAX_FLIP_DETAILS]]
    rest = len(comparison.paired) - len(significant)
    if rest:
        lines.append(f"{rest} other row metrics: no significant drop (all in evalindex_report.json "
                     "baseline_comparison.paired)")
    return lines


def _answer(extracted: str | None) -> str:
    return "(none)" if extracted is None else repr(extracted)

