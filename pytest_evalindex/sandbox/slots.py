"""Host side of the per-slot servers (slot_server.py): start them, hand each program to an idle one, stop them."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import weakref
from typing import Any

from pytest_evalindex.sandbox.launch import stdlib_boot

_BOOT = stdlib_boot("slot_server")


class SlotError(Exception):
    """A slot server failed or overran; the slot is stopped and the message names why."""


class SlotServer:
    """One server process: one program at a time; `call` blocks until that program's report."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd="/",
            env={"PATH": os.defpath, "LANG": "C.UTF-8"},
            start_new_session=True,
        )
        self._buffer = b""
        self._send(config)

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise SlotError(f"the sandbox server is gone ({exc}){self._stderr_tail()}") from None

    def call(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one job and read its report line within `timeout` seconds."""
        self._send(job)
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise SlotError("the sandbox supervisor did not finish in time")
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise SlotError(f"the sandbox supervisor failed: {self._stderr_tail() or 'it exited'}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        report: dict[str, Any] = json.loads(line)
        return report

    def _stderr_tail(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        lines = self.proc.stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.proc.returncode}"

    def close(self) -> None:
        """End of input: the server discards its waiting sandbox and exits."""
        if self.proc.poll() is None and self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def kill(self) -> None:
        """Kill the server and its minders (one process group); their sandboxes die with them."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


class SlotPool:
    """Servers started on demand, one per program running at once; thread-safe."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._idle: list[SlotServer] = []
        self._all: set[SlotServer] = set()
        self._finalizer = weakref.finalize(self, _close_all, self._all)

    def call(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Run `job` on an idle server (a new one if none is idle); {"error": …} if the server failed."""
        with self._lock:
            server = self._idle.pop() if self._idle else None
        if server is not None and server.proc.poll() is not None:  # died while idle: replace it
            server.close()
            with self._lock:
                self._all.discard(server)
            server = None
        if server is None:
            try:
                server = SlotServer(self.config)
            except OSError as exc:  # no process or file descriptor left for the server
                return {"error": f"the sandbox supervisor could not start: {exc}"}
            with self._lock:
                self._all.add(server)
        try:
            report = server.call(job, timeout)
        except SlotError as exc:
            server.kill()
            with self._lock:
                self._all.discard(server)
            return {"error": str(exc)}
        with self._lock:
            self._idle.append(server)
        return report

    def close(self) -> None:
        """Stop every server (their waiting sandboxes end unused)."""
        with self._lock:
            self._idle.clear()
        _close_all(self._all)


def _close_all(servers: set[SlotServer]) -> None:
    for server in list(servers):
        server.close()
        servers.discard(server)
