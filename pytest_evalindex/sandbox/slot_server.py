"""One long-lived process per pool slot: it runs programs one at a time, each in its own fresh bwrap sandbox,
and keeps the slot's next sandboxes (AHEAD of them) starting while the current program runs, so a program waits
for nothing but its hand-over.

Runs as `python -I -S` (stdlib only, see slots.py). Reads one JSON job per line on stdin and writes one JSON
report per line on stdout; ends (discarding its waiting sandboxes) at the end of stdin. Each sandbox belongs to a
minder, a process forked from this one that starts bwrap with the waiting stub (stub.py), waits for its
program, hands it over, enforces the wall time and kills the whole tree, exactly as the one-shot supervisor
does. A sandbox is only ever given one program.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import sys
import time
from typing import Any

from pytest_evalindex.sandbox import native, proctree
from pytest_evalindex.sandbox.stub import encode
from pytest_evalindex.sandbox.supervisor import Launched

AHEAD = 2  # sandboxes kept waiting per slot: one program's time to start is too little on busy CPUs
TOP_UP_AFTER = 0.02  # seconds into a program before the next sandboxes start (off every program's path)


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _close_other_fds(keep: set[int]) -> None:
    """The minder holds nothing of the server's: not the host's pipes, not another minder's."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass  # the directory's own fd, already gone


def _mind(spec: dict[str, Any], go_r: int, report_w: int, server: int) -> None:
    """In the minder: start the sandbox now, wait for the program, run it, report, exit."""
    _close_other_fds({go_r, report_w})
    native.set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != server:
        return
    native.set_child_subreaper()
    control_r, control_w = os.pipe()
    child = Launched(spec, stdin_fd=control_r)
    go = _read_all(go_r)
    if not go:  # not needed after all
        os.close(control_w)
        os.killpg(child.pid, signal.SIGKILL)
        os.waitpid(child.pid, 0)
        proctree.kill_tree(float(spec.get("grace", 5.0)))
        return
    job = json.loads(go)
    if job.get("prestarted") and child.exec_error is None and child.exited():
        result: dict[str, Any] = {"stale": True}
        os.close(control_w)
        child.finish(time.monotonic(), time.monotonic(), float(job["grace"]))
    else:
        started = time.monotonic()
        program = job["program"]
        files = {name: text.encode("latin-1") for name, text in program["files"].items()}
        stdin = None if program["stdin"] is None else program["stdin"].encode("latin-1")
        feed = (control_w, encode(program["argv"], files, stdin, program["rlimits"], program["inline"]))
        result = child.finish(started, started + float(job["wall"]), float(job["grace"]), feed)
    _write_all(report_w, json.dumps(result).encode())
    os.close(report_w)  # the end of the report now, not when this process has finished exiting


class Minder:
    """Server side of one sandbox: the minder's pid, the pipe its program goes into, the pipe its report
    comes back on."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        go_r, self.go = os.pipe()
        self.reports, report_w = os.pipe()
        server = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                _mind(spec, go_r, report_w, server)
            except BaseException as exc:
                try:
                    os.write(report_w, json.dumps({"error": f"sandbox minder: {type(exc).__name__}: {exc}"}).encode())
                except OSError:
                    pass  # the report was already sent and its pipe closed
            finally:
                os._exit(0)
        os.close(go_r)
        os.close(report_w)

    def start(self, job: dict[str, Any]) -> None:
        """Hand the program over (the minder starts its wall clock when it has read it)."""
        try:
            _write_all(self.go, json.dumps(job).encode())
        except OSError:
            pass  # the minder is gone: report() says so
        os.close(self.go)

    def report(self) -> dict[str, Any]:
        """Wait for the program's report (the minder is reaped later, off the program's critical path)."""
        data = _read_all(self.reports)
        os.close(self.reports)
        try:
            parsed: dict[str, Any] = json.loads(data)
        except ValueError:
            return {"error": "the sandbox minder ended without a report"}
        return parsed

    def discard(self) -> None:
        """End the waiting sandbox unused."""
        os.close(self.go)
        _read_all(self.reports)
        os.close(self.reports)
        _reap(self.pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # already collected by reap_some()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def serve(lines: Any, out: Any) -> None:
    """The job loop: one report line per job line; sandboxes for the next programs start while one runs."""
    waiting: list[Minder] = []
    for line in lines:
        job = json.loads(line)
        spec = job.pop("sandbox")
        if waiting and waiting[0].spec != spec:
            _discard(waiting)  # other limits (the size of /tmp): those sandboxes do not fit
        try:
            report = _run(job, spec, waiting)
        except OSError as exc:  # no process or descriptor left for a minder
            report = {"error": f"the sandbox could not start: {exc}"}
        out.write(json.dumps(report).encode() + b"\n")
        out.flush()
        _top_up(waiting, spec)  # if the program ended before the top-up (a no-op otherwise)
        proctree.reap_some()  # finished minders (one still exiting is collected after the next program)
    _discard(waiting)


def _top_up(waiting: list[Minder], spec: dict[str, Any]) -> None:
    try:
        while len(waiting) < AHEAD:
            waiting.append(Minder(spec))
    except OSError:
        pass  # the next programs start their own


def _discard(waiting: list[Minder]) -> None:
    while waiting:
        waiting.pop().discard()


def _run(job: dict[str, Any], spec: dict[str, Any], waiting: list[Minder]) -> dict[str, Any]:
    """Run `job` in the oldest waiting sandbox (or a new one) and return its report; meanwhile `waiting` is
    topped up to AHEAD sandboxes, so each has AHEAD programs' time to start even when the CPUs are busy."""
    job["prestarted"] = bool(waiting)
    minder = waiting.pop(0) if waiting else Minder(spec)
    minder.start(job)
    # Start the next sandboxes once this program is under way, not while its own start needs the CPUs.
    if not select.select([minder.reports], [], [], TOP_UP_AFTER)[0]:
        _top_up(waiting, spec)
    report = minder.report()
    if job["prestarted"] and ("stale" in report or "error" in report or _never_started(report)):
        # The waiting sandbox (or its minder) died before its program came, or was dying as it came: one fresh try.
        job["prestarted"] = False
        try:
            retry = Minder(spec)
        except OSError as exc:
            return {"error": f"the sandbox could not start: {exc}"}
        retry.start(job)
        report = retry.report()
    return report


def _never_started(report: dict[str, Any]) -> bool:
    """bwrap ended without its status line for the program's exit and not by the wall time: the sandbox was
    gone before the program could run (a program cannot end bwrap's own process outside its namespace)."""
    return not report.get("timed_out") and "exit-code" not in str(report.get("status_lines") or "")


def main() -> int:
    """Entry point: a config line ({"expose": [...]}) first, then jobs; exit 0 at the end of stdin."""
    gc.disable()  # no reference cycles worth collecting here; a collection in a forked minder copies pages
    gc.freeze()
    stdin = sys.stdin.buffer
    config = json.loads(stdin.readline() or b"{}")
    native.set_child_subreaper()
    if config.get("expose"):
        native.private_mount_namespace()
        for hidden, prefixes in config["expose"]:
            native.expose_under(hidden, prefixes)
    serve(iter(stdin.readline, b""), sys.stdout.buffer)
    return 0
