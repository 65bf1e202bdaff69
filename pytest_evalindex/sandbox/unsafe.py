"""The `unsafe` backend: a plain subprocess with limits, for trusted code only (no isolation of files or network)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from pytest_evalindex.sandbox.api import Check, ExecResult, Limits
from pytest_evalindex.sandbox.launch import Job, program_env, result_from, run_directory, supervise
from pytest_evalindex.sandbox.limits import rlimit_rows
from pytest_evalindex.sandbox.proctree import processes_of_uid

UNSAFE_NOTE = ("UNSAFE code execution: --eval-code-exec unsafe runs the model's code as a plain subprocess of this "
               "user, with no isolation: use it only for code you trust")
"""Shown in every output of an unsafe run: header, summary, report JSON (``warnings``), HTML and Markdown."""


def run_warnings(code_exec: object) -> list[str]:
    """The warnings every output of a run with ``code_exec`` (the recorded --eval-code-exec) must carry."""
    return [UNSAFE_NOTE] if code_exec == "unsafe" else []


class UnsafeSandbox:
    """Runs the program as the current user in a fresh work directory with a cleared environment, rlimits,
    a wall-time limit and a process-tree kill at the end. It does not stop network access, writes anywhere
    the user may write, or (as root) a fork bomb: RLIMIT_NPROC does not apply to root.
    """

    mode = "unsafe"

    def __init__(self, python: str | None = None) -> None:
        self.python = python or sys.executable

    def check(self) -> Check:
        """Always usable on Linux; the message says it is not isolation."""
        if not sys.platform.startswith("linux"):
            return Check(False, f"the unsafe sandbox needs Linux (found {sys.platform})")
        return Check(True, f"unsafe: plain subprocess as uid {os.geteuid()}, trusted code only (no isolation)")

    def run(
        self,
        files: Mapping[str, str | bytes],
        command: Sequence[str],
        limits: Limits,
        *,
        stdin: str | bytes | None = None,
    ) -> ExecResult:
        """Run `command` in a fresh work directory holding `files`; blocks; thread-safe."""
        with run_directory(files, stdin) as (root, stdin_path):
            work = str(root / "work")
            job = Job(
                argv=_absolute(list(command), self.python),
                env=program_env(self.python, home=work, tmp=work),
                cwd=work,
                limits=limits,
                rlimits=rlimit_rows(limits, already_running=_own_processes()),
                stdin=stdin_path,
            )
            report = supervise(job)
        error = report.get("error") or report.get("exec_error")
        if error is None and report.get("leftover"):
            error = f"{report['leftover']} process(es) survived the kill"
        return result_from(
            report, mode=self.mode, exit_code=report.get("exit_code"), signum=report.get("signal"), error=error
        )

    def close(self) -> None:
        """Nothing runs between programs."""


def _own_processes() -> int:
    """Processes of this uid right now (none counts for root, whose RLIMIT_NPROC the kernel ignores)."""
    uid = os.getuid()
    return 0 if uid == 0 else len(processes_of_uid(uid))


def _absolute(argv: list[str], python: str) -> list[str]:
    """execve needs a path: look a bare command name up on the program's PATH."""
    if not argv:
        raise ValueError("command must not be empty")
    if "/" not in argv[0]:
        for folder in program_env(python, "", "")["PATH"].split(":"):
            candidate = os.path.join(folder, argv[0])
            if os.access(candidate, os.X_OK):
                return [candidate, *argv[1:]]
    return argv
