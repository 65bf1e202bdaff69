"""Gates under pytest: code gates run with pytest's failure text, and every gate sent through pytest's reporting hooks as a synthetic test."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pytest import ExceptionInfo

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.text import sanitize, visible
from pytest_evalindex.gates.code import (
    CodeGate,
    CodeGateOutcome,
    ReportView,
    registered_gates,
)
from pytest_evalindex.gates.outcome import GateOutcome
from pytest_evalindex.gates.plan import GateRun
from pytest_evalindex.metrics.aggregate import Report
from pytest_evalindex.plugin.pytest_private import (
    ReprFileLocation,
    TerminalRepr,
    TerminalWriter,
)
from pytest_evalindex.plugin.secret_sinks import scrub_report


def run_code_gates(report: Report, results: Sequence[SampleResult]) -> list[CodeGateOutcome]:
    """Run every registered gate on ``report``; each gets its own :class:`ReportView`."""
    return [run_code_gate(registered, report, results) for registered in registered_gates()]


def run_code_gate(registered: CodeGate, report: Report, results: Sequence[SampleResult]) -> CodeGateOutcome:
    """Run one gate, turning its failure into an outcome carrying pytest's failure text."""
    name = registered.test_name
    try:
        returned = registered.function(ReportView(report, results))
    except pytest.skip.Exception as exc:
        return CodeGateOutcome(name, True, sanitize(f"skipped: {_first_line(exc.msg or '')}"), skipped=True)
    except (Exception, pytest.fail.Exception) as exc:
        info = ExceptionInfo.from_exception(exc)
        info.traceback = info.traceback[1:]  # drop this frame: start at the gate function
        longrepr = str(info.getrepr(style="short", chain=True))
        return CodeGateOutcome(name, False, sanitize(_message(exc, info)), longrepr.splitlines(), longrepr=longrepr)
    if returned is False:
        return CodeGateOutcome(name, False, "returned False")
    return CodeGateOutcome(name, True, "passed")


def _message(exc: BaseException, info: ExceptionInfo[BaseException]) -> str:
    if isinstance(exc, pytest.fail.Exception):
        return _first_line(exc.msg or "") or "failed"
    # KeyError's str() is the repr of its argument; show the message itself
    raw = exc.args[0] if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    text = _first_line(raw)
    if isinstance(exc, AssertionError):
        if text:
            return text
        # not rewritten (the gate lives outside a conftest/test module): show the failing statement
        statement = _statement(info)
        return f"failed: {statement}" if statement else "assertion failed"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _statement(info: ExceptionInfo[BaseException]) -> str:
    """The first line of the statement that raised, when its source is available."""
    if not len(info.traceback):
        return ""
    entry = info.traceback[-1]
    if entry.frame.code.fullsource is None:
        return ""
    return _first_line(str(entry.statement))


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


GATE_FILE = "evalindex"
GATE_NODE_PREFIX = f"{GATE_FILE}::"


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
    """Send each gate's report through pytest's reporting hooks (JUnit, ``-ra``, the exit code, the summary line).

    No ``logstart``/``logfinish``: the gates run after the samples' progress line is complete, and their own
    section shows them, so the terminal starts no ``evalindex`` progress line for them.
    """
    hook = config.hook
    for outcome in outcomes:
        report = gate_report(outcome)
        scrub_report(report)  # a code gate's failure text may quote anything
        hook.pytest_runtest_logreport(report=report)


def gate_summary_lines(run: GateRun) -> list[str]:
    """One terminal line per gate: PASSED/FAILED, name, measured value against the limit."""
    lines = []
    for outcome in run.outcomes:
        skipped = isinstance(outcome, CodeGateOutcome) and outcome.skipped
        status = "SKIPPED" if skipped else ("PASSED" if outcome.passed else "FAILED")
        lines.append(f"{status} {outcome.name}: {visible(outcome.message, keep_newlines=False)}")
        lines.extend(f"  warning: {visible(w, keep_newlines=False)}" for w in outcome.warnings)
    return lines
