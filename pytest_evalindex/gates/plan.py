"""The gates of a run: parsed and loaded before any model call (GatePlan), evaluated over the final report (GateRun).

Code gates from ``conftest.py`` run under pytest (``plugin/gate_reports.py``) and are appended by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.gates.baseline import BaselineComparison, compare
from pytest_evalindex.gates.budget import evaluate_error_budget
from pytest_evalindex.gates.outcome import GateOutcome, baseline_gate_name
from pytest_evalindex.gates.thresholds import (
    GateSyntaxError,
    GateUsageError,
    Threshold,
    evaluate_threshold,
    parse_threshold,
)
from pytest_evalindex.metrics.aggregate import Report, aggregate
from pytest_evalindex.runs.reader import Baseline, BaselineError, load_baseline


@dataclass
class GatePlan:
    """The gates a run will evaluate, parsed and loaded before any model call."""

    thresholds: list[Threshold]
    baseline: Baseline | None


@dataclass
class GateRun:
    """Every gate's outcome, the baseline comparison, and usage errors found at evaluation time."""

    outcomes: list[GateOutcome] = field(default_factory=list)
    comparison: BaselineComparison | None = None
    usage_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[GateOutcome]:
        return [o for o in self.outcomes if not o.passed]


class GatePlanError(ValueError):
    """A gate option that cannot be used (the message names the option); a usage error before any call."""


def plan_gates(settings: Settings) -> GatePlan:
    """Parse thresholds and load the baseline now, so a typo fails before the model is called."""
    thresholds = []
    for text in settings.thresholds:
        try:
            thresholds.append(parse_threshold(text))
        except GateSyntaxError as exc:
            raise GatePlanError(f"--eval-threshold: {exc}") from None
    baseline = None
    if settings.baseline is not None:
        try:
            baseline = load_baseline(settings.baseline)
        except BaselineError as exc:
            raise GatePlanError(f"--eval-baseline: {exc}") from None
    return GatePlan(thresholds=thresholds, baseline=baseline)


def check_plan(plan: GatePlan, settings: Settings, samples: Sequence[SampleResult]) -> None:
    """Check the gates against the samples the run will score, before any model call: every threshold's
    row exists and the baseline measured the same samples. ``samples`` are placeholders (any status):
    which rows a report has, and which samples a comparison pairs, follow from the lines alone.

    Raises :class:`GatePlanError` with the message the same gate would give after the run.
    """
    if not samples or not (plan.thresholds or plan.baseline is not None):
        return
    mode = settings.compat
    report = aggregate(samples, compat=mode != "corrected", pool_subsets_by_name=mode == "evalscope-legacy")
    for threshold in plan.thresholds:
        try:
            evaluate_threshold(threshold, report)
        except GateUsageError as exc:
            raise GatePlanError(f"--eval-threshold {threshold.text!r}: {exc}") from None
    if plan.baseline is not None:
        try:
            compare(samples, plan.baseline, max_drop=settings.max_drop, allow_mismatch=settings.baseline_allow_mismatch,
                    compat=report.compat, pool_subsets_by_name=report.pool_subsets_by_name)
        except BaselineError as exc:
            raise GatePlanError(f"--eval-baseline: {exc}") from None


def evaluate_gates(plan: GatePlan, settings: Settings, report: Report, results: Sequence[SampleResult]) -> GateRun:
    """Evaluate every threshold, the error budget and the baseline gate over the final report."""
    run = GateRun()
    for threshold in plan.thresholds:
        try:
            run.outcomes.append(evaluate_threshold(threshold, report))
        except GateUsageError as exc:
            message = f"usage error: {exc}"
            run.usage_errors.append(f"--eval-threshold {threshold.text!r}: {exc}")
            run.outcomes.append(GateOutcome(name=threshold.name, passed=False, message=message))
    if settings.max_error_rate is not None or any(r.status == "error" for r in results):
        run.outcomes.append(evaluate_error_budget(results, settings.max_error_rate or 0.0))
    if plan.baseline is not None:
        try:
            run.comparison = compare(results, plan.baseline, max_drop=settings.max_drop,
                                     allow_mismatch=settings.baseline_allow_mismatch, compat=report.compat,
                                     pool_subsets_by_name=report.pool_subsets_by_name)
            run.outcomes.extend(run.comparison.outcomes)
        except BaselineError as exc:
            run.usage_errors.append(f"--eval-baseline: {exc}")
            run.outcomes.append(GateOutcome(name=baseline_gate_name(settings.max_drop), passed=False,
                                            message=f"usage error: {exc}"))
    return run



def evaluate_shard_gates(settings: Settings, results: Sequence[SampleResult]) -> GateRun:
    """A shard's gates: only the error budget (a shard's errors are its own); thresholds, the baseline and
    code gates need the whole collection and are evaluated by the merge."""
    run = GateRun()
    if settings.max_error_rate is not None or any(r.status == "error" for r in results):
        run.outcomes.append(evaluate_error_budget(results, settings.max_error_rate or 0.0))
    return run
