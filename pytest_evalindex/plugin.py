"""pytest hooks of pytest-evalindex: options, collection entry, per-process runtime, controller.

Everything else lives in modules without pytest in them; this file only wires them to pytest.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.collect import EvalFile, SampleItem
from pytest_evalindex.completion import ModelCallError
from pytest_evalindex.controller import Controller
from pytest_evalindex.dataset import CollectionError, resolve_collection_paths
from pytest_evalindex.gating import emit_gate_reports, gate_summary_lines, plan_gates
from pytest_evalindex.keys import controller_key, runtime_key
from pytest_evalindex.options import Settings, add_options, resolve_settings
from pytest_evalindex.results import REPORT_ATTRIBUTE
from pytest_evalindex.runtime import Runtime

_targets_key = pytest.StashKey[set[Path]]()
_mock_key = pytest.StashKey[Any]()
_dist_chosen_key = pytest.StashKey[bool]()
WORKER_URL_KEY = "evalindex_api_url"
WORKER_MODEL_KEY = "evalindex_model"
COUNTERS_KEY = "evalindex_counters"
# What a kept report still needs (its test status), one shared dict per status.
_STATUS_ONLY = {status: {"status": status} for status in ("correct", "incorrect", "excluded", "error")}


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = resolve_settings(config)
    try:
        collection_files = resolve_collection_paths(settings.collections)
    except CollectionError as exc:
        raise pytest.UsageError(f"--eval-collection: {exc}") from None
    if collection_files and config.args_source != pytest.Config.ArgsSource.ARGS:
        # `pytest --eval-collection suite.jsonl` evaluates the suite, not the project's tests.
        config.args = [str(p) for p in collection_files]
    config.stash[_targets_key] = {p.resolve() for p in collection_files} | _explicit_jsonl_args(config)

    api_url, model = settings.api_url, settings.model
    if _is_worker(config):
        workerinput: dict[str, Any] = config.workerinput  # type: ignore[attr-defined]
        api_url = workerinput.get(WORKER_URL_KEY, api_url)
        model = workerinput.get(WORKER_MODEL_KEY, model)
    elif settings.mock is not None and config.stash[_targets_key]:
        api_url, model = _start_mock(config, settings, model)
    if not _is_worker(config) and config.stash[_targets_key]:
        _prefer_worksteal(config)
    runtime = Runtime(config, settings, api_url=api_url, model=model)
    config.stash[runtime_key] = runtime
    if config.stash[_targets_key]:
        xdist_controller = not _is_worker(config) and bool(getattr(config.option, "numprocesses", None))
        runtime.open_store(keep=not xdist_controller)
        runtime.take_part_in_stealing()
    if not _is_worker(config):
        config.stash[controller_key] = Controller(config, settings, model=model, api_url=api_url,
                                                  gate_plan=plan_gates(settings))


def _prefer_worksteal(config: pytest.Config) -> None:
    """Under xdist, schedule with ``worksteal`` unless the user chose a ``--dist`` mode.

    Every worker then gets a deep queue up front, so K requests stay in flight until the end;
    the steal guard (lookahead.py) keeps stolen items from being requested twice.
    """
    if not getattr(config.option, "numprocesses", None) or getattr(config.option, "dist", "no") not in ("load", "no"):
        return
    given = [*config.invocation_params.args, *config.getini("addopts")]
    if any(str(arg) in ("-d", "--dist") or str(arg).startswith("--dist=") for arg in given):
        return
    config.option.dist = "worksteal"
    config.stash[_dist_chosen_key] = True


def _start_mock(config: pytest.Config, settings: Settings, model: str | None) -> tuple[str, str]:
    from pytest_evalindex.mock import MockServer, load_script

    assert settings.mock is not None
    try:
        script = load_script(settings.mock)
    except (OSError, ValueError) as exc:
        raise pytest.UsageError(f"--eval-mock: {exc}") from None
    server = MockServer(script)
    server.start()
    config.stash[_mock_key] = server
    return server.url, model or script.model


def _explicit_jsonl_args(config: pytest.Config) -> set[Path]:
    here = Path(config.invocation_params.dir)
    found = set()
    for arg in config.args:
        path = arg.split("::", 1)[0]
        if path.endswith(".jsonl"):
            found.add((here / path).resolve())
    return found


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller → worker: share the URL of a mock server started by the controller."""
    runtime = node.config.stash[runtime_key]
    if runtime.api_url:
        node.workerinput[WORKER_URL_KEY] = runtime.api_url
    if runtime.model:
        node.workerinput[WORKER_MODEL_KEY] = runtime.model


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> EvalFile | None:
    if file_path.suffix == ".jsonl" and file_path.resolve() in parent.config.stash.get(_targets_key, set()):
        return EvalFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    runtime = config.stash[runtime_key]
    if any(isinstance(item, SampleItem) for item in items) and not (runtime.api_url and runtime.model):
        missing = "--eval-api-url" if not runtime.api_url else "--eval-model"
        raise pytest.UsageError(f"{missing} is required to evaluate a collection (or pass --eval-mock SCRIPT)")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    runtime = config.stash.get(runtime_key, None)
    if runtime is None or not config.stash.get(_targets_key, None):
        return None
    s = runtime.settings
    mock = " (built-in mock)" if config.stash.get(_mock_key, None) is not None else ""
    cap = f" (at most {s.max_concurrency} in all)" if s.max_concurrency else ""
    lines = [f"evalindex: model {runtime.model} at {runtime.api_url}{mock}, {s.batch_size} requests in flight "
             f"per process{cap}, numbers: {s.compat}"]
    if config.stash.get(_dist_chosen_key, False):
        lines.append("evalindex: scheduling with --dist worksteal (keeps every worker's requests in flight; "
                     "pass --dist to choose another mode)")
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if isinstance(item, SampleItem):
        item.config.stash[runtime_key].prefetch(item, nextitem)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not isinstance(item, SampleItem):
        return report
    if call.when == "call" and item.result is not None:
        setattr(report, REPORT_ATTRIBUTE, item.result.to_dict())
        item.result = item.completion = None  # items live until the end of the run; the report carries it
        item.entry.forget_request()
    elif call.when == "setup" and call.excinfo is not None and isinstance(call.excinfo.value, ModelCallError):
        error = item.make_result(None, None, error=str(call.excinfo.value))
        setattr(report, REPORT_ATTRIBUTE, error.to_dict())
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    data = getattr(report, REPORT_ATTRIBUTE, None)
    if not isinstance(data, dict) or report.when != "call" or not report.passed:
        return None
    if data.get("status") == "incorrect":
        return "incorrect", "i", "INCORRECT"
    if data.get("status") == "excluded":
        return "excluded", "?", "EXCLUDED"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    controller = session.config.stash.get(controller_key, None)
    if controller is not None:
        session.config.pluginmanager.register(_ControllerHooks(controller), "evalindex-controller")


class _ControllerHooks:
    """Hooks that only the result-gathering process runs (single process, or the xdist controller)."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.controller.add_report(report)
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if isinstance(data, dict):
            # Reports are kept until the end of the run; the controller now holds the result.
            setattr(report, REPORT_ATTRIBUTE, _STATUS_ONLY.get(str(data.get("status")), {}))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        samples = [item for item in session.items if isinstance(item, SampleItem)]
        self.controller.expected = len(samples)
        self.controller.entries = {item.nodeid: item.entry for item in samples}

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.controller.expected = sum(".jsonl::" in nodeid for nodeid in ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        counters = getattr(node, "workeroutput", {}).get(COUNTERS_KEY)
        if counters:
            self.controller.process_counters[str(node.gateway.id)] = counters

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        controller = self.controller
        started = time.perf_counter()
        try:
            outcome = yield
        except BaseException as exc:
            controller.interrupted = f"{type(exc).__name__}: {exc}".strip(": ")
            self._finish(session, started, complete=False)
            raise
        self._finish(session, started, complete=not session.shouldstop)
        return outcome

    def _finish(self, session: pytest.Session, started: float, *, complete: bool) -> None:
        controller = self.controller
        controller.loop_seconds = time.perf_counter() - started
        if session.shouldstop and controller.interrupted is None:
            controller.interrupted = str(session.shouldstop)
        runtime = session.config.stash[runtime_key]
        if runtime.counters is not None:
            controller.process_counters["main"] = runtime.counters
        controller.finish(evaluate_gates=complete)
        gates = controller.gates
        if gates is None:
            return
        emit_gate_reports(session.config, gates.outcomes)
        errors = sum(result.status == "error" for result in controller.results.values())
        budget = next((o for o in gates.outcomes if o.name.startswith("gate[error_rate")), None)
        if errors and budget is not None and budget.passed:
            # Within the error budget, erroring samples are shown (E) but do not fail the run.
            session.testsfailed = max(0, session.testsfailed - errors)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        gates = self.controller.gates
        if gates is not None and gates.usage_errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        controller = self.controller
        if controller.tables is None:
            return
        terminalreporter.write_sep("=", "evalindex report")
        terminalreporter.write_line(controller.tables)
        if controller.gates is not None and controller.gates.outcomes:
            terminalreporter.write_sep("-", "evalindex gates")
            for gate_line in gate_summary_lines(controller.gates):
                terminalreporter.write_line(gate_line, green=gate_line.startswith("PASSED"),
                                            red=gate_line.startswith("FAILED"))
            for usage_error in controller.gates.usage_errors:
                terminalreporter.write_line(f"ERROR: {usage_error}", red=True)
        line = controller.concurrency_line()
        if line:
            terminalreporter.write_line(line)
        if controller.incomplete:
            terminalreporter.write_line(
                f"evalindex: INCOMPLETE — {len(controller.results)} of {controller.expected} samples have a result"
                + (f" ({controller.interrupted})" if controller.interrupted else ""), yellow=True)
        if controller.run_dir is not None:
            terminalreporter.write_line(f"evalindex outputs: {controller.run_dir}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Workers hand their engine counters to the controller (read in pytest_testnodedown)."""
    if _is_worker(session.config):
        runtime = session.config.stash.get(runtime_key, None)
        if runtime is not None and runtime.counters is not None:
            session.config.workeroutput[COUNTERS_KEY] = runtime.counters  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    controller = config.stash.get(controller_key, None)
    if controller is not None and controller.results:
        # A finished evaluation leaves hundreds of thousands of objects (items, reports, results) to
        # the interpreter's final garbage collection, which then costs ~1.5 s per 10,000 samples.
        # Frozen, they are simply released with the process.
        gc.freeze()
    runtime = config.stash.get(runtime_key, None)
    if runtime is not None:
        runtime.close()
    server = config.stash.get(_mock_key, None)
    if server is not None:
        server.stop()
