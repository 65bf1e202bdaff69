"""The one module that imports pytest's private modules (``_pytest``), so a pytest upgrade breaks in one place.

pytest exposes no public type for a custom failure representation (``TerminalRepr``, ``ReprFileLocation``,
``TerminalWriter``): a gate or an incorrect sample needs them to show a one-line ``-ra``/JUnit message with
detail lines below. ruff's banned-API rule (TID251) keeps every other module off ``_pytest``.
"""

from __future__ import annotations

from _pytest._code.code import ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

__all__ = ["ReprFileLocation", "TerminalRepr", "TerminalWriter"]
