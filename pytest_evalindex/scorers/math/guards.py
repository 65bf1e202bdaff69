"""What both math pipelines share: the guard against powers too large for sympy, deadlines on
a comparison, and a filter for math-verify's "Timeout is disabled" warning (installed on import)."""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

ALARM_REPEAT_S = 0.05

# A power with a large or nested exponent (``9^{9^{9}}``) can hang sympy's evaluation.
HUGE_POWER = re.compile(r"\^\s*\{?\s*[\d.]{4,}|\^\s*\{[^{}]*\^|\*\*\s*\(?\s*\d{4,}")


def _drop_timeout_disabled_warning(record: logging.LogRecord) -> bool:
    # We bound the symbolic work ourselves when signals are unusable; the warning is noise.
    return "Timeout is disabled" not in record.getMessage()


for _name in ("math_verify.parser", "math_verify.grader"):
    logging.getLogger(_name).addFilter(_drop_timeout_disabled_warning)


def call_with_deadline(fn: Callable[[], Any], seconds: float, name: str) -> tuple[bool, Any] | None:
    """Run ``fn`` in a daemon thread and wait at most ``seconds``: ``(True, result)``, ``(False, exception)``,
    or ``None`` when it has not finished (threads cannot be killed; a runaway one finishes in the background).

    Usable from any thread, unlike signal-based timeouts; exceptions of ``fn`` (any kind) are returned,
    so an interrupt of the waiting thread still propagates.
    """
    outcome: list[tuple[bool, Any]] = []

    def work() -> None:
        try:
            outcome.append((True, fn()))
        except BaseException as exc:  # handed to the caller
            outcome.append((False, exc))

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    worker.join(seconds)
    return outcome[0] if outcome else None


class DeadlinePassed(BaseException):
    """Raised into a comparison that outlived :func:`with_alarm_deadline`'s time. A BaseException, so the
    ``except Exception`` clauses of sympy and math-verify cannot take it for a failed parse."""


def with_alarm_deadline(fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, interrupted by :class:`DeadlinePassed` once ``seconds`` have passed (main thread only: SIGALRM).

    The alarm repeats every 50 ms after the deadline: Python drops an exception raised while it runs a garbage
    collection callback or a ``__del__`` ("Exception ignored in ..."), so a single alarm can be lost and the
    comparison would then run unbounded (math-verify's own timeout is such a single alarm). While armed, a hook
    keeps such dropped alarms out of ``sys.unraisablehook`` (pytest would report each as a warning, or fail the
    test under ``-W error``); no alarm is raised inside that hook itself."""
    armed = [True]
    forward = sys.unraisablehook

    def drop_lost_alarm(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, DeadlinePassed):
            forward(unraisable)

    def expire(signum: int, frame: FrameType | None) -> None:
        if not armed[0]:
            return
        while frame is not None:
            if frame.f_code is drop_lost_alarm.__code__:
                return  # the next alarm, 50 ms on, lands elsewhere
            frame = frame.f_back
        raise DeadlinePassed

    previous = signal.signal(signal.SIGALRM, expire)
    sys.unraisablehook = drop_lost_alarm
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_S)
        return fn()
    finally:
        while True:  # a last alarm may land while disarming: disarm again (fn's outcome is kept)
            try:
                armed[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                if sys.unraisablehook is drop_lost_alarm:
                    sys.unraisablehook = forward
                break
            except DeadlinePassed:
                continue
