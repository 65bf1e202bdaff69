"""Running sandboxed programs off the asyncio loop, in a thread pool sized to the machine."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from pytest_evalindex.sandbox.api import ExecResult, Limits, Sandbox


def default_workers() -> int:
    """One program per CPU the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not every platform has sched_getaffinity
        return max(1, os.cpu_count() or 1)


class SandboxPool:
    """A thread pool whose threads each block in `Sandbox.run`; the programs themselves run in child processes."""

    def __init__(self, sandbox: Sandbox, workers: int | None = None) -> None:
        self.sandbox = sandbox
        self.workers = workers or default_workers()
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="evalindex-sandbox")

    def submit(
        self,
        files: Mapping[str, str | bytes],
        command: Sequence[str],
        limits: Limits,
        *,
        stdin: str | bytes | None = None,
    ) -> Future[ExecResult]:
        """Queue one program; the future resolves to its ExecResult."""
        return self._executor.submit(self.sandbox.run, dict(files), list(command), limits, stdin=stdin)

    async def run(
        self,
        files: Mapping[str, str | bytes],
        command: Sequence[str],
        limits: Limits,
        *,
        stdin: str | bytes | None = None,
    ) -> ExecResult:
        """Await one program from asyncio code without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(files, command, limits, stdin=stdin))

    def close(self) -> None:
        """Wait for queued programs, then stop the threads."""
        self._executor.shutdown(wait=True)

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
