"""Gates written as Python in a suite's ``conftest.py``::

    from pytest_evalindex import gate

    @gate
    def reasoning_holds(report):
        assert report.index.weighted >= 0.3

    @gate("math is not broken")
    def math(report):
        assert report.row("dataset", "gsm8k").micro >= 0.5

Each function receives a read-only :class:`ReportView`. It fails on ``AssertionError`` (conftest
files are assertion-rewritten by pytest, so the failure shows the compared values), on any other
exception, on ``pytest.fail``, or by returning ``False``; ``pytest.skip`` marks it skipped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, overload

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.gates.outcome import GateOutcome
from pytest_evalindex.gates.thresholds import LEVEL_ALIASES, GateUsageError, find_rows
from pytest_evalindex.metrics.aggregate import LevelRow, Report, Totals

GateFunction = Callable[["ReportView"], object]


@dataclass(frozen=True)
class CodeGate:
    """A registered gate function and its display name."""

    name: str
    function: GateFunction

    @property
    def test_name(self) -> str:
        """``gate[<name>]``."""
        return f"gate[{self.name}]"


@dataclass
class CodeGateOutcome(GateOutcome):
    """A code gate's verdict; ``longrepr`` is pytest's failure text (assertion introspection included)."""

    longrepr: str = ""
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form."""
        return {**super().to_dict(), "longrepr": self.longrepr, "skipped": self.skipped}


_registry: dict[str, CodeGate] = {}


@overload
def gate(name_or_function: GateFunction, /) -> GateFunction: ...
@overload
def gate(name_or_function: str | None = None, /) -> Callable[[GateFunction], GateFunction]: ...
def gate(name_or_function: GateFunction | str | None = None, /) -> GateFunction | Callable[[GateFunction], GateFunction]:
    """Register a gate: ``@gate``, ``@gate()`` or ``@gate("name")``. Returns the function unchanged."""
    if callable(name_or_function):
        _register(name_or_function.__name__, name_or_function)
        return name_or_function
    if name_or_function is not None and (not isinstance(name_or_function, str) or not name_or_function.strip()):
        raise TypeError(f"@gate takes a non-empty name, got {name_or_function!r}")

    def decorate(function: GateFunction) -> GateFunction:
        _register(name_or_function or function.__name__, function)
        return function

    return decorate


def _register(name: str, function: GateFunction) -> None:
    existing = _registry.get(name)
    # A conftest imported again (a new session in the same process) re-registers the same function.
    if existing is not None and _origin(existing.function) != _origin(function):
        raise ValueError(f"two gates are named {name!r}: {_origin(existing.function)} and {_origin(function)}; "
                         "give one a name with @gate(\"...\")")
    _registry[name] = CodeGate(name, function)


def _origin(function: Callable[..., object]) -> str:
    code = getattr(function, "__code__", None)
    where = f"{code.co_filename}" if code is not None else getattr(function, "__module__", "?")
    return f"{where}:{getattr(function, '__qualname__', repr(function))}"


def registered_gates() -> list[CodeGate]:
    """The registered gates, in registration order."""
    return list(_registry.values())


def reset_code_gates() -> None:
    """Forget every registered gate (call at session start: conftest files register them again)."""
    _registry.clear()


class ReportView:
    """What a code gate sees: the report's rows and totals, and the sample results (copies)."""

    def __init__(self, report: Report, results: Sequence[SampleResult]) -> None:
        self._report = copy.deepcopy(report)
        self._source_results = results

    def __repr__(self) -> str:
        index = self._report.index
        shown = "None" if index is None else f"{index.name} weighted={index.weighted}"
        return f"<ReportView index: {shown}>"

    @property
    def index(self) -> LevelRow | None:
        """The root category row (the index total), or ``None`` when the report has no single root."""
        return self._report.index

    @property
    def levels(self) -> Mapping[str, tuple[LevelRow, ...]]:
        """Rows of each level, keyed by level name (``subset_level`` … ``category_level``)."""
        return MappingProxyType({level: tuple(rows) for level, rows in self._report.levels.items()})

    @property
    def totals(self) -> Totals:
        """Run-wide sample counts."""
        return self._report.totals

    @cached_property
    def results(self) -> tuple[SampleResult, ...]:
        """Every sample's result."""
        return tuple(copy.deepcopy(list(self._source_results)))

    def row(self, level: str, name: str) -> LevelRow:
        """The row of ``level`` (``dataset_level`` or ``dataset``) named ``name`` (or its short alias).

        Raises ``KeyError`` naming the level's rows when there is no such row.
        """
        __tracebackhide__ = True
        canonical = LEVEL_ALIASES.get(level)
        if canonical is None:
            raise KeyError(f"unknown level {level!r}; use one of {', '.join(sorted(set(LEVEL_ALIASES.values())))}")
        try:
            (found,) = find_rows(self._report, canonical, name, glob=False)
        except GateUsageError as exc:
            raise KeyError(str(exc)) from None
        return found

