"""The per-process model engine: one ``AsyncOpenAI`` client on a background event loop, K requests in flight.

pytest runs items one after another on the main thread; the engine runs their model calls on
its own asyncio loop in a daemon thread. ``submit`` starts a call (idempotent per key) and
returns a ``concurrent.futures.Future``; a semaphore of K bounds the calls in flight. The caller
(the item scheduler) submits the items this process will run next, so their answers are ready
when pytest reaches them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_evalindex.core.hashing import (
    fingerprint_from,
    messages_digest,
    request_head,
)
from pytest_evalindex.model.api import Completion, EmptyAnswer, ModelCallError
from pytest_evalindex.model.openai_chat import call_chat, make_client
from pytest_evalindex.model.retry import AdaptiveLimit, with_retries


class AnswerStore(Protocol):
    """Where answers are kept the moment they arrive, keyed by :func:`request_fingerprint`."""

    def get(self, fingerprint: str, messages: list[dict[str, Any]]) -> Completion | None: ...

    def put(self, fingerprint: str, completion: Completion) -> None: ...


@dataclass(frozen=True)
class EngineConfig:
    """What the engine needs to reach the model."""

    model: str
    base_url: str
    api_key: str | None = field(repr=False)
    generation_config: Mapping[str, Any]
    timeout: float
    max_retries: int
    batch_size: int
    cache_url: str | None = None  # the URL's part of the cache key when the address does not identify the
    # model (the built-in mock listens on a new port each run: it is keyed by its script instead)


@dataclass
class EngineCounters:
    """What one process did: requests sent, peak concurrency, time pytest waited for answers."""

    requests: int = 0
    max_in_flight: int = 0
    in_flight: int = 0
    wait_seconds: float = 0.0
    cancelled: int = 0
    cached: int = 0
    request_seconds: float = 0.0
    lowest_limit: int = 1 << 30

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "max_in_flight": self.max_in_flight,
                "wait_seconds": round(self.wait_seconds, 3), "cancelled": self.cancelled, "cached": self.cached,
                "request_seconds": round(self.request_seconds, 3),
                "lowest_limit": self.lowest_limit if self.lowest_limit < 1 << 30 else None}


class Engine:
    """Runs model calls for one process, at most ``batch_size`` at a time.

    Exactly-once per item: a call marks its key *sent* on the loop thread just before the HTTP
    request, and :meth:`release` (an item handed to another process) only succeeds for keys not yet
    sent, both under one lock — so an item is never requested by two processes.
    """

    def __init__(self, config: EngineConfig, store: AnswerStore | None = None, offline: str | None = None) -> None:
        """``offline``, when set, is the error message for a sample the store has no answer for
        (re-scoring and imported predictions never call the model)."""
        self.config = config
        self.store = store
        self.offline = offline
        self.counters = EngineCounters()
        self._request_head = request_head(config.model, config.cache_url or config.base_url, config.generation_config)
        self._futures: dict[str, concurrent.futures.Future[Completion]] = {}
        self._lock = threading.Lock()
        self._sent: set[str] = set()
        self._released: set[str] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="evalindex-engine", daemon=True)
        self._thread.start()
        self._limit: AdaptiveLimit | None = None
        self._client: Any = None
        self._closed = False
        self._reached = False  # the server answered a request in this run
        self._unreachable_streak = 0  # calls in a row that could not connect

    # -- main-thread API -------------------------------------------------------------------

    def submit(self, key: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               *, reclaim: bool = False, digest: str | None = None) -> concurrent.futures.Future[Completion]:
        """Start the call for ``key`` unless it was started already; return its future.

        A key given away by :meth:`release` is not started again (the look-ahead may still list it
        for a moment after a steal) unless ``reclaim``: its item is about to run here after all.
        """
        with self._lock:
            future = self._futures.get(key)
            if future is not None:
                return future
            if key in self._released:
                if not reclaim:
                    gone: concurrent.futures.Future[Completion] = concurrent.futures.Future()
                    gone.cancel()
                    return gone
                self._released.discard(key)
        fingerprint = fingerprint_from(self._request_head, tools, digest or messages_digest(messages))
        cached = self.store.get(fingerprint, messages) if self.store is not None else None
        if cached is not None:
            cached.cached = True
            self.counters.cached += 1
            future = concurrent.futures.Future()
            future.set_result(cached)
        elif self.offline:
            future = concurrent.futures.Future()
            future.set_exception(ModelCallError(self.offline))
        else:
            future = asyncio.run_coroutine_threadsafe(self._call(key, fingerprint, messages, tools), self._loop)
        with self._lock:
            self._futures[key] = future
        return future

    def is_submitted(self, key: str) -> bool:
        return key in self._futures

    def result(self, key: str) -> Completion:
        """Block until the answer for ``key`` is there; raise :class:`ModelCallError` on failure."""
        future = self._futures[key]
        started = time.perf_counter()
        try:
            return future.result()
        finally:
            self.counters.wait_seconds += time.perf_counter() - started
            with self._lock:
                self._futures.pop(key, None)

    def cancel(self, key: str) -> None:
        """Cancel a pending call whose item will not run here (stolen, or the run stopped)."""
        with self._lock:
            future = self._futures.pop(key, None)
        if future is not None and future.cancel():
            self.counters.cancelled += 1

    def release(self, key: str) -> bool:
        """Give up ``key`` to another process: ``True`` unless its request was already sent.

        Safe to call from any thread (xdist's command thread calls it when work is stolen).
        """
        with self._lock:
            if key in self._sent:
                return False
            self._released.add(key)
            future = self._futures.pop(key, None)
        if future is not None and future.cancel():
            self.counters.cancelled += 1
        return True

    def pending_keys(self) -> list[str]:
        with self._lock:
            return list(self._futures)

    def close(self) -> None:
        """Cancel what is pending, close the client and stop the loop."""
        if self._closed:
            return
        self._closed = True
        for key in self.pending_keys():
            self.cancel(key)
        if self._client is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._client.close(), self._loop).result(timeout=5)
            except Exception:
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- event-loop side --------------------------------------------------------------------

    async def _call(self, key: str, fingerprint: str, messages: list[dict[str, Any]],
                    tools: list[dict[str, Any]] | None) -> Completion:
        if self._limit is None:
            self._limit = AdaptiveLimit(self.config.batch_size)
            self._client = make_client(self.config.base_url, self.config.api_key, timeout=self.config.timeout,
                                       max_retries=self.config.max_retries, max_connections=self.config.batch_size)
        counters = self.counters
        last_empty: list[Completion] = []  # the latest attempt's empty answer, if it was one

        async def attempt() -> Completion:
            with self._lock:
                if key in self._released:
                    raise asyncio.CancelledError
                self._sent.add(key)
            counters.requests += 1
            counters.in_flight += 1
            counters.max_in_flight = max(counters.max_in_flight, counters.in_flight)
            started = time.perf_counter()
            last_empty.clear()
            try:
                return await call_chat(self._client, self.config.model, messages,
                                       self.config.generation_config, tools=tools)
            except EmptyAnswer as empty:
                last_empty.append(empty.completion)
                raise
            finally:
                counters.in_flight -= 1
                counters.request_seconds += time.perf_counter() - started

        try:
            completion = await with_retries(attempt, self._limit, self.config.max_retries)
        except ModelCallError as exc:
            if last_empty:  # empty on every attempt: that is the model's answer
                return self._keep(fingerprint, last_empty[0])
            if exc.unreachable:
                self._unreachable_streak += 1
                # Never answered in this run (a wrong URL), or gone for good (every request in flight
                # failed twice over, each after its retries): the remaining requests would fail the same way.
                if not self._reached or self._unreachable_streak >= 2 * self.config.batch_size:
                    exc.fatal = True
            raise
        return self._keep(fingerprint, completion)

    def _keep(self, fingerprint: str, completion: Completion) -> Completion:
        """Note an answered call and cache its answer."""
        self._reached = True
        self._unreachable_streak = 0
        if self._limit is not None:
            self.counters.lowest_limit = min(self.counters.lowest_limit, self._limit.lowest)
        if self.store is not None:
            self.store.put(fingerprint, completion)
        return completion


__all__ = ["AnswerStore", "Completion", "Engine", "EngineConfig", "EngineCounters", "ModelCallError"]
