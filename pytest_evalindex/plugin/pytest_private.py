"""The one module that imports pytest's private modules (``_pytest``), so a pytest upgrade breaks in one place.

pytest exposes no public type for a custom failure representation (``TerminalRepr``, ``ReprFileLocation``,
``TerminalWriter``): a gate or an incorrect sample needs them to show a one-line ``-ra``/JUnit message with
detail lines below; ``--lf`` must see incorrect samples, which pass, through the cache provider's
private state. ruff's banned-API rule (TID251) keeps every other module off ``_pytest``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _pytest._code.code import ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

__all__ = ["ReprFileLocation", "TerminalRepr", "TerminalWriter", "mark_last_failed", "scrub_debug_log"]


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
