"""Limits shared by every process of a run on one machine: a requests-per-minute pace, a pause after a 429, and the
token and cost budgets; their state is one small JSON file that every process updates under a file lock."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from pytest_evalindex.model.api import ModelCallError

_EMPTY = {"next": 0.0, "pause_until": 0.0, "input_tokens": 0, "output_tokens": 0, "requests": 0}


@dataclass(frozen=True)
class LimitConfig:
    """What to enforce; every field ``None`` (or 0 prices) turns that limit off."""

    requests_per_minute: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    price_input: float = 0.0  # USD per million input tokens
    price_output: float = 0.0  # USD per million output tokens

    @property
    def active(self) -> bool:
        return bool(self.requests_per_minute or self.max_tokens is not None or self.max_cost is not None)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.price_input + output_tokens * self.price_output) / 1_000_000


class SharedLimits:
    """One run's shared limits at ``path`` (created by the process that owns the run, opened by its workers)."""

    def __init__(self, path: Path, config: LimitConfig) -> None:
        self.path = path
        self.config = config
        self._lock = FileLock(str(path) + ".lock")

    @classmethod
    def create(cls, path: Path, config: LimitConfig) -> SharedLimits:
        limits = cls(path, config)
        with limits._lock:
            limits._write(dict(_EMPTY))
        return limits

    def take(self) -> tuple[bool, float]:
        """Try to send now: ``(True, now)`` when a slot is free (it is taken), else ``(False, seconds to wait)``
        before trying again. Slots are taken at send time, never booked ahead, so a process that stalls holds
        none and cannot release a burst later; taken slots are ``60 / requests_per_minute`` seconds apart across
        all processes. Raises a fatal :class:`ModelCallError` once a budget is spent: no new request is sent."""
        with self._lock:
            state = self._read()
            self._check_budget(state)
            now = time.time()
            ready = max(float(state["pause_until"]), float(state["next"]) if self.config.requests_per_minute else 0.0)
            if now < ready:
                return False, ready - now
            if self.config.requests_per_minute:
                state["next"] = now + 60.0 / self.config.requests_per_minute
            state["requests"] = int(state["requests"]) + 1
            self._write(state)
        return True, now

    def record(self, input_tokens: int, output_tokens: int) -> None:
        """Count an answer's tokens against the budgets."""
        if self.config.max_tokens is None and self.config.max_cost is None:
            return
        with self._lock:
            state = self._read()
            state["input_tokens"] = int(state["input_tokens"]) + input_tokens
            state["output_tokens"] = int(state["output_tokens"]) + output_tokens
            self._write(state)

    def pause(self, seconds: float) -> None:
        """A rate limit answer (429): no process sends before ``seconds`` from now."""
        with self._lock:
            state = self._read()
            state["pause_until"] = max(float(state["pause_until"]), time.time() + seconds)
            self._write(state)

    def usage(self) -> dict[str, Any]:
        """Requests, tokens and cost so far (all processes)."""
        with self._lock:
            state = self._read()
        cost = self.config.cost(int(state["input_tokens"]), int(state["output_tokens"]))
        return {"requests": state["requests"], "input_tokens": state["input_tokens"],
                "output_tokens": state["output_tokens"], "cost": round(cost, 6)}

    def _check_budget(self, state: dict[str, Any]) -> None:
        c = self.config
        used_in, used_out = int(state["input_tokens"]), int(state["output_tokens"])
        hint = "; rerun the same command with --eval-use-cache (and a larger budget) to continue from here"
        if c.max_tokens is not None and used_in + used_out >= c.max_tokens:
            raise ModelCallError(f"spending limit reached: {used_in + used_out} tokens used, --eval-max-tokens "
                                 f"{c.max_tokens}{hint}", fatal=True)
        if c.max_cost is not None and c.cost(used_in, used_out) >= c.max_cost:
            raise ModelCallError(f"spending limit reached: {c.cost(used_in, used_out):.4f} USD spent, --eval-max-cost "
                                 f"{c.max_cost}{hint}", fatal=True)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return dict(_EMPTY)
        return {**_EMPTY, **data} if isinstance(data, dict) else dict(_EMPTY)

    def _write(self, state: dict[str, Any]) -> None:
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.path)


def pause_seconds(exc: BaseException, default: float = 1.0) -> float:
    """How long a 429 asks every process to wait: its ``Retry-After`` (capped at a minute), else ``default``."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(60.0, max(0.0, float(value))) if value else default
    except ValueError:
        return default
