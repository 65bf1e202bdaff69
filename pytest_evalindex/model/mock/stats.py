"""Counters the mock server keeps: requests, faults, attempts per prompt, and requests in flight."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any


class MockStats:
    """Thread-safe request counters; `snapshot()` is what `/_mock/stats` returns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self.reset()

    def reset(self) -> None:
        """Zero the counters; ``in_flight`` is a live gauge and keeps counting requests still being served."""
        with self._lock:
            self._requests = 0
            self._by_status: Counter[str] = Counter()
            self._by_fault: Counter[str] = Counter()
            self._by_prompt: Counter[str] = Counter()
            self._answered: Counter[str] = Counter()
            self._max_in_flight = self._in_flight
            self._arrivals: list[float] = []
            self._tokens: list[tuple[float, int]] = []

    def enter(self) -> float:
        """Count a request arriving now; returns its arrival time."""
        with self._lock:
            now = time.time()
            self._requests += 1
            self._arrivals.append(now)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return now

    def tokens(self, arrival: float, total: int) -> None:
        """An answered request's tokens (the usage it reports), counted at its arrival time."""
        with self._lock:
            self._tokens.append((arrival, total))

    def leave(self, status: str, fault: str | None = None, key: str | None = None, answered: bool = False) -> None:
        with self._lock:
            self._in_flight -= 1
            self._by_status[status] += 1
            if fault is not None:
                self._by_fault[fault] += 1
            if answered and key is not None:
                self._answered[key] += 1

    def attempt(self, key: str) -> int:
        """Count one request for `key`; return how many came before it."""
        with self._lock:
            seen = self._by_prompt[key]
            self._by_prompt[key] = seen + 1
            return seen

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._requests,
                "by_status": dict(self._by_status),
                "by_fault": dict(self._by_fault),
                "requests_by_prompt": dict(self._by_prompt),
                "answered": dict(self._answered),
                "duplicate_answers": sorted(k for k, n in self._answered.items() if n > 1),
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "arrivals": list(self._arrivals),  # time.time() of each request, in arrival order
                "tokens": [list(pair) for pair in self._tokens],  # [arrival time, total tokens] of each answer
            }
