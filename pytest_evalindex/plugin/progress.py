"""Rate and ETA inside pytest's progress counter for long runs: ``[ 45% 12.3/s ETA 2m14s]``.

Shown from :data:`MIN_ITEMS` collected items on, in a terminal and in CI logs alike (pytest writes the counter at
the end of every line of letters), under ``-n0`` and xdist (the controller receives every report).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from pytest_evalindex.plugin.pytest_private import extend_progress

MIN_ITEMS = 200
SUFFIX_WIDTH = len(" 9999.9/s ETA 99h59m")


class RateAndEta:
    """The counter's suffix: samples per second since the loop started, and the time left at that rate."""

    def __init__(self, session: pytest.Session, reporter: Any) -> None:
        self.session = session
        self.reporter = reporter
        self.started = time.perf_counter()

    def __call__(self) -> str:
        total = self.session.testscollected
        done = int(getattr(self.reporter, "reported_progress", 0))
        elapsed = time.perf_counter() - self.started
        if total < MIN_ITEMS or done <= 0 or elapsed <= 0:
            return ""
        rate = done / elapsed
        text = f" {rate:.1f}/s" if rate < 100 else f" {rate:.0f}/s"
        if done < total:
            text += f" ETA {duration((total - done) / rate)}"
        return text


def duration(seconds: float) -> str:
    """``45s``, ``2m14s``, ``3h05m``."""
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def install(session: pytest.Session) -> None:
    """Extend the terminal's progress counter (when pytest shows one) for this run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        extend_progress(reporter, RateAndEta(session, reporter), SUFFIX_WIDTH)
