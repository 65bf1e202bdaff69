"""Caller side of a run: the work directory, starting the supervisor process, turning its report into an ExecResult."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pytest_evalindex.sandbox.api import ExecResult, Limits, Status

_PACKAGE_DIR = Path(__file__).resolve().parent


def stdlib_boot(module: str) -> str:
    """``python -I -S -c`` code running ``pytest_evalindex.sandbox.<module>.main()`` with the standard library
    alone: stub packages stand in for ``pytest_evalindex`` so its ``__init__`` (and what it imports) never runs."""
    root, package = str(_PACKAGE_DIR.parent), str(_PACKAGE_DIR)
    return (
        "import sys, types\n"
        f"for name, path in (('pytest_evalindex', {root!r}), ('pytest_evalindex.sandbox', {package!r})):\n"
        "    module = types.ModuleType(name); module.__path__ = [path]; sys.modules[name] = module\n"
        f"from pytest_evalindex.sandbox.{module} import main\n"
        "sys.exit(main())\n"
    )


_BOOT = stdlib_boot("supervisor")
SUPERVISOR_SLACK = 15.0  # seconds beyond the wall time before the supervisor itself is presumed stuck
KILL_GRACE = 5.0


@dataclass
class Job:
    """What the supervisor runs: argv items are strings or {"open": path} / {"status_fd": True} placeholders."""

    argv: list[Any]
    env: dict[str, str]
    cwd: str
    limits: Limits
    rlimits: list[tuple[str, int, int]]
    stdin: str | None = None
    uid_base: int | None = None
    expose: list[tuple[str, list[str]]] = field(default_factory=list)


def program_env(python: str, home: str, tmp: str) -> dict[str, str]:
    """The whole environment a program sees: nothing inherited, so no API key can leak in."""
    return {
        "PATH": f"{os.path.dirname(python)}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def checked_name(name: str) -> PurePosixPath:
    """A file name relative to the work directory; absolute paths and '..' are refused."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or path == PurePosixPath("."):
        raise ValueError(f"sandbox file names must be relative paths inside the work directory (got {name!r})")
    return path


@contextmanager
def run_directory(files: Mapping[str, str | bytes], stdin: str | bytes | None) -> Iterator[tuple[Path, str | None]]:
    """A fresh private directory holding `files` (and the stdin bytes), removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="evalindex-sandbox-"))
    try:
        work = root / "work"
        work.mkdir()
        for name, content in files.items():
            target = work / checked_name(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode() if isinstance(content, str) else content)
        stdin_path = None
        if stdin is not None:
            stdin_path = str(root / "stdin")
            Path(stdin_path).write_bytes(stdin.encode() if isinstance(stdin, str) else stdin)
        yield root, stdin_path
    finally:
        shutil.rmtree(root, ignore_errors=True)


def supervise(job: Job) -> dict[str, Any]:
    """Run the job in a supervisor process and return its report ({"error": …} if the supervisor failed)."""
    payload = {
        "argv": job.argv,
        "env": job.env,
        "cwd": job.cwd,
        "stdin": job.stdin,
        "wall": job.limits.wall_seconds,
        "output_bytes": job.limits.output_bytes,
        "rlimits": job.rlimits,
        "uid_base": job.uid_base,
        "expose": job.expose,
        "grace": KILL_GRACE,
    }
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd="/",
            env={"PATH": os.defpath, "LANG": "C.UTF-8"},
            start_new_session=True,
        )
    except OSError as exc:  # no process or file descriptor left for the supervisor
        return {"error": f"the sandbox supervisor could not start: {exc}"}
    try:
        out, err = proc.communicate(json.dumps(payload).encode(), timeout=job.limits.wall_seconds + SUPERVISOR_SLACK)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"error": "the sandbox supervisor did not finish in time"}
    try:
        report: dict[str, Any] = json.loads(out)
    except ValueError:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        return {"error": f"the sandbox supervisor failed: {tail[0]}"}
    return report


def report_text(report: Mapping[str, Any], key: str) -> str:
    """A captured stream ("stdout" or "stderr") of a supervisor report, as text."""
    return base64.b64decode(report.get(key) or "").decode("utf-8", errors="replace")


def _memory_error(stderr: str) -> bool:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return any(line.startswith("MemoryError") for line in lines[-3:])


def result_from(
    report: Mapping[str, Any],
    *,
    mode: str,
    exit_code: int | None,
    signum: int | None,
    error: str | None,
) -> ExecResult:
    """Classify one run. `error` (set by the backend) marks a sandbox failure, which is never a program outcome."""
    stdout, stderr = report_text(report, "stdout"), report_text(report, "stderr")
    status: Status
    if error is not None:
        status = "sandbox_error"
    elif report.get("timed_out"):
        status = "timeout"
    elif signum == signal.SIGXCPU:
        status = "cpu_limit"
    elif signum is not None:
        status = "killed"
    elif exit_code == 0:
        status = "passed"
    elif _memory_error(stderr):
        status = "memory"
    else:
        status = "failed"
    return ExecResult(
        status=status,
        exit_code=exit_code,
        signal=signum,
        stdout=stdout,
        stderr=stderr,
        stdout_truncated=bool(report.get("stdout_truncated")),
        stderr_truncated=bool(report.get("stderr_truncated")),
        wall_seconds=float(report.get("wall") or 0.0),
        mode=mode,
        error=error,
        leftover_processes=int(report.get("leftover") or 0),
    )
