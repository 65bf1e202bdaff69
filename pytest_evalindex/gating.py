"""Gates as test results: evaluate every gate of a run and report each as one synthetic test.

Thresholds, the error budget, the baseline regression gate and ``conftest.py`` code gates all
become ``TestReport`` objects sent through pytest's own ``pytest_runtest_logreport`` hook, so they
show in the terminal, in ``-ra``, in ``--junitxml`` and in the exit code, with ``-n0`` and ``-nW``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _pytest._code.code import ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

from pytest_evalindex.aggregate import Report
from pytest_evalindex.baseline import Baseline, BaselineComparison, BaselineError, compare, load_baseline
from pytest_evalindex.code_gates import CodeGateOutcome, run_code_gates
from pytest_evalindex.gates import (
    GateOutcome,
    GateSyntaxError,
    GateUsageError,
    Threshold,
    evaluate_error_budget,
    evaluate_threshold,
    parse_threshold,
)
from pytest_evalindex.options import Settings
from pytest_evalindex.results import SampleResult
from pytest_evalindex.textsafe import visible

GATE_FILE = "evalindex"


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


def plan_gates(settings: Settings) -> GatePlan:
    """Parse thresholds and load the baseline now, so a typo fails before the model is called."""
    thresholds = []
    for text in settings.thresholds:
        try:
            thresholds.append(parse_threshold(text))
        except GateSyntaxError as exc:
            raise pytest.UsageError(f"--eval-threshold: {exc}") from None
    baseline = None
    if settings.baseline is not None:
        try:
            baseline = load_baseline(settings.baseline)
        except BaselineError as exc:
            raise pytest.UsageError(f"--eval-baseline: {exc}") from None
    return GatePlan(thresholds=thresholds, baseline=baseline)


def evaluate_gates(plan: GatePlan, settings: Settings, report: Report, results: Sequence[SampleResult]) -> GateRun:
    """Evaluate every gate over the final report."""
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
            run.outcomes.append(GateOutcome(name=f"gate[baseline:max_drop<={settings.max_drop}]", passed=False,
                                            message=f"usage error: {exc}"))
    run.outcomes.extend(run_code_gates(report, results))
    return run


class GateFailureRepr(TerminalRepr):
    """Failure text of a gate: a one-line message (shown by ``-ra`` and JUnit) and detail lines."""

    def __init__(self, message: str, lines: Sequence[str]) -> None:
        self.reprcrash = ReprFileLocation(GATE_FILE, 0, message)
        self.lines = list(lines)

    def toterminal(self, tw: TerminalWriter) -> None:
        for line in self.lines:
            tw.line(line)


def gate_report(outcome: GateOutcome) -> pytest.TestReport:
    """The synthetic test report of one gate."""
    nodeid = f"{GATE_FILE}::{outcome.name}"
    properties = [("gate_value", "" if outcome.value is None else str(outcome.value)),
                  ("gate_limit", "" if outcome.limit is None else str(outcome.limit)),
                  ("gate_message", outcome.message)]
    skipped = isinstance(outcome, CodeGateOutcome) and outcome.skipped
    longrepr: object = None
    result = "passed"
    if skipped:
        result, longrepr = "skipped", (GATE_FILE, 0, outcome.message)
    elif not outcome.passed:
        result = "failed"
        text = outcome.longrepr if isinstance(outcome, CodeGateOutcome) and outcome.longrepr else ""
        lines = [visible(outcome.message)] + [visible(d) for d in outcome.details]
        if text:
            lines = text.splitlines()
        longrepr = GateFailureRepr(visible(outcome.message), lines)
    return pytest.TestReport(nodeid=nodeid, location=(GATE_FILE, None, outcome.name), keywords={outcome.name: 1},
                             outcome=result, longrepr=longrepr, when="call",  # type: ignore[arg-type]
                             sections=[], duration=0.0, start=0.0, stop=0.0, user_properties=properties)


def emit_gate_reports(config: pytest.Config, outcomes: Sequence[GateOutcome]) -> None:
    """Send each gate through pytest's reporting hooks, like a test that just ran."""
    hook = config.hook
    for outcome in outcomes:
        report = gate_report(outcome)
        hook.pytest_runtest_logstart(nodeid=report.nodeid, location=report.location)
        hook.pytest_runtest_logreport(report=report)
        hook.pytest_runtest_logfinish(nodeid=report.nodeid, location=report.location)


def gate_summary_lines(run: GateRun) -> list[str]:
    """One terminal line per gate: PASSED/FAILED, name, measured value against the limit."""
    lines = []
    for outcome in run.outcomes:
        skipped = isinstance(outcome, CodeGateOutcome) and outcome.skipped
        status = "SKIPPED" if skipped else ("PASSED" if outcome.passed else "FAILED")
        lines.append(f"{status} {outcome.name}: {visible(outcome.message, keep_newlines=False)}")
    return lines


def write_markdown(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append, for ``$GITHUB_STEP_SUMMARY``) the Markdown summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w", encoding="utf-8") as f:
        f.write(text if text.endswith("\n") else text + "\n")
