"""The sandbox contract: Limits in, ExecResult out, and the Sandbox protocol every backend implements."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

MiB = 1 << 20
GiB = 1 << 30

Status = Literal["passed", "failed", "timeout", "cpu_limit", "memory", "killed", "sandbox_error"]
"""What happened to a program.

passed: exit 0. failed: non-zero exit. timeout: still running at the wall-time limit. cpu_limit: killed by the
CPU-time limit. memory: died of a MemoryError (the address-space limit). killed: ended by another signal.
All of these are outcomes of the program and score like EvalScope (only passed counts).
sandbox_error: the sandbox itself could not run the program (bwrap missing or broken, user namespaces
refused, interpreter unreadable); the sample must be excluded, never scored as a failing program.
"""

PROGRAM_OUTCOMES: frozenset[str] = frozenset({"passed", "failed", "timeout", "cpu_limit", "memory", "killed"})


@dataclass(frozen=True)
class Limits:
    """Per-program limits. cpu_seconds defaults to the wall time rounded up plus one second."""

    wall_seconds: float = 4.0
    cpu_seconds: int | None = None
    memory_bytes: int = 2 * GiB
    processes: int = 64
    file_bytes: int = 16 * MiB
    open_files: int = 256
    output_bytes: int = 1 * MiB
    tmpfs_bytes: int = 64 * MiB

    def __post_init__(self) -> None:
        if not (self.wall_seconds > 0 and math.isfinite(self.wall_seconds)):
            raise ValueError(f"wall_seconds must be a finite number > 0 (got {self.wall_seconds!r})")
        for name in ("memory_bytes", "processes", "file_bytes", "open_files", "output_bytes", "tmpfs_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0 (got {getattr(self, name)!r})")
        if self.cpu_seconds is not None and self.cpu_seconds <= 0:
            raise ValueError(f"cpu_seconds must be > 0 (got {self.cpu_seconds!r})")

    @property
    def cpu(self) -> int:
        """The CPU-time limit in whole seconds (SIGXCPU at this, SIGKILL one second later)."""
        return self.cpu_seconds if self.cpu_seconds is not None else math.ceil(self.wall_seconds) + 1


@dataclass(frozen=True)
class ExecResult:
    """One program run. stdout/stderr hold at most Limits.output_bytes each (decoded as UTF-8, replaced)."""

    status: Status
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_seconds: float = 0.0
    mode: str = ""
    error: str | None = None
    leftover_processes: int = 0

    @property
    def passed(self) -> bool:
        """The program exited 0 within its limits."""
        return self.status == "passed"

    @property
    def scored(self) -> bool:
        """An outcome of the program (score it); False for a sandbox failure (exclude the sample)."""
        return self.status != "sandbox_error"


@dataclass(frozen=True)
class Check:
    """Whether a sandbox works here; `message` is one line (what works, or how to install or enable it)."""

    ok: bool
    message: str


class Sandbox(Protocol):
    """Runs one program per call in a fresh work directory. `run` blocks and is safe to call from many threads."""

    mode: str
    python: str

    def check(self) -> Check:
        """Probe the backend once (cached): a trivial program must run and report a non-root uid."""
        ...

    def run(
        self,
        files: Mapping[str, str | bytes],
        command: Sequence[str],
        limits: Limits,
        *,
        stdin: str | bytes | None = None,
    ) -> ExecResult:
        """Write `files` into a fresh work directory and run `command` there (argv[0] absolute or on PATH)."""
        ...

    def close(self) -> None:
        """Stop whatever the backend keeps running between programs (a later `run` starts it again)."""
        ...


def run_python(sandbox: Sandbox, source: str, limits: Limits, *, stdin: str | bytes | None = None) -> ExecResult:
    """Run one Python source file (`main.py` in the work directory) with the sandbox's interpreter."""
    return sandbox.run({"main.py": source}, [sandbox.python, "main.py"], limits, stdin=stdin)
