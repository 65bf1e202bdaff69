"""Code-execution scoring off the main thread: a sample's program starts in the sandbox pool as soon as its
answer arrives, so programs run while the model answers the next samples and pytest runs earlier items."""

from __future__ import annotations

import math
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pytest_evalindex.sandbox import make_sandbox
from pytest_evalindex.sandbox.api import Sandbox
from pytest_evalindex.sandbox.pool import default_workers
from pytest_evalindex.sandbox.unsafe import UNSAFE_NOTE
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.registry import ScorerSpec

UNSAFE_WARNING = f"evalindex: {UNSAFE_NOTE}"


class SandboxUnavailable(Exception):
    """The chosen sandbox does not work on this machine; the message is one line saying how to fix it."""


def open_sandbox(mode: str) -> Sandbox:
    """The sandbox for ``mode``, probed once with a trivial program (raises :class:`SandboxUnavailable`)."""
    sandbox = make_sandbox(mode)
    check = sandbox.check()
    if not check.ok:
        raise SandboxUnavailable(check.message)
    return sandbox


def needs_sandbox(spec: ScorerSpec) -> bool:
    """Whether ``spec`` scores by running the model's code."""
    return "sandbox" in spec.needs


def repeat_key(nodeid: str, repeat: int) -> str:
    """The program key of one answer of a sample (``--eval-repeats``: each answer runs its own program)."""
    return nodeid if repeat == 0 else f"{nodeid}#{repeat}"


def run_scorer(spec: ScorerSpec, sample: ScoreInput) -> Score:
    """``spec``'s score of ``sample``; a scorer that raises excludes the sample with a one-line cause."""
    try:
        return spec.fn(sample)
    except Exception as exc:
        return Score(value=None, extracted=None, metric=spec.metric,
                     explanation=f"scorer {spec.name!r} raised {type(exc).__name__}: {exc}")


class CodeRunner:
    """A pool of threads, each waiting on one sandboxed program; scores are kept by node id until asked for."""

    def __init__(self, sandbox: Sandbox, workers: int | None = None) -> None:
        self.sandbox = sandbox
        self.workers = workers or default_workers()
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="evalindex-code")
        self._scores: dict[str, Future[Score]] = {}
        self._scored: set[str] = set()  # a late start (the answer's callback after score()) must not run it again
        self._lock = threading.Lock()
        self._seconds: list[float] = []
        # A thread whose program has ended waits for the GIL up to the switch interval (5 ms) while the main
        # thread or the request loop compute; a shorter one hands it over sooner (restored by close()).
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, 0.001))

    def start(self, key: str, spec: ScorerSpec, sample: ScoreInput) -> None:
        """Queue ``sample``'s program (once per key; safe from any thread)."""
        with self._lock:
            if key in self._scores or key in self._scored:
                return
            self._scores[key] = self._executor.submit(self._timed, spec, sample)

    def score(self, key: str, spec: ScorerSpec, sample: ScoreInput) -> Score:
        """The score of ``key``: the program started ahead of time, or one started now; blocks until done."""
        self.start(key, spec, sample)
        with self._lock:
            future = self._scores.pop(key)
            self._scored.add(key)
        return future.result()

    def _timed(self, spec: ScorerSpec, sample: ScoreInput) -> Score:
        started = time.perf_counter()
        try:
            return run_scorer(spec, sample)
        finally:
            with self._lock:
                self._seconds.append(time.perf_counter() - started)

    def counters(self) -> dict[str, Any]:
        """Programs run and their times (``program_times`` is dropped from the written report)."""
        with self._lock:
            times = [round(t, 4) for t in self._seconds]
        return {"programs": len(times), "program_seconds": round(math.fsum(times), 4), "program_times": times,
                "sandbox_workers": self.workers}

    def close(self) -> None:
        """Drop queued programs, wait for running ones (each is bounded by its wall-time limit), stop the sandbox."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.sandbox.close()
        sys.setswitchinterval(self._switch)


def p95(times: list[float]) -> float:
    """The 95th percentile (nearest rank) of ``times``; 0.0 when empty."""
    if not times:
        return 0.0
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
