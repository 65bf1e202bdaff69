"""The one module that imports pytest's private modules (``_pytest``), so a pytest upgrade breaks in one place.

pytest exposes no public type for a custom failure representation (``TerminalRepr``, ``ReprFileLocation``,
``TerminalWriter``): a gate or an incorrect sample needs them to show a one-line ``-ra``/JUnit message with
detail lines below; ``--lf`` must see incorrect samples, which pass, through the cache provider's
private state. ruff's banned-API rule (TID251) keeps every other module off ``_pytest``.

The progress counter's suffix (rate and ETA) also needs the terminal reporter's private progress message and
screen width: :func:`extend_progress` is the one place that touches them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from _pytest._code.code import ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

_OVER_100 = re.compile(r"\[\s*(?:[2-9]\d\d|1(?:0[1-9]|[1-9]\d))%\]")


def extend_progress(reporter: Any, suffix: Callable[[], str], width: int) -> bool:
    """Append ``suffix()`` inside pytest's ``[ 45%]`` progress counter, never show more than 100% (reports sent
    after the samples, such as the gates', would count beyond the collected items), and end the progress lines
    ``width`` characters earlier so the longer counter still fits. Only pytest's default (percentage) style is
    extended; returns whether it was."""
    original = getattr(reporter, "_get_progress_information_message", None)
    if original is None or getattr(reporter, "_show_progress_info", None) != "progress" or \
            not isinstance(getattr(reporter, "_screen_width", None), int):
        return False

    def message() -> str:
        text: str = _OVER_100.sub("[100%]", original())
        extra = suffix()
        return f"{text[:-1]}{extra}]" if extra and text.endswith("]") else text

    reporter._get_progress_information_message = message
    reporter._screen_width -= width
    return True


__all__ = ["ReprFileLocation", "TerminalRepr", "TerminalWriter", "extend_progress", "mark_last_failed",
           "scrub_debug_log"]


def scrub_debug_log(config: Any, scrub: Callable[[str], str]) -> None:
    """``pytest --debug`` traces every hook call (the command line included) to a file through pluggy's
    tracer: rewrite what it holds so far through ``scrub``, and scrub everything written after."""
    root = config.trace.root
    handle = getattr(getattr(root, "_writer", None), "__self__", None)  # the open debug file's ``write``
    if handle is None or not all(hasattr(handle, name) for name in ("seek", "truncate", "flush", "name")):
        return
    try:
        handle.flush()
        with open(handle.name, encoding="utf-8", errors="replace") as existing:
            text = existing.read()
        handle.seek(0)
        handle.truncate()
        handle.write(scrub(text))
    except (OSError, ValueError):
        return
    write = handle.write
    root.setwriter(lambda text: write(scrub(text)))


def mark_last_failed(config: object, report: object) -> None:
    """Record ``report``'s test in pytest's last-failed cache (what ``--lf``/``--ff`` rerun) although it passed.

    The cache provider keeps no public API for it: its ``lfplugin`` holds the ``lastfailed`` dict it writes
    at session end, keyed by ``report.id`` (pytest 9) or the node id string (pytest 8).
    """
    plugin = config.pluginmanager.get_plugin("lfplugin")  # type: ignore[attr-defined]
    lastfailed = getattr(plugin, "lastfailed", None)
    if isinstance(lastfailed, dict):
        lastfailed[getattr(report, "id", getattr(report, "nodeid", None))] = True
