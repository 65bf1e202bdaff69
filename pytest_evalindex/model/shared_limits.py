"""Limits shared by every process of a run: a requests-per-minute pace, a tokens-per-minute pace, a pause after a
429, and the token and cost budgets. One :class:`SharedLimits` holds them in the process that owns the run; other
processes (xdist workers, local or remote) reach it through a relay with the same methods (:class:`Limits`)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from pytest_evalindex.model.api import ModelCallError


@dataclass(frozen=True)
class LimitConfig:
    """What to enforce; every field ``None`` (or 0 prices) turns that limit off."""

    requests_per_minute: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    price_input: float = 0.0  # USD per million input tokens
    price_output: float = 0.0  # USD per million output tokens
    tokens_per_minute: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.requests_per_minute or self.tokens_per_minute or self.max_tokens is not None
                    or self.max_cost is not None)

    @property
    def counts_tokens(self) -> bool:
        return bool(self.tokens_per_minute or self.max_tokens is not None or self.max_cost is not None)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.price_input + output_tokens * self.price_output) / 1_000_000


class Limits(Protocol):
    """What the engine asks of the run's limits (the owner's :class:`SharedLimits`, or a worker's relay to it)."""

    def take(self, estimate: int = 0) -> tuple[bool, float]: ...

    def record(self, input_tokens: int, output_tokens: int, reserved: float = 0.0) -> None: ...

    def pause(self, seconds: float) -> None: ...

    def usage(self) -> dict[str, Any]: ...


class BudgetSpent(ModelCallError):
    """A token or cost budget is used up: no new request is sent (fatal)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fatal=True)


class SharedLimits:
    """The run's limits, kept in one process; thread-safe (a relay answers workers from its own thread)."""

    def __init__(self, config: LimitConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._next = 0.0  # earliest time of the next request under the requests-per-minute pace
        self._token_next = 0.0  # the same under the tokens-per-minute pace (pushed by each request's tokens)
        self._pause_until = 0.0
        self._requests = 0
        self._answers = 0
        self._input_tokens = 0
        self._output_tokens = 0

    def take(self, estimate: int = 0) -> tuple[bool, float]:
        """Try to send now: ``(True, tokens reserved)`` when the request may go (its slot is taken), else
        ``(False, seconds to wait)`` before trying again.

        Slots are taken at send time, never booked ahead, so a process that stalls holds none and cannot
        release a burst later: requests are ``60 / requests_per_minute`` seconds apart across all processes.
        Under ``tokens_per_minute`` a request reserves the mean tokens of the answers so far (``estimate``, the
        caller's guess from the prompt, before the first answer) and pushes the next slot back by that share of
        a minute; :meth:`record` settles the difference once the answer says what it used. Raises
        :class:`BudgetSpent` once a budget is spent."""
        c = self.config
        with self._lock:
            self._check_budget()
            now = time.time()
            ready = max(self._pause_until, self._next if c.requests_per_minute else 0.0,
                        self._token_next if c.tokens_per_minute else 0.0)
            if now < ready:
                return False, ready - now
            reserved = 0.0
            if c.requests_per_minute:
                self._next = now + 60.0 / c.requests_per_minute
            if c.tokens_per_minute:
                used = self._input_tokens + self._output_tokens
                reserved = used / self._answers if self._answers else float(max(1, estimate))
                self._token_next = max(self._token_next, now) + reserved * 60.0 / c.tokens_per_minute
            self._requests += 1
        return True, reserved

    def record(self, input_tokens: int, output_tokens: int, reserved: float = 0.0) -> None:
        """Count an answer's tokens against the budgets, and settle what its request reserved."""
        c = self.config
        if not c.counts_tokens:
            return
        with self._lock:
            self._answers += 1
            self._input_tokens += input_tokens
            self._output_tokens += output_tokens
            if c.tokens_per_minute:
                self._token_next += (input_tokens + output_tokens - reserved) * 60.0 / c.tokens_per_minute

    def pause(self, seconds: float) -> None:
        """A rate limit answer (429): no process sends before ``seconds`` from now."""
        with self._lock:
            self._pause_until = max(self._pause_until, time.time() + seconds)

    def usage(self) -> dict[str, Any]:
        """Requests, tokens and cost so far (all processes)."""
        with self._lock:
            cost = self.config.cost(self._input_tokens, self._output_tokens)
            return {"requests": self._requests, "input_tokens": self._input_tokens,
                    "output_tokens": self._output_tokens, "cost": round(cost, 6)}

    def _check_budget(self) -> None:
        c = self.config
        used_in, used_out = self._input_tokens, self._output_tokens
        hint = "; rerun the same command with --eval-use-cache (and a larger budget) to continue from here"
        if c.max_tokens is not None and used_in + used_out >= c.max_tokens:
            raise BudgetSpent(f"spending limit reached: {used_in + used_out} tokens used, --eval-max-tokens "
                              f"{c.max_tokens}{hint}")
        if c.max_cost is not None and c.cost(used_in, used_out) >= c.max_cost:
            raise BudgetSpent(f"spending limit reached: {c.cost(used_in, used_out):.4f} USD spent, --eval-max-cost "
                              f"{c.max_cost}{hint}")


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """A rough count of a request's prompt tokens (about four characters each), before any answer tells."""
    chars = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            chars += sum(len(str(part.get("text", ""))) for part in content if isinstance(part, dict))
    return max(1, chars // 4)


def pause_seconds(exc: BaseException, default: float = 1.0) -> float:
    """How long a 429 asks every process to wait: its ``Retry-After`` (capped at a minute), else ``default``."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(60.0, max(0.0, float(value))) if value else default
    except ValueError:
        return default
