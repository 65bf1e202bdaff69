"""The per-process model engine: one ``AsyncOpenAI`` client on a background event loop, K requests in flight.

pytest runs items one after another on the main thread; the engine runs their model calls on
its own asyncio loop in a daemon thread. ``submit`` starts a call (idempotent per key) and
returns a ``concurrent.futures.Future``; a semaphore of K bounds the calls in flight. The caller
(the item scheduler) submits the items this process will run next, so their answers are ready
when pytest reaches them.

With ``repeats`` K > 1 every key stands for K calls (repeat 0…K-1), each cached under its own repeat
number and started together, so they share the K in flight like any other calls. A ``seed`` in the
generation config is sent as ``seed + repeat`` (repeat 0 sends it unchanged): repeats differ, reproducibly.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_evalindex.core.hashing import (
    chain_digest,
    fingerprint_from,
    messages_digest,
    request_head,
)
from pytest_evalindex.core.secrets import REGISTRY
from pytest_evalindex.model.api import Completion, EmptyAnswer, ModelCallError, chained
from pytest_evalindex.model.openai_chat import call_chat, make_client, wall_clock_timeout
from pytest_evalindex.model.retry import AdaptiveLimit, with_retries
from pytest_evalindex.model.shared_limits import Limits, estimate_tokens, pause_seconds

SENT_GRACE = 10.0
"""Seconds a closing engine waits for requests already sent, so their answers reach the answer cache."""


class AnswerStore(Protocol):
    """Where answers are kept the moment they arrive, keyed by :func:`request_fingerprint`."""

    def get(self, fingerprint: str, messages: list[dict[str, Any]], repeat: int = 0) -> Completion | None: ...

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
    limits: Limits | None = None  # paces, 429 pauses and budgets shared with the run's other processes
    repeats: int = 1
    cache_url: str | None = None  # a server known by content (the built-in mock's script) joins the cache key


def repeat_generation_config(config: Mapping[str, Any], repeat: int) -> Mapping[str, Any]:
    """The generation config sent for ``repeat``: an integer ``seed`` becomes ``seed + repeat``."""
    seed = config.get("seed")
    if repeat == 0 or not isinstance(seed, int) or isinstance(seed, bool):
        return config
    return {**config, "seed": seed + repeat}


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
    rate_limit_waits: int = 0
    rate_limit_seconds: float = 0.0
    timeouts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "max_in_flight": self.max_in_flight,
                "rate_limit_waits": self.rate_limit_waits, "rate_limit_seconds": round(self.rate_limit_seconds, 3),
                "timeouts": self.timeouts,
                "wait_seconds": round(self.wait_seconds, 3), "cancelled": self.cancelled, "cached": self.cached,
                "request_seconds": round(self.request_seconds, 3),
                "lowest_limit": self.lowest_limit if self.lowest_limit < 1 << 30 else None}


class Engine:
    """Runs model calls for one process, at most ``batch_size`` at a time.

    Exactly-once per item: a call marks its key *sent* on the loop thread just before the HTTP
    request, and :meth:`release` (an item handed to another process) only succeeds for keys none of
    whose repeats was sent, both under one lock — so an item is never requested by two processes.
    """

    def __init__(self, config: EngineConfig, store: AnswerStore | None = None, offline: str | None = None) -> None:
        """``offline``, when set, is the error message for a sample the store has no answer for
        (re-scoring and imported predictions never call the model)."""
        self.config = config
        self.store = store
        self.offline = offline
        self.counters = EngineCounters()
        self._heads = [request_head(config.model, config.base_url, config.generation_config, repeat,
                                    server=config.cache_url) for repeat in range(max(1, config.repeats))]
        self._futures: dict[tuple[str, int], concurrent.futures.Future[Completion]] = {}
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
        self._fatal: str | None = None  # a failure every further request would repeat: none is sent after it

    # -- main-thread API -------------------------------------------------------------------

    def submit(self, key: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               *, reclaim: bool = False, digest: str | None = None, repeat: int = 0,
               follow_ups: Sequence[str] = (), overrides: Mapping[str, Any] | None = None,
               ) -> concurrent.futures.Future[Completion]:
        """Start the call for ``key`` (its ``repeat``) unless it was started already; return its future.

        A key given away by :meth:`release` is not started again (the look-ahead may still list it
        for a moment after a steal) unless ``reclaim``: its item is about to run here after all.

        ``follow_ups`` makes the call a conversation: after each answer, the answer and the next user turn
        are appended and the model is asked again; the one cached answer (under a key covering every turn)
        is the last, with the earlier ones in ``Completion.earlier``. ``overrides`` replace generation settings
        for this call (and join its cache key).
        """
        slot = (key, repeat)
        with self._lock:
            future = self._futures.get(slot)
            if future is not None:
                return future
            if key in self._released:
                if not reclaim:
                    gone: concurrent.futures.Future[Completion] = concurrent.futures.Future()
                    gone.cancel()
                    return gone
                self._released.discard(key)
        head = self._heads[repeat]
        if overrides:
            head = request_head(self.config.model, self.config.base_url, {**self.config.generation_config,
                                                                          **overrides}, repeat,
                                server=self.config.cache_url)
        digest = digest or messages_digest(messages)
        fingerprint = fingerprint_from(head, tools, chain_digest(digest, follow_ups) if follow_ups else digest)
        cached = self.store.get(fingerprint, messages, repeat) if self.store is not None else None
        if cached is not None:
            cached = _scrubbed(cached)  # recorded before a key was known, or elsewhere
            cached.cached = True
            self.counters.cached += 1
            future = concurrent.futures.Future()
            future.set_result(cached)
        elif self.offline:
            future = concurrent.futures.Future()
            future.set_exception(ModelCallError(self.offline))
        else:
            future = asyncio.run_coroutine_threadsafe(
                self._call(key, repeat, fingerprint, messages, tools, list(follow_ups), dict(overrides or {})),
                self._loop)
        with self._lock:
            self._futures[slot] = future
        return future

    def is_submitted(self, key: str, repeat: int = 0) -> bool:
        return (key, repeat) in self._futures

    def result(self, key: str, repeat: int = 0) -> Completion:
        """Block until the answer for ``key`` (its ``repeat``) is there; raise :class:`ModelCallError` on failure."""
        future = self._futures[(key, repeat)]
        started = time.perf_counter()
        try:
            return future.result()
        finally:
            self.counters.wait_seconds += time.perf_counter() - started
            with self._lock:
                self._futures.pop((key, repeat), None)

    def _futures_of(self, key: str) -> list[concurrent.futures.Future[Completion]]:
        """Every repeat's future of ``key`` (caller holds the lock)."""
        return [f for f in (self._futures.get((key, r)) for r in range(len(self._heads))) if f is not None]

    def _pop_all(self, key: str) -> list[concurrent.futures.Future[Completion]]:
        """Remove every repeat's future of ``key`` (caller holds the lock)."""
        futures = self._futures_of(key)
        for repeat in range(len(self._heads)):
            self._futures.pop((key, repeat), None)
        return futures

    def cancel(self, key: str) -> None:
        """Cancel the pending calls (every repeat) of an item that will not run here (stolen, or the run stopped)."""
        with self._lock:
            futures = self._pop_all(key)
        for future in futures:
            if future.cancel():
                self.counters.cancelled += 1

    def release(self, key: str) -> bool:
        """Give up ``key`` to another process: ``True`` unless its request was already sent or its answer is
        already here (from the cache or recorded predictions: its program or judge calls may have started on it,
        and the other process would start them again).

        Safe to call from any thread (xdist's command thread calls it when work is stolen).
        """
        with self._lock:
            if key in self._sent or any(future.done() and not future.cancelled()
                                        for future in self._futures_of(key)):
                return False
            self._released.add(key)
            futures = self._pop_all(key)
        for future in futures:
            if future.cancel():
                self.counters.cancelled += 1
        return True

    def pending_keys(self) -> list[str]:
        with self._lock:
            return list(dict.fromkeys(key for key, _ in self._futures))

    def close(self) -> None:
        """Cancel what was not sent; give what was sent up to ``SENT_GRACE`` seconds to arrive (it is paid for,
        and the answer cache keeps it for the rerun, e.g. after a spending limit); close the client, stop the loop."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            unsent = list(dict.fromkeys(key for key, _ in self._futures if key not in self._sent))
        for key in unsent:
            self.cancel(key)
        with self._lock:
            in_flight = [future for future in self._futures.values() if not future.done()]
        if in_flight and self.store is not None:
            concurrent.futures.wait(in_flight, timeout=SENT_GRACE)
        for key in self.pending_keys():
            self.cancel(key)
        if self._client is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._client.close(), self._loop).result(timeout=5)
            except Exception:
                pass
        try:  # the threads of asyncio.to_thread (and DNS lookups) would otherwise outlive the run, idle
            asyncio.run_coroutine_threadsafe(self._loop.shutdown_default_executor(), self._loop).result(timeout=5)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- event-loop side --------------------------------------------------------------------

    async def _call(self, key: str, repeat: int, fingerprint: str, messages: list[dict[str, Any]],
                    tools: list[dict[str, Any]] | None, follow_ups: list[str], overrides: dict[str, Any]
                    ) -> Completion:
        """The call's answer (each turn of a conversation in order), cached under ``fingerprint``."""
        generation_config = repeat_generation_config({**self.config.generation_config, **overrides}, repeat)
        conversation = list(messages)
        answers = [await self._request(key, conversation, tools, generation_config)]
        for turn in follow_ups:
            conversation += [{"role": "assistant", "content": answers[-1].text}, {"role": "user", "content": turn}]
            answers.append(await self._request(key, conversation, tools, generation_config))
        return self._keep(fingerprint, chained(answers))

    async def _request(self, key: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                       generation_config: Mapping[str, Any]) -> Completion:
        """One request with its retries: the model's answer (an empty one after every retry counts)."""
        if self._limit is None:
            self._limit = AdaptiveLimit(self.config.batch_size)
            self._client = make_client(self.config.base_url, self.config.api_key, timeout=self.config.timeout,
                                       max_retries=self.config.max_retries, max_connections=self.config.batch_size)
        counters = self.counters
        last_empty: list[Completion] = []  # the latest attempt's empty answer, if it was one
        limits = self.config.limits
        estimate = estimate_tokens(messages) if limits is not None else 0

        async def attempt() -> Completion:
            reserved = 0.0
            while limits is not None:
                taken, value = await asyncio.to_thread(limits.take, estimate)  # raises once a budget is spent
                if taken:
                    reserved = value
                    break
                await asyncio.sleep(value)
            with self._lock:
                if key in self._released:
                    raise asyncio.CancelledError
                if self._fatal is not None:  # never pay for a request known to fail (bad key, wrong origin)
                    raise ModelCallError(self._fatal, fatal=True)
                self._sent.add(key)
            counters.requests += 1
            counters.in_flight += 1
            counters.max_in_flight = max(counters.max_in_flight, counters.in_flight)
            started = time.perf_counter()
            last_empty.clear()
            try:
                # Wall clock from sending to the last byte: the SDK's timeout is per socket read, so a
                # server trickling a byte at a time would never trip it.
                async with asyncio.timeout(self.config.timeout):
                    completion = await call_chat(self._client, self.config.model, messages,
                                                 generation_config, tools=tools)
            except TimeoutError:
                counters.timeouts += 1
                raise wall_clock_timeout(self.config.timeout) from None
            except EmptyAnswer as empty:
                last_empty.append(empty.completion)
                raise
            except Exception as exc:
                if limits is not None and getattr(exc, "status_code", None) == 429:
                    await asyncio.to_thread(limits.pause, pause_seconds(exc))  # every process waits, not just this one
                raise
            finally:
                counters.in_flight -= 1
                counters.request_seconds += time.perf_counter() - started
            if limits is not None:
                await asyncio.to_thread(limits.record, completion.input_tokens, completion.output_tokens, reserved)
            return completion

        def rate_limited(seconds: float) -> None:
            counters.rate_limit_waits += 1
            counters.rate_limit_seconds += seconds

        try:
            completion = _scrubbed(await with_retries(attempt, self._limit, self.config.max_retries,
                                                      on_rate_limit=rate_limited))
        except ModelCallError as exc:
            if last_empty:  # empty on every attempt: that is the model's answer
                return _scrubbed(last_empty[0])
            exc.args = (REGISTRY.scrub(str(exc)),)  # a server's error body may echo the key
            if exc.unreachable:
                self._unreachable_streak += 1
                # Never answered in this run (a wrong URL), or gone for good (every request in flight
                # failed twice over, each after its retries): the remaining requests would fail the same way.
                if not self._reached or self._unreachable_streak >= 2 * self.config.batch_size:
                    exc.fatal = True
            if exc.fatal and self._fatal is None:
                self._fatal = str(exc)
            raise
        return completion

    def _keep(self, fingerprint: str, completion: Completion) -> Completion:
        """Note an answered call and cache its answer."""
        self._reached = True
        self._unreachable_streak = 0
        if self._limit is not None:
            self.counters.lowest_limit = min(self.counters.lowest_limit, self._limit.lowest)
        if self.store is not None:
            self.store.put(fingerprint, completion)
        return completion


def _scrubbed(completion: Completion) -> Completion:
    """The answer with every registered secret removed, before it is stored, scored or shown."""
    if REGISTRY:
        completion.text = REGISTRY.scrub(completion.text)
        if completion.reasoning is not None:
            completion.reasoning = REGISTRY.scrub(completion.reasoning)
        if completion.raw_model is not None:
            completion.raw_model = REGISTRY.scrub(completion.raw_model)
        if completion.earlier:
            completion.earlier = [REGISTRY.scrub(text) for text in completion.earlier]
    return completion


__all__ = ["AnswerStore", "Completion", "Engine", "EngineConfig", "EngineCounters", "ModelCallError",
           "repeat_generation_config"]
