"""The run's shared limits over xdist's own connections: the controller keeps the one :class:`SharedLimits`, and each
worker asks it through an execnet channel opened on that worker's gateway. The workers need no shared folder or
lock, so a remote worker (``--tx ssh=…``, ``socket=…``) is paced and budgeted with the local ones."""

from __future__ import annotations

import threading
from typing import Any

from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.shared_limits import BudgetSpent, SharedLimits

REPLY_TIMEOUT = 120.0
"""Seconds a worker waits for the controller's answer (it answers from its own thread, at once)."""


def serve(limits: SharedLimits, gateway: Any) -> Any:
    """A new channel on ``gateway`` (an xdist worker's) whose requests ``limits`` answers; it is sent to the worker
    in its ``workerinput``."""
    channel = gateway.newchannel()

    def answer(message: Any) -> None:
        op, args = message
        try:
            value: Any = None
            if op == "take":
                value = limits.take(*args)
            elif op == "record":
                limits.record(*args)
            elif op == "pause":
                limits.pause(*args)
            else:
                value = limits.usage()
        except BudgetSpent as exc:
            channel.send(("spent", str(exc)))
            return
        channel.send(("ok", value))

    channel.setcallback(answer)
    return channel


class RelayedLimits:
    """A worker's side of :func:`serve`: the :class:`~pytest_evalindex.model.shared_limits.Limits` methods, each
    a request to the controller and its answer (one at a time: the channel carries no request ids)."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._lock = threading.Lock()

    def _ask(self, op: str, *args: Any) -> Any:
        with self._lock:
            try:
                self._channel.send((op, args))
                status, value = self._channel.receive(timeout=REPLY_TIMEOUT)
            except Exception as exc:  # the controller went away (or never answered): send nothing more
                raise ModelCallError(f"the run's shared limits did not answer ({type(exc).__name__}); the xdist "
                                     "controller is gone", fatal=True) from None
        if status == "spent":
            raise BudgetSpent(str(value))
        return value

    def take(self, estimate: int = 0) -> tuple[bool, float]:
        taken, value = self._ask("take", estimate)
        return bool(taken), float(value)

    def record(self, input_tokens: int, output_tokens: int, reserved: float = 0.0) -> None:
        self._ask("record", input_tokens, output_tokens, reserved)

    def pause(self, seconds: float) -> None:
        self._ask("pause", seconds)

    def usage(self) -> dict[str, Any]:
        value: dict[str, Any] = self._ask("usage")
        return value
