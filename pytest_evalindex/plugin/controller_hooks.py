"""Hooks of the process that gathers results (the only process, or the xdist controller): it feeds
reports to the :class:`~pytest_evalindex.plugin.controller.Controller`, finishes the run (report, gates,
outputs) and prints the summary."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import pytest

from pytest_evalindex.core.results import REPORT_ATTRIBUTE
from pytest_evalindex.core.secrets import REGISTRY
from pytest_evalindex.core.text import sanitize, shorten, visible
from pytest_evalindex.gates.baseline import summary_lines
from pytest_evalindex.plugin import progress
from pytest_evalindex.plugin.collect import SampleItem
from pytest_evalindex.plugin.controller import Controller
from pytest_evalindex.plugin.gate_reports import emit_gate_reports, gate_summary_lines
from pytest_evalindex.plugin.keys import COUNTERS_KEY, SELECTION_KEY, runtime_key
from pytest_evalindex.plugin.precheck import check_before_calls
from pytest_evalindex.plugin.pytest_private import mark_last_failed
from pytest_evalindex.render.tables import index_line
from pytest_evalindex.runs.shards import GATES_NOTE

# Samples recorded in pytest's last-failed cache although they passed: --lf / --ff rerun them.
RERUN_STATUSES = frozenset({"incorrect", "partial", "excluded"})

# What a kept report still needs (its test status), one shared dict per status.
_STATUS_ONLY = {status: {"status": status} for status in ("correct", "partial", "incorrect", "excluded", "error")}


class ControllerHooks:
    """Hooks that only the result-gathering process runs (single process, or the xdist controller)."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.collection_failed = False
        self.worker_selection: list[int] | None = None  # [collected, deselected] from an xdist worker

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.controller.add_report(report)
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if isinstance(data, dict) and not report.failed and data.get("status") in RERUN_STATUSES:  # skipped: JUnit
            # What the model got wrong is what `--lf` should rerun, though it passed (no --eval-strict).
            mark_last_failed(self.controller.config, report)
        if isinstance(data, dict):
            # Reports are kept until the end of the run; the controller now holds the result.
            setattr(report, REPORT_ATTRIBUTE, _STATUS_ONLY.get(str(data.get("status")), {}))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        samples = [item for item in session.items if isinstance(item, SampleItem)]
        self.controller.expected = len(samples)
        self.controller.entries = {item.nodeid: item.entry for item in samples}
        settings = self.controller.settings
        if not self.collection_failed and (settings.allow_partial
                                           or not session.config.stash[runtime_key].samples_deselected):
            # Before the first request: the gates that will judge exactly these samples must apply to them.
            check_before_calls(self.controller.gate_plan, settings,
                               ((item.nodeid, str(item.path), item.entry) for item in samples))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.controller.expected = sum(".jsonl::" in nodeid.lower() for nodeid in ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {})
        counters = output.get(COUNTERS_KEY)
        if counters:
            self.controller.process_counters[str(node.gateway.id)] = counters
        if isinstance(output.get(SELECTION_KEY), list):
            self.worker_selection = output[SELECTION_KEY]  # every worker collects and deselects the same

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        controller = self.controller
        started = time.perf_counter()
        progress.install(session)
        try:
            outcome = yield
        except BaseException as exc:
            controller.interrupted = f"{type(exc).__name__}: {exc}".strip(": ")
            self._finish(session, started, raised=True)
            raise
        self._finish(session, started, raised=False)
        return outcome

    def _finish(self, session: pytest.Session, started: float, *, raised: bool) -> None:
        controller = self.controller
        controller.loop_seconds = time.perf_counter() - started
        if session.shouldstop and controller.interrupted is None:
            controller.interrupted = str(session.shouldstop)
        runtime = session.config.stash[runtime_key]
        if runtime.counters is not None:
            controller.process_counters["main"] = runtime.counters
        self._note_selection(runtime.samples_collected, runtime.samples_deselected, runtime.samples_in_collection,
                             raised)
        # A run stopped early (-x, --maxfail) whose every sample still got a result is whole: it is gated.
        controller.finish(evaluate_gates=not raised and controller.no_verdict_line() is None)
        gates = controller.gates
        if gates is None:
            return
        emit_gate_reports(session.config, gates.outcomes)
        errors = sum(result.status == "error" for result in controller.results.values())
        budget = next((o for o in gates.outcomes if o.name.startswith("gate[error_rate")), None)
        if errors and budget is not None and budget.passed:
            # Within the error budget, erroring samples are shown (E) but do not fail the run.
            session.testsfailed = max(0, session.testsfailed - errors)

    def _note_selection(self, collected: int, deselected: int, in_collection: int, raised: bool) -> None:
        """What part of the collection ran, and why not all of it (-k, -m, --lf, a collection error, -x)."""
        controller = self.controller
        controller.results_for_unreported()  # a crashed worker's sample is an error result, not a missing one
        if self.worker_selection is not None:  # under xdist this process collects nothing
            collected, deselected, in_collection = self.worker_selection
        controller.total = collected
        controller.collection_samples = in_collection
        if deselected:
            controller.partial_reasons.append(f"{deselected} deselected by -k, -m, --lf or --deselect")
        if self.collection_failed:
            controller.partial_reasons.append("a collection error")
        missing = controller.expected is not None and len(controller.results) < controller.expected
        if missing or raised:  # under xdist, -x ends the loop with an exception even when every sample ran
            controller.partial_reasons.append(controller.interrupted or "stopped before every sample ran")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_failed = True

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        gates = self.controller.gates
        if gates is not None and gates.usage_errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        elif self.controller.no_verdict_line() is not None and self.controller.results:
            session.exitstatus = pytest.ExitCode.INTERRUPTED  # no verdict: neither a pass nor a failed model
        elif self.collection_failed and session.exitstatus == pytest.ExitCode.TESTS_FAILED:
            # A bad collection line must not read as a failed model: -n0 stops with exit 2 (pytest's
            # "errors during collection"), but under xdist the controller only counts the workers'
            # collection errors as failures (exit 1). Make both exit 2.
            session.exitstatus = pytest.ExitCode.INTERRUPTED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        controller = self.controller
        if controller.nothing_answered is not None:
            terminalreporter.write_line(controller.nothing_answered, yellow=True)
        if controller.tables is None:
            return
        terminalreporter.write_sep("=", "evalindex report")
        terminalreporter.write_line(REGISTRY.scrub(controller.tables))
        if controller.report is not None and (line := index_line(controller.report)) is not None:
            terminalreporter.write_line(REGISTRY.scrub(visible(line, keep_newlines=False)), bold=True)
        for note in controller.interval_notes.lines():  # names rows: collection text, shown escaped
            terminalreporter.write_line(REGISTRY.scrub(visible(note, keep_newlines=False)), yellow=True)
        if controller.gates is not None and controller.gates.outcomes:
            terminalreporter.write_sep("-", "evalindex gates")
            for gate_line in gate_summary_lines(controller.gates):
                terminalreporter.write_line(REGISTRY.scrub(visible(gate_line, keep_newlines=False)), green=gate_line.startswith("PASSED"),
                                            red=gate_line.startswith("FAILED"))
            for usage_error in controller.gates.usage_errors:
                terminalreporter.write_line(REGISTRY.scrub(f"ERROR: {usage_error}"), red=True)
        if controller.shard is not None:
            terminalreporter.write_line(f"evalindex: {controller.shard.describe()}: {GATES_NOTE}")
        if controller.gates is not None and controller.gates.comparison is not None:
            terminalreporter.write_sep("-", "evalindex baseline")
            for baseline_line in summary_lines(controller.gates.comparison):
                terminalreporter.write_line(REGISTRY.scrub(visible(baseline_line, keep_newlines=False)))
        if _wants_incorrect(terminalreporter.config):
            lines = incorrect_lines(controller)
            if lines:
                terminalreporter.write_sep("-", "evalindex incorrect samples")
                for text in lines:
                    terminalreporter.write_line(REGISTRY.scrub(text))
        line = controller.concurrency_line()
        if line:
            terminalreporter.write_line(REGISTRY.scrub(line))
        for warning in controller.warnings():
            terminalreporter.write_line(f"evalindex: {warning}", red=True, bold=True)
        for persistence_line in controller.persistence_lines():
            terminalreporter.write_line(REGISTRY.scrub(visible(persistence_line, keep_newlines=False)), yellow=True)
        if controller.incomplete:
            terminalreporter.write_line(visible(
                f"evalindex: INCOMPLETE — {len(controller.results)} of {controller.expected} samples have a result"
                + (f" ({controller.interrupted})" if controller.interrupted else ""), keep_newlines=False), yellow=True)
        no_verdict = controller.no_verdict_line()
        if no_verdict is not None:
            terminalreporter.write_line(REGISTRY.scrub(visible(no_verdict, keep_newlines=False)), yellow=True)
        elif controller.partial:
            terminalreporter.write_line(
                f"evalindex: PARTIAL — gated on the {len(controller.results)} of {controller.total} samples that ran "
                f"(--eval-allow-partial; {'; '.join(controller.partial_reasons)})", yellow=True)
        if controller.run_dir is not None:
            terminalreporter.write_line(f"evalindex outputs: {controller.run_dir}")
        if controller.html_report is not None:
            terminalreporter.write_line(f"evalindex HTML report: {controller.html_report}")
        elif controller.html_error is not None:
            terminalreporter.write_line(f"evalindex: the HTML report could not be written ({controller.html_error})",
                                        yellow=True)


MAX_INCORRECT_LINES = 100


def _wants_incorrect(config: pytest.Config) -> bool:
    """``-ra``, ``-rA`` or ``-ri`` (pytest expands ``a``, so the raw option is read), or ``-v``."""
    raw = str(getattr(config.option, "reportchars", "") or "")
    return any(char in raw for char in "aAi") or config.get_verbosity() > 0


def incorrect_lines(controller: Controller) -> list[str]:
    """One line per incorrect or partial sample: its node id, the target and what the scorer extracted."""
    lines = []
    chosen = [r for r in controller.ordered_results() if r.status in ("incorrect", "partial")]
    for result in chosen[:MAX_INCORRECT_LINES]:
        target = controller.targets.get(result.node_id)
        extracted = "(nothing)" if result.extracted is None else repr(shorten(sanitize(result.extracted), 80))
        target_text = "?" if target is None else repr(shorten(sanitize(target), 80))
        lines.append(f"{result.status.upper()} {sanitize(result.node_id)} - target {target_text}, "
                     f"extracted {extracted}" + (f", score {result.score}" if result.status == "partial" else ""))
    if len(chosen) > MAX_INCORRECT_LINES:
        where = controller.html_report or "the run's reports/report.html"
        lines.append(f"… and {len(chosen) - MAX_INCORRECT_LINES} more (every sample is in {where})")
    return lines
