"""Running the real plugin against a loopback MockServer, and reading what the run wrote."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, output_dir_of
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.model.mock.script import prompt_key

GENERAL_SUITE = EXAMPLES / "general_index.jsonl"
GENERAL_SCRIPT = EXAMPLES / "general_index.mock.json"
MODEL = "mock-model"


def general_script(**overrides: Any) -> dict[str, Any]:
    """The general suite's mock script with some keys replaced."""
    script = dict(json.loads(GENERAL_SCRIPT.read_text(encoding="utf-8")))
    script.update(overrides)
    return script


def entries(path: Path) -> list[Entry]:
    return [Entry.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def prompt_keys(path: Path) -> dict[str, int]:
    """The mock's per-prompt key of each line's request messages → the line's index."""
    return {prompt_key(e.openai_messages()): e.index for e in entries(path)}


def run_plugin(pytester: pytest.Pytester, url: str, *args: str, suite: Path = GENERAL_SUITE) -> pytest.RunResult:
    """The real plugin (see :func:`run_pytester`): ``--eval-collection suite`` at ``url``."""
    return run_pytester(pytester, "--eval-collection", str(suite), "--eval-model", MODEL, "--eval-api-url", url,
                        "-p", "no:cacheprovider", *args)


def run_pytester(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest ARGS`` through pytester, in this process (a fresh interpreter costs ~1.3 s of CPU, ~4 s with the
    ``openai`` import of a ``-n0`` run); xdist's workers, if asked for, are still processes of their own. What the
    run (and its workers) write to fd 1 and fd 2 is in the result, as from a subprocess; the run leaves this
    process as it found it (:mod:`helpers_inprocess`), and its secret and scorer registries start empty, as a new
    process's would. A test of what only a process can show (signals sent to it, its own exit) starts one itself."""
    from helpers_inprocess import process_state_kept, run_inprocess

    from pytest_evalindex.core.secrets import REGISTRY
    from pytest_evalindex.scorers import registry

    known = REGISTRY.values()
    REGISTRY.clear()  # the run registers its own secrets, as a fresh process would
    try:
        # A test file's @scorer registers into the process-wide registry: forgotten after the run, as in a new process.
        with process_state_kept(" ".join(args)), registry.fresh_session():
            # The plugin is imported already (by these tests), so pytest cannot rewrite its asserts: say nothing.
            return run_inprocess(pytester, "-W", "ignore::pytest.PytestAssertRewriteWarning", *args)
    finally:
        REGISTRY.clear()
        REGISTRY.add(*known)


def detailed_report(output: str) -> dict[str, Any]:
    run_dir = output_dir_of(output)
    data: dict[str, Any] = json.loads((run_dir / "reports" / MODEL / "collection_detailed_report.json")
                                      .read_text(encoding="utf-8"))
    return data


def predictions(output: str) -> list[dict[str, Any]]:
    run_dir = output_dir_of(output)
    files = sorted((run_dir / "predictions" / MODEL).glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_suite(path: Path, lines: Sequence[Mapping[str, Any] | str]) -> Path:
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln, ensure_ascii=False)) + "\n" for ln in lines),
                    encoding="utf-8")
    return path


def run_pytest_in(folder: Path, *args: str, env: Mapping[str, str] | None = None,
                  timeout: float = 600) -> pytest.RunResult:
    """``pytest ARGS`` in a subprocess in ``folder``, like ``pytester.runpytest_subprocess`` but usable from a
    module-scoped fixture, so several tests can assert on one end-to-end run."""
    import os
    import subprocess
    import sys
    import time

    merged = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "TOX_ENV_DIR")}
    merged.update({"HOME": str(folder), "PY_COLORS": "0"}, **(env or {}))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", f"--basetemp={folder / 'basetemp'}", *args], cwd=folder,
                          env=merged, capture_output=True, text=True, timeout=timeout, check=False)
    return pytest.RunResult(done.returncode, done.stdout.splitlines(), done.stderr.splitlines(),
                            time.monotonic() - started)


def shared_run(tmp_path_factory: pytest.TempPathFactory, name: str,
               make: Callable[[Path], pytest.RunResult]) -> tuple[Path, pytest.RunResult]:
    """``make(folder)`` run once per test session, even when the tests asserting on it land on different xdist
    workers (a module-scoped fixture alone would run once per worker): the first worker runs it under a file
    lock in the folder all workers share, the others read what it left."""
    import os

    from filelock import FileLock

    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        return folder, make(folder)
    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    record = shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if not record.exists():
            folder = shared / name
            folder.mkdir()
            result = make(folder)
            record.write_text(json.dumps({"folder": str(folder), "ret": int(result.ret), "out": result.outlines,
                                          "err": result.errlines, "duration": result.duration}), encoding="utf-8")
        saved = json.loads(record.read_text(encoding="utf-8"))
    return Path(saved["folder"]), pytest.RunResult(saved["ret"], saved["out"], saved["err"], saved["duration"])


def wait_until(condition: Callable[[], bool], limit: float = 60) -> None:
    """Poll until ``condition`` holds; the limit only stops a hang (a loaded machine can take seconds)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)
