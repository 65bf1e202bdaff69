"""Bounded retries of retryable failures, and a concurrency limit that backs off on rate limits.

The ``openai`` client's own retries are turned off: it retries 429 like any other failure, so a
rate-limited run burns its retry budget while keeping the same pressure on the server. Here a 429
halves this process's concurrency (additive increase brings it back) and waits ``Retry-After``
without spending a retry — at most :data:`MAX_RETRY_AFTER` seconds per wait (a longer one fails the
request at once), :data:`RATE_LIMIT_WAITS` waits and :data:`RATE_LIMIT_BUDGET` seconds per request; other retryable failures (connection, timeout, 408/409/5xx, malformed or
empty 200 answers) are retried at most ``max_retries`` times with jittered exponential backoff;
anything else fails at once.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import openai

from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.openai_chat import describe_error, guard_failure

T = TypeVar("T")

RATE_LIMIT_WAITS = 30  # 429 answers tolerated per request before it counts as an error
MAX_RETRY_AFTER = 60.0  # longest Retry-After honoured; a server asking for more fails the request now
RATE_LIMIT_BUDGET = 300.0  # seconds one request may spend waiting on 429s in all
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0


class AdaptiveLimit:
    """An asyncio limit on calls in flight whose size shrinks on 429 and grows back on success."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.size = float(maximum)
        self.in_use = 0
        self.lowest = maximum
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_use < max(1, int(self.size)))
            self.in_use += 1

    async def __aexit__(self, *exc: object) -> None:
        async with self._changed:
            self.in_use -= 1
            self._changed.notify_all()

    def rate_limited(self) -> None:
        """Multiplicative decrease."""
        self.size = max(1.0, self.size / 2)
        self.lowest = min(self.lowest, int(self.size))

    async def succeeded(self) -> None:
        """Additive increase: about one more slot per window of successful calls."""
        if self.size < self.maximum:
            async with self._changed:
                self.size = min(float(self.maximum), self.size + 1.0 / max(1.0, self.size))
                self._changed.notify_all()


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """The wait the server asked for, in seconds (``Retry-After-Ms``, ``Retry-After`` seconds or HTTP date)."""
    headers = exc.response.headers if exc.response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if not value:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            try:
                seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
            except (TypeError, ValueError, IndexError):
                continue
        if seconds == seconds:  # not NaN
            return max(0.0, seconds)
    return None


def is_retryable(exc: BaseException) -> bool:
    """Transient failures worth another attempt."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409) or exc.status_code >= 500
    if isinstance(exc, ModelCallError):
        return exc.retryable
    if guard_failure(exc) is not None:  # a body too large or credentials refused: it would happen again
        return False
    # The SDK raises a bare JSONDecodeError (a ValueError) for a truncated body; other ValueErrors are
    # raised before anything is sent and would fail again.
    return isinstance(exc, (openai.APIConnectionError, openai.APIResponseValidationError, json.JSONDecodeError,
                            UnicodeDecodeError))


async def with_retries(attempt: Callable[[], Awaitable[T]], limit: AdaptiveLimit, max_retries: int,
                       *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                       on_rate_limit: Callable[[float], None] | None = None) -> T:
    """Run ``attempt`` inside ``limit`` until it succeeds or fails for good (as :class:`ModelCallError`).

    ``on_rate_limit(seconds)`` is told of every 429 wait (the engine counts them).
    """
    import openai

    retries = 0
    rate_limits = 0
    waited = 0.0
    while True:
        try:
            async with limit:
                result = await attempt()
            await limit.succeeded()
            return result
        except asyncio.CancelledError:
            raise
        except openai.RateLimitError as exc:
            rate_limits += 1
            limit.rate_limited()
            asked = _retry_after(exc)
            if asked is not None and asked > MAX_RETRY_AFTER:
                raise describe_error(exc, note=f"the server asked to retry after {asked:.0f} s, more than the "
                                               f"{MAX_RETRY_AFTER:.0f} s a request waits") from None
            delay = asked if asked is not None else _backoff(rate_limits)
            if rate_limits > RATE_LIMIT_WAITS or waited + delay > RATE_LIMIT_BUDGET:
                raise describe_error(exc, note=f"after {rate_limits - 1} rate-limit waits ({waited:.1f} s)") from None
            waited += delay
            if on_rate_limit is not None:
                on_rate_limit(delay)
            await sleep(delay)
        except Exception as exc:
            if isinstance(exc, ModelCallError) and exc.fatal:
                raise  # described already, with its own attempt count (another call's failure that stops the run)
            if not is_retryable(exc) or retries >= max_retries:
                note = f"after {retries + 1} attempts" if retries else None
                raise describe_error(exc, note=note) from None
            retries += 1
            await sleep(_backoff(retries))


def _backoff(attempt: int) -> float:
    delay: float = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return delay * (0.5 + random.random() / 2)
