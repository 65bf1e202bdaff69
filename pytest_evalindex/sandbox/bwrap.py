"""The `bwrap` backend: each program in its own bubblewrap namespaces as an unprivileged uid."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_evalindex.sandbox.api import Check, ExecResult, Limits, MiB, run_python
from pytest_evalindex.sandbox.launch import (
    KILL_GRACE,
    SUPERVISOR_SLACK,
    checked_name,
    program_env,
    report_text,
    result_from,
)
from pytest_evalindex.sandbox.limits import rlimit_rows
from pytest_evalindex.sandbox.paths import expose_plan, extra_binds, interpreter_prefixes, system_entries
from pytest_evalindex.sandbox.slots import SlotPool

WORK = "/tmp/work"
STUB = Path(__file__).with_name("stub.py").read_text(encoding="utf-8")
INSIDE_UID = 65534  # "nobody": what the program sees; outside it is uid_base + the supervisor's pid
DEFAULT_UID_BASE = 2_000_000_000  # far above real users and the usual subuid ranges; one uid per live run
_VAR_TMP_BYTES = 8 * MiB
_INSTALL = "install bubblewrap (Debian/Ubuntu: apt-get install -y bubblewrap; Fedora: dnf install bubblewrap)"
_EXPOSE = (
    "as root the sandbox re-exposes an interpreter kept under a closed directory (such as /root) in a private "
    "mount namespace, which needs CAP_SYS_ADMIN; use an interpreter others can read (BwrapSandbox(python=...)) "
    "or run as a normal user"
)
_USERNS = (
    "enable unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1 and "
    "user.max_user_namespaces=15000; Ubuntu 24.04: kernel.apparmor_restrict_unprivileged_userns=0) "
    "or run in a container that allows them"
)


class BwrapSandbox:
    """Only the system tree and the interpreter visible (read-only), private /tmp, no home, no network,
    cleared environment, non-root uid, rlimits, wall time, and the whole PID namespace torn down at the end.
    `run` blocks and is thread-safe. Every program gets a sandbox of its own, started (by a long-lived server
    per program running at once, see slot_server.py) while the previous program runs; `close` stops them.
    """

    mode = "bwrap"

    def __init__(
        self,
        python: str | None = None,
        bwrap: str | None = None,
        uid_base: int = DEFAULT_UID_BASE,
        read_only: Sequence[str] = (),
    ) -> None:
        """`read_only`: host directories to show read-only besides the system tree and the interpreter."""
        self.python = python or sys.executable
        self.bwrap = bwrap or shutil.which("bwrap") or "bwrap"
        self.uid_base = uid_base
        self.read_only = list(read_only)
        self._lock = threading.Lock()
        self._layout: dict[str, Any] | None = None
        self._check: Check | None = None
        self._slots: SlotPool | None = None

    def _prepare(self) -> dict[str, Any]:
        """Options and paths worked out once per sandbox (the first caller does it, under a lock)."""
        with self._lock:
            if self._layout is None:
                self._layout = _layout(self.bwrap, self.python, self.read_only)
            return self._layout

    def check(self) -> Check:
        """Run a probe program once; ok only if it ran isolated as a non-root uid."""
        with self._lock:
            if self._check is not None:
                return self._check
        result = _probe(self)
        with self._lock:
            self._check = result
        return result

    def run(
        self,
        files: Mapping[str, str | bytes],
        command: Sequence[str],
        limits: Limits,
        *,
        stdin: str | bytes | None = None,
    ) -> ExecResult:
        """Run `command` in a fresh work directory (/tmp/work inside) holding `files`; blocks; thread-safe."""
        if not command:
            raise ValueError("command must not be empty")
        layout = self._prepare()
        if layout.get("error"):
            return result_from({}, mode=self.mode, exit_code=None, signum=None, error=layout["error"])
        root_caller = os.geteuid() == 0
        for name in files:
            checked_name(name)
        spec = {
            "argv": _argv(self.bwrap, layout, limits, self.python),
            "env": {"PATH": os.defpath, "LANG": "C.UTF-8"},
            "cwd": "/",
            "rlimits": [],  # the stub applies the program's own limits just before it execs the program
            "uid_base": self.uid_base if root_caller else None,
            "output_bytes": limits.output_bytes,
        }
        program = {
            "files": {name: _latin1(content) for name, content in files.items()},
            "stdin": None if stdin is None else _latin1(stdin),
            "rlimits": rlimit_rows(limits),
            "argv": list(command),
            "inline": command[0] == self.python and len(command) > 1 and not command[1].startswith("-"),
        }
        job = {"sandbox": spec, "wall": limits.wall_seconds, "grace": KILL_GRACE, "program": program}
        with self._lock:
            if self._slots is None:
                self._slots = SlotPool({"expose": layout["expose"] if root_caller else []})
            slots = self._slots
        report = slots.call(job, limits.wall_seconds + SUPERVISOR_SLACK)
        return _result(report, self.mode)

    def close(self) -> None:
        """Stop the servers and their waiting sandboxes (a later `run` starts new ones)."""
        with self._lock:
            slots, self._slots = self._slots, None
        if slots is not None:
            slots.close()


def _latin1(content: str | bytes) -> str:
    """Bytes as a JSON-safe string that the stub turns back into the same bytes."""
    return (content.encode() if isinstance(content, str) else content).decode("latin-1")


def _layout(bwrap: str, python: str, read_only: list[str]) -> dict[str, Any]:
    """Supported bwrap options and the mask / re-bind / expose plan for this interpreter."""
    try:
        help_text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30).stdout
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"error": f"bubblewrap (bwrap) not found or not runnable: {_INSTALL}"}
    if "--json-status-fd" not in help_text or "--size" not in help_text:
        return {"error": f"{version or 'bwrap'} is too old (needs --json-status-fd and --size, 0.6+): upgrade it"}
    try:
        binds = extra_binds(interpreter_prefixes(python), read_only)
        expose = expose_plan(binds) if os.geteuid() == 0 else []
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return {"error": f"the sandbox cannot reach the interpreter {python}: {exc}"}
    return {
        "version": version,
        "disable_userns": "--disable-userns" in help_text,
        "system": system_entries(),
        "binds": binds,
        "expose": expose,
        "prlimit": shutil.which("prlimit"),
    }


def _argv(bwrap: str, layout: dict[str, Any], limits: Limits, python: str) -> list[Any]:
    """The bwrap command line of a sandbox waiting for its program ({"status_fd": True} becomes a descriptor)."""
    argv: list[Any] = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session"]
    if layout["disable_userns"]:
        argv.append("--disable-userns")
    argv += ["--cap-drop", "ALL", "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--hostname", "sandbox"]
    for path, link in layout["system"]:
        argv += ["--symlink", link, path] if link is not None else ["--ro-bind", path, path]
    argv += ["--dev", "/dev", "--proc", "/proc"]
    argv += ["--size", str(limits.tmpfs_bytes), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    argv += ["--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp"]
    argv += ["--size", str(_VAR_TMP_BYTES), "--tmpfs", "/var/tmp"]
    for path in layout["binds"]:
        argv += ["--ro-bind", path, path]
    argv += ["--dir", WORK, "--remount-ro", "/", "--chdir", WORK, "--clearenv"]
    for key, value in program_env(python, home=WORK, tmp="/tmp").items():
        argv += ["--setenv", key, value]
    argv += ["--json-status-fd", {"status_fd": True}, "--"]
    return argv + [python, "-c", STUB]


def _result(report: dict[str, Any], mode: str) -> ExecResult:
    """bwrap reports the program's exit code on the status fd only if the program was exec'd."""
    error = report.get("error") or report.get("exec_error")
    if error and ("unshare(CLONE_NEWNS)" in error or "mount " in error):
        error = f"{error}: {_EXPOSE}"
    exit_code = signum = None
    exited = [json.loads(line) for line in str(report.get("status_lines") or "").splitlines() if "exit-code" in line]
    if error is None and exited:
        code = int(exited[-1]["exit-code"])
        if code > 128:  # bwrap turns death by signal N into exit 128 + N
            signum = code - 128
        else:
            exit_code = code
    elif error is None and not report.get("timed_out"):
        lines = [ln for ln in report_text(report, "stderr").splitlines() if ln.startswith("bwrap:")]
        error = lines[-1] if lines else "bwrap exited before starting the program"
        if "namespace" in error or "uid map" in error or "Operation not permitted" in error:
            error = f"{error}: {_USERNS}"
    if error is None and report.get("leftover"):
        error = f"{report['leftover']} process(es) survived the kill"
    return result_from(report, mode=mode, exit_code=exit_code, signum=signum, error=error)


def _probe(sandbox: BwrapSandbox) -> Check:
    """One tiny program: it must run, see no network interface but lo, and a non-root uid."""
    code = "import os, socket\nprint(os.getuid(), len(socket.if_nameindex()))\n"
    result = run_python(sandbox, code, Limits(wall_seconds=20.0))
    if result.status == "sandbox_error":
        return Check(False, f"bwrap sandbox unavailable: {result.error}")
    if not result.passed:
        return Check(False, f"bwrap sandbox probe {result.status}: {result.stderr.strip()[-300:]}")
    uid, interfaces = result.stdout.split()
    if uid == "0":
        return Check(False, "bwrap sandbox probe ran as uid 0; refusing to use it")
    layout = sandbox._prepare()
    return Check(True, f"{layout['version']}: isolated, uid {uid} inside, {interfaces} network interface (lo)")
