"""The per-program supervisor process: start the program under limits, enforce the wall time, kill the tree.

Runs as its own single-threaded process (`python -I -S`, stdlib only), so that forking, setting rlimits,
unsharing the mount namespace and dropping the uid never happen in the multi-threaded test process: one per
program for the unsafe backend (launch.py; a JSON job on stdin, one JSON result on stdout), and `Launched`,
inside the minder of each bwrap sandbox (slot_server.py).
"""

from __future__ import annotations

import base64
import json
import os
import resource
import selectors
import signal
import sys
import time
from typing import Any

from pytest_evalindex.sandbox import native, proctree


class Capture:
    """The first `cap` bytes of a stream; the rest is read and dropped so the writer never blocks."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        if room > 0:
            self.data += chunk[:room]


def resolve_argv(argv: list[Any], status_w: int) -> list[str]:
    """Replace {"open": path} with an inheritable read-only fd number and {"status_fd": true} with `status_w`."""
    out: list[str] = []
    for item in argv:
        if isinstance(item, dict) and "open" in item:
            fd = os.open(item["open"], os.O_RDONLY)
            os.set_inheritable(fd, True)
            out.append(str(fd))
        elif isinstance(item, dict) and item.get("status_fd"):
            os.set_inheritable(status_w, True)
            out.append(str(status_w))
        else:
            out.append(str(item))
    return out


def start_child(job: dict[str, Any], argv: list[str], fds: tuple[int, int, int], report_w: int, uid: int | None) -> None:
    """In the forked child: wire stdio, apply limits, drop privileges, exec. Never returns."""
    supervisor = os.getppid()
    try:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.chdir(job["cwd"])
        for name, soft, hard in job["rlimits"]:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        native.set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != supervisor:
            raise RuntimeError("the supervisor died before the program started")
        for signum in (signal.SIGPIPE, signal.SIGXFSZ):  # Python ignores these; the program gets the defaults
            signal.signal(signum, signal.SIG_DFL)
        os.execve(argv[0], argv, job["env"])
    except BaseException as exc:  # report any failure before exec through the pipe, then die
        os.write(report_w, f"{type(exc).__name__}: {exc}".encode(errors="replace")[:2000])
    finally:
        os._exit(127)


def wait_exec(report_r: int) -> str | None:
    """None when the child exec'd (the close-on-exec pipe closed empty), else the child's error message."""
    chunks = []
    while True:
        chunk = os.read(report_r, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(report_r)
    return b"".join(chunks).decode(errors="replace") if chunks else None


class Launched:
    """A started child (bwrap, or the program itself): its pid, its output pipes and how its exec went."""

    def __init__(self, job: dict[str, Any], stdin_fd: int | None = None) -> None:
        """Fork and exec `job["argv"]` with `stdin_fd` (default: the job's stdin file) as its stdin."""
        self.uid_base = job.get("uid_base")
        if stdin_fd is None:
            stdin_fd = os.open(job["stdin"] or os.devnull, os.O_RDONLY)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        status_r, status_w = os.pipe()
        report_r, report_w = os.pipe()
        argv = resolve_argv(job["argv"], status_w)
        self.pid = os.fork()
        if self.pid == 0:
            uid = None if self.uid_base is None else int(self.uid_base) + os.getpid()
            start_child(job, argv, (stdin_fd, out_w, err_w), report_w, uid)
        # One uid per live sandbox: the child's pid cannot be reused before the child is reaped.
        self.uid = None if self.uid_base is None else int(self.uid_base) + self.pid
        for fd in (stdin_fd, out_w, err_w, status_w, report_w):
            os.close(fd)
        self.exec_error = wait_exec(report_r)
        self.out, self.err, self.status = Capture(job["output_bytes"]), Capture(job["output_bytes"]), Capture(1 << 16)
        self.captures = {out_r: self.out, err_r: self.err, status_r: self.status}

    def exited(self) -> bool:
        """Whether the child has already exited (it stays unreaped)."""
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def finish(
        self, started: float, deadline: float, grace: float, feed: tuple[int, bytes] | None = None
    ) -> dict[str, Any]:
        """Watch until exit or `deadline` (writing `feed` meanwhile), kill every descendant, describe the run."""
        result: dict[str, Any] = {"uid": self.uid, "exec_error": self.exec_error, "timed_out": False}
        result.update(watch(self.pid, self.captures, deadline, feed))
        # The child is not reaped yet, so its process group id cannot have been recycled.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the child died before its setsid()
        os.waitpid(self.pid, 0)
        result["leftover"] = proctree.kill_tree(grace)
        drain(self.captures, time.monotonic() + 1.0)
        result["wall"] = time.monotonic() - started
        result.update(
            stdout=base64.b64encode(bytes(self.out.data)).decode(),
            stderr=base64.b64encode(bytes(self.err.data)).decode(),
            stdout_truncated=self.out.truncated,
            stderr_truncated=self.err.truncated,
            status_lines=bytes(self.status.data).decode(errors="replace"),
        )
        return result


def supervise(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job and describe what happened (see launch.py for the reading side)."""
    native.set_child_subreaper()
    if job.get("expose"):
        native.private_mount_namespace()
        for hidden, prefixes in job["expose"]:
            native.expose_under(hidden, prefixes)
    started = time.monotonic()
    child = Launched(job)
    return child.finish(started, started + float(job["wall"]), float(job.get("grace", 5.0)))


def watch(
    pid: int, captures: dict[int, Capture], deadline: float, feed: tuple[int, bytes] | None = None
) -> dict[str, Any]:
    """Capture output until the child exits or the deadline passes, writing `feed` (fd, bytes; the fd is closed
    once all is written) as the reader takes it; the child is left unreaped."""
    pidfd = os.pidfd_open(pid)
    sel = selectors.DefaultSelector()
    sel.register(pidfd, selectors.EVENT_READ)
    for fd in captures:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    pending = memoryview(feed[1]) if feed else None
    feeding = feed is not None
    if feed:
        os.set_blocking(feed[0], False)
        sel.register(feed[0], selectors.EVENT_WRITE)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                return {"timed_out": True}
            for key, _ in sel.select(left):
                if key.fd == pidfd:
                    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
                    if info is None:
                        continue
                    if info.si_code == os.CLD_EXITED:
                        return {"exit_code": info.si_status, "signal": None}
                    return {"exit_code": None, "signal": info.si_status}
                if feed and feeding and key.fd == feed[0]:
                    pending = _write_some(feed[0], pending)
                    if not pending:  # all written: close, so the reader sees the end
                        sel.unregister(feed[0])
                        os.close(feed[0])
                        feeding = False
                    continue
                if not read_into(key.fd, captures[key.fd]):
                    sel.unregister(key.fd)
    finally:
        sel.close()
        os.close(pidfd)
        if feed and feeding:
            os.close(feed[0])


def _write_some(fd: int, pending: memoryview | None) -> memoryview | None:
    """Write what the pipe takes now; None when done (or the reader is gone)."""
    if not pending:
        return None
    try:
        written = os.write(fd, pending)
    except BlockingIOError:
        return pending
    except OSError:  # the reader died: the watch loop sees the exit
        return None
    return pending[written:] or None


def read_into(fd: int, capture: Capture) -> bool:
    """Read what is available; False at end of file."""
    try:
        chunk = os.read(fd, 1 << 16)
    except BlockingIOError:
        return True
    if not chunk:
        return False
    capture.add(chunk)
    return True


def drain(captures: dict[int, Capture], deadline: float) -> None:
    """After the tree is dead, read what is left in the pipes (every writer is gone, so EOF comes quickly)."""
    open_fds = set(captures)
    sel = selectors.DefaultSelector()
    for fd in open_fds:
        sel.register(fd, selectors.EVENT_READ)
    while open_fds and time.monotonic() < deadline:
        for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
            if not read_into(key.fd, captures[key.fd]):
                sel.unregister(key.fd)
                open_fds.discard(key.fd)
    sel.close()
    for fd in captures:
        os.close(fd)


def main() -> int:
    """Entry point: job JSON on stdin, result JSON on stdout; exit 0 unless the supervisor itself failed."""
    native.set_parent_death_signal(signal.SIGKILL)
    job = json.loads(sys.stdin.buffer.read())
    try:
        result = supervise(job)
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0
