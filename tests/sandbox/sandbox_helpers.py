"""Helpers shared by the sandbox probe tests: a loopback-server record and a probe runner that finds leftovers."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field

from pytest_evalindex.sandbox import ExecResult, Limits, Sandbox
from pytest_evalindex.sandbox.proctree import processes_with_token


@dataclass
class LoopbackServer:
    """A TCP server on the host's 127.0.0.1 that counts the connections it accepted."""

    port: int
    accepted: list[str] = field(default_factory=list)


@dataclass
class Probe:
    """Runs one hostile program under a file name holding a unique token, so leftovers can be found in /proc."""

    sandbox: Sandbox
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def run(self, source: str, limits: Limits, stdin: str | None = None) -> tuple[ExecResult, float]:
        name = f"probe_{self.token}.py"
        started = time.monotonic()
        result = self.sandbox.run({name: source}, [self.sandbox.python, name], limits, stdin=stdin)
        return result, time.monotonic() - started

    def leftovers(self) -> list[int]:
        """Processes still carrying the token (the program, its children, bwrap), after a short settle."""
        deadline = time.monotonic() + 1.0
        found = processes_with_token(self.token)
        while found and time.monotonic() < deadline:
            time.sleep(0.05)
            found = processes_with_token(self.token)
        return [pid for pid in found if pid != os.getpid()]
