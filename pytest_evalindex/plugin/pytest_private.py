"""The one module that imports pytest's private modules (``_pytest``), so a pytest upgrade breaks in one place.

pytest exposes no public type for a custom failure representation (``TerminalRepr``, ``ReprFileLocation``,
``TerminalWriter``): a gate or an incorrect sample needs them to show a one-line ``-ra``/JUnit message with
detail lines below. ruff's banned-API rule (TID251) keeps every other module off ``_pytest``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _pytest._code.code import ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

__all__ = ["ReprFileLocation", "TerminalRepr", "TerminalWriter", "scrub_debug_log"]


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
