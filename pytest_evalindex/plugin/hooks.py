"""pytest hooks of pytest-evalindex: options, collection entry, per-process runtime, controller.

Everything else lives in modules without pytest in them; this file only wires them to pytest.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.core.results import REPORT_ATTRIBUTE, SampleResult
from pytest_evalindex.core.secrets import REGISTRY, redact
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.dataset.loader import CollectionError, resolve_collection_paths
from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.shared_limits import SharedLimits
from pytest_evalindex.plugin import limits_relay
from pytest_evalindex.plugin.arguments import add_paths, collections_in_folders, reclaim_swallowed_paths
from pytest_evalindex.plugin.code_exec import UNSAFE_WARNING
from pytest_evalindex.plugin.collect import EvalFile, SampleItem
from pytest_evalindex.plugin.gate_reports import GATE_NODE_PREFIX
from pytest_evalindex.plugin.judge_setup import (
    check_judge_needs,
    check_judge_needs_in_files,
    register_judge_secrets,
    resolve_judge_settings,
    validate_templates,
)
from pytest_evalindex.plugin.keys import (
    COUNTERS_KEY,
    LIMITS_CHANNEL_KEY,
    SELECTION_KEY,
    controller_key,
    runtime_key,
)
from pytest_evalindex.plugin.long_lived import freeze_finished_run, release_earlier_runs
from pytest_evalindex.plugin.options import add_options, resolve_settings
from pytest_evalindex.plugin.run_paths import resolve_run_paths
from pytest_evalindex.plugin.runtime import Runtime
from pytest_evalindex.plugin.secret_sinks import register_secrets, scrub_report, scrub_warning
from pytest_evalindex.plugin.snapshots import remove_snapshots, take_snapshots
from pytest_evalindex.plugin.xdist import xdist_workers
from pytest_evalindex.runs.writable import unwritable_reason

_targets_key = pytest.StashKey[set[Path]]()
_mock_key = pytest.StashKey[Any]()
_dist_chosen_key = pytest.StashKey[bool]()
_notes_key: pytest.StashKey[list[str]] = pytest.StashKey()
WORKER_URL_KEY = "evalindex_api_url"
WORKER_MODEL_KEY = "evalindex_model"
WORKER_FINGERPRINTS_KEY = "evalindex_fingerprints"
CONTROLLER_ROOT_KEY = "evalindex_controller_root"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    release_earlier_runs()
    notes = reclaim_swallowed_paths(config)
    settings, run_notes = resolve_run_paths(resolve_settings(config))
    register_secrets(config, settings)
    judge_settings = resolve_judge_settings(config, settings)
    register_judge_secrets(config, judge_settings)
    notes.extend(run_notes)
    try:
        collection_files = resolve_collection_paths(settings.collections)
    except CollectionError as exc:
        raise pytest.UsageError(f"--eval-collection: {exc}") from None
    if collection_files and config.getoption("eval_collection"):
        # On the command line it is evaluated, next to any test paths given too (`pytest tests/ --eval-collection x`).
        add_paths(config, [str(p) for p in collection_files])
    elif collection_files and config.args_source != pytest.Config.ArgsSource.ARGS:
        # From the ini file: a bare `pytest` evaluates the suite; `pytest tests/` runs only the tests.
        config.args = [str(p) for p in collection_files]
    config.stash[_targets_key] = ({p.resolve() for p in collection_files} | _explicit_jsonl_args(config)
                                  | collections_in_folders(config))
    config.stash[_notes_key] = notes

    if not _is_worker(config) and config.stash[_targets_key]:
        _check_xdist_settings(config, settings)
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
    runtime.judge_settings = judge_settings
    if config.stash[_targets_key]:
        validate_templates(runtime.judge_settings)
        if xdist_workers(config):
            judge_targets = config.stash[_targets_key]
            check_judge_needs_in_files(sorted(judge_targets), settings, runtime.judge_settings)
    config.stash[runtime_key] = runtime
    if config.stash[_targets_key]:
        xdist_controller = bool(xdist_workers(config))
        runtime.open_store(keep=not xdist_controller)
        model = runtime.model  # recorded answers name their model when --eval-model was not given
        runtime.open_code_runner(keep=not xdist_controller)
        runtime.take_part_in_stealing()
    if not _is_worker(config) and config.stash[_targets_key]:
        # Imported here: an xdist worker never gathers results (no gates, no report, no HTML page to render).
        from pytest_evalindex.gates.plan import GatePlanError, plan_gates
        from pytest_evalindex.plugin.controller import Controller
        from pytest_evalindex.plugin.precheck import check_files_before_calls

        try:
            gate_plan = plan_gates(settings)
        except GatePlanError as exc:
            raise pytest.UsageError(str(exc)) from None
        targets: set[Path] = config.stash[_targets_key]
        if xdist_workers(config):  # -n0 checks its collected items instead
            check_files_before_calls(gate_plan, settings, targets, config.rootpath)
        _check_writable(settings)
        controller = Controller(config, settings, model=model, api_url=api_url, gate_plan=gate_plan)
        controller.collection_files = sorted(targets)
        controller.snapshots = take_snapshots(targets)
        runtime.fingerprints = {str(path): fp for path, (fp, _) in controller.snapshots.items()}
        config.stash[controller_key] = controller
    elif _is_worker(config):
        runtime.fingerprints = dict(config.workerinput.get(WORKER_FINGERPRINTS_KEY, {}))  # type: ignore[attr-defined]
        root = config.workerinput.get(CONTROLLER_ROOT_KEY)  # type: ignore[attr-defined]
        runtime.controller_root = Path(root) if root else None


def _check_writable(settings: Settings) -> None:
    """Refuse before the first paid request what would fail after the last one: an output folder (or
    cache) that is a file, read-only or on a full disk."""
    folders = [("--eval-output-dir", settings.output_dir)]
    if settings.cache_dir is not None and not settings.rerun_review:
        folders.append(("--eval-use-cache", settings.cache_dir))
    for option, folder in folders:
        reason = unwritable_reason(folder)
        if reason is not None:
            raise pytest.UsageError(f"{option}: {reason}; pass a writable folder (nothing was sent to the model)")


def _check_xdist_settings(config: pytest.Config, settings: Settings) -> None:
    """Refuse what xdist would do against the run's intent: ``--dist each`` evaluates (and pays for) every
    sample once per worker, and a concurrency cap below the number of workers cannot be kept (each
    worker needs one request in flight)."""
    workers = xdist_workers(config)
    if not workers:
        return
    if getattr(config.option, "dist", "no") == "each":
        raise pytest.UsageError("--dist each runs every sample on every worker (one paid request per worker "
                                "per sample); use --dist load or worksteal, or leave --dist out")
    cap = settings.max_concurrency
    if cap is not None and cap < workers:
        raise pytest.UsageError(f"--eval-max-concurrency {cap} is below the {workers} xdist workers, and each "
                                f"worker keeps at least one request in flight; pass -n {cap} or a cap >= {workers}")


def _single_worker_note(config: pytest.Config) -> str | None:
    """Why only some workers would evaluate: loadfile/loadscope keep a whole collection file on one worker."""
    dist = getattr(config.option, "dist", "no")
    workers = xdist_workers(config)
    files = len(config.stash.get(_targets_key, set()))
    if dist not in ("loadfile", "loadscope") or workers is None or workers <= files:
        return None
    return (f"evalindex: --dist {dist} keeps each collection file on one worker, so {files} of {workers} workers "
            "evaluate; pass --dist load or worksteal to use them all")


def _prefer_worksteal(config: pytest.Config) -> None:
    """Under xdist, schedule with ``worksteal`` unless the user chose a ``--dist`` mode.

    Every worker then gets a deep queue up front, so K requests stay in flight until the end;
    the steal guard (lookahead.py) keeps stolen items from being requested twice.
    """
    if not xdist_workers(config) or getattr(config.option, "dist", "no") not in ("load", "no"):
        return
    given = [*config.invocation_params.args, *config.getini("addopts")]
    if any(str(arg) in ("-d", "--dist") or str(arg).startswith("--dist=") for arg in given):
        return
    config.option.dist = "worksteal"
    config.stash[_dist_chosen_key] = True


def _start_mock(config: pytest.Config, settings: Settings, model: str | None) -> tuple[str, str]:
    from pytest_evalindex.model.mock import MockServer, load_script

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
        if path.lower().endswith(".jsonl"):
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
    if isinstance(runtime.limits, SharedLimits):
        node.workerinput[LIMITS_CHANNEL_KEY] = limits_relay.serve(runtime.limits, node.gateway)
    node.workerinput[WORKER_FINGERPRINTS_KEY] = runtime.fingerprints
    node.workerinput[CONTROLLER_ROOT_KEY] = str(node.config.rootpath.resolve())


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> EvalFile | None:
    if file_path.suffix.lower() == ".jsonl" and file_path.resolve() in parent.config.stash.get(_targets_key, set()):
        return EvalFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    runtime = config.stash[runtime_key]
    missing = runtime.missing_options()
    if missing and any(isinstance(item, SampleItem) for item in items):
        raise pytest.UsageError(f"{missing} required to evaluate a collection (or pass --eval-mock SCRIPT)")
    if runtime.judge_settings is not None:
        check_judge_needs((item.scorer_spec.name for item in items if isinstance(item, SampleItem)),
                          runtime.judge_settings)


def pytest_deselected(items: Sequence[pytest.Item]) -> None:
    runtime = items[0].config.stash.get(runtime_key, None) if items else None
    if runtime is not None:
        runtime.samples_deselected += sum(isinstance(item, SampleItem) for item in items)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    runtime = config.stash.get(runtime_key, None)
    if runtime is None or not config.stash.get(_targets_key, None):
        return None
    s = runtime.settings
    mock = " (built-in mock)" if config.stash.get(_mock_key, None) is not None else ""
    cap = f" (at most {s.max_concurrency} in all)" if s.max_concurrency else ""
    if runtime.offline:
        source = s.predictions if s.predictions is not None else s.cache_dir
        lines = [f"evalindex: model {runtime.model}, scoring the answers recorded in {source} (no model is called), "
                 f"numbers: {s.compat}"]
    else:
        lines = [f"evalindex: model {runtime.model} at {REGISTRY.scrub(str(redact(runtime.api_url)))}{mock}, "
                 f"{s.batch_size} requests in flight per process{cap}, numbers: {s.compat}"]
    judge = runtime.judge_settings
    if judge is not None and judge.model:
        lines.append(f"evalindex: judge {judge.model} at {REGISTRY.scrub(str(redact(judge.api_url or runtime.api_url)))}, "
                     f"{judge.batch_size} judge requests in flight per process, strategy {judge.strategy}")
    if s.code_exec is not None:
        lines.append(f"evalindex: code execution: {s.code_exec}" + (
            " (isolated with bubblewrap: no network, read-only root, private /tmp, limits per program)"
            if s.code_exec == "bwrap" else "") )
        if s.code_exec == "unsafe":
            lines.append(UNSAFE_WARNING)
    if config.stash.get(_dist_chosen_key, False):
        lines.append("evalindex: scheduling with --dist worksteal (keeps every worker's requests in flight; "
                     "pass --dist to choose another mode)")
    note = _single_worker_note(config)
    if note:
        lines.append(note)
    notes: list[str] = config.stash.get(_notes_key, [])
    lines.extend(notes)
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if isinstance(item, SampleItem):
        item.config.stash[runtime_key].prefetch(item, nextitem)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    try:
        return _sample_report(item, call, report)
    finally:
        scrub_report(report)  # before the terminal, JUnit XML or xdist's wire see it


def _sample_report(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> pytest.TestReport:
    if not isinstance(item, SampleItem):
        return report
    if call.when == "call" and item.result is not None:
        setattr(report, REPORT_ATTRIBUTE, item.result.to_dict())
        _hand_over(item.config, item.result)
        if report.passed and item.result.status in ("incorrect", "partial") and _junit_marks_incorrect(item.config):
            # A standard JUnit consumer knows passed, failed, error and skipped: an incorrect sample that does not
            # fail the run is shown as skipped, its message saying why (the terminal still counts it "incorrect").
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.entry.line, f"{item.result.status}: {item.verdict_line()}")
        item.result = item.completion = None  # items live until the end of the run; the report carries it
        item.entry.forget_request()
    elif call.when == "setup" and call.excinfo is not None and isinstance(call.excinfo.value, ModelCallError):
        error = item.make_result(None, None, error=str(call.excinfo.value))
        setattr(report, REPORT_ATTRIBUTE, error.to_dict())
        _hand_over(item.config, error)
        if getattr(item.config.option, "xmlpath", None):  # an errored sample carries its properties too
            item.user_properties.extend(item.junit_properties(error))  # JUnit reads them from the teardown report
    return report


def _hand_over(config: pytest.Config, result: SampleResult) -> None:
    """Without xdist the controller is in this process: it takes the result itself, not a copy read back."""
    controller = config.stash.get(controller_key, None)
    if controller is not None:
        controller.ran_here(result)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    scrub_report(report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_warning_recorded(warning_message: Any) -> None:
    scrub_warning(warning_message)


def _junit_marks_incorrect(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "xmlpath", None)) and config.stash[runtime_key].settings.junit_incorrect == "skipped"


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    if report.when != "call":  # setup and teardown keep pytest's own status (two reports of three)
        return None
    if report.nodeid.startswith(GATE_NODE_PREFIX):
        # Gates print their own section: no progress letter (so the counter never passes 100%), and a passing
        # gate is counted as a gate in the summary line, not as a passed sample. A failing gate stays "failed"
        # (it fails the run, and -ra lists it as FAILED).
        return ("gates passed", "", "") if report.passed else (report.outcome, "", report.outcome.upper())
    data = getattr(report, REPORT_ATTRIBUTE, None)
    if not isinstance(data, dict) or report.failed:
        return None
    if data.get("status") == "incorrect":
        return "incorrect", "i", "INCORRECT"
    if data.get("status") == "partial":
        return "partial", "p", "PARTIAL"
    if data.get("status") == "excluded":
        return "excluded", "?", "EXCLUDED"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    controller = session.config.stash.get(controller_key, None)
    if controller is not None:
        from pytest_evalindex.plugin.controller_hooks import ControllerHooks

        session.config.pluginmanager.register(ControllerHooks(controller), "evalindex-controller")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Workers hand their engine counters to the controller (read in pytest_testnodedown)."""
    if _is_worker(session.config):
        runtime = session.config.stash.get(runtime_key, None)
        if runtime is not None and runtime.counters is not None:
            session.config.workeroutput[COUNTERS_KEY] = runtime.counters  # type: ignore[attr-defined]
        if runtime is not None:
            session.config.workeroutput[SELECTION_KEY] = [  # type: ignore[attr-defined]
                runtime.samples_collected, runtime.samples_deselected, runtime.samples_in_collection]


def pytest_unconfigure(config: pytest.Config) -> None:
    controller = config.stash.get(controller_key, None)
    if controller is not None and controller.results:
        freeze_finished_run()
    runtime = config.stash.get(runtime_key, None)
    if runtime is not None:
        runtime.close()
    if controller is not None:
        remove_snapshots(controller.snapshots)
    server = config.stash.get(_mock_key, None)
    if server is not None:
        server.stop()
    if not hasattr(config, "workerinput"):
        REGISTRY.withdraw()  # xdist's workers (and any it restarted) are gone
