"""What both math pipelines share: the guard against powers too large for sympy, a deadline on
a comparison, and a filter for math-verify's "Timeout is disabled" warning (installed on import)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

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
