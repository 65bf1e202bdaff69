"""Scorer registry: dataset names and scorer names → scorer specs.

Built-in families register themselves on import of :mod:`pytest_evalindex.scorers.builtin`.
Users add their own with :func:`scorer` (a decorator, e.g. in ``conftest.py``), with
:func:`register_scorer`, or through the ``pytest_evalindex.scorers`` entry point group
(each entry point names a callable that is called with no arguments and registers scorers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points

from pytest_evalindex.scorers.base import Scorer

ENTRY_POINT_GROUP = "pytest_evalindex.scorers"
LEGACY_SUFFIX = "@legacy"
"""``<name>@legacy`` names the spec's older behaviour of a built-in whose EvalScope rule changed."""


@dataclass(frozen=True)
class ScorerSpec:
    """A registered scorer and what it needs from a sample."""

    name: str
    fn: Scorer
    requires_choices: bool = False
    metric: str = "accuracy"
    family: str = "custom"
    needs: tuple[str, ...] = ()
    """What scoring needs beyond the answer: ``judge``, ``sandbox`` or ``package:<name>``; empty for nothing."""
    unbounded: bool = False
    """Its scores may leave 0–1 (eq_bench's fall below 0): clipped onto 0–1 in the default mode."""


_REGISTRY: dict[str, ScorerSpec] = {}
_BUILTIN: dict[str, ScorerSpec] = {}  # the built-in registrations, to tell them from overrides
_entry_points_loaded = False


def register_scorer(
    names: str | Iterable[str],
    fn: Scorer,
    *,
    requires_choices: bool = False,
    metric: str = "accuracy",
    family: str = "custom",
    needs: tuple[str, ...] = (),
    unbounded: bool = False,
) -> None:
    """Register ``fn`` under one or more names (dataset names or scorer names).

    A later registration under the same name replaces the earlier one, so a user can
    override a built-in scorer from ``conftest.py``.
    """
    for name in [names] if isinstance(names, str) else list(names):
        _REGISTRY[name] = ScorerSpec(name=name, fn=fn, requires_choices=requires_choices, metric=metric,
                                     family=family, needs=needs, unbounded=unbounded)


def scorer(
    *names: str, requires_choices: bool = False, metric: str = "accuracy"
) -> Callable[[Scorer], Scorer]:
    """Decorator form of :func:`register_scorer`; without names, the function's name is used."""

    def decorate(fn: Scorer) -> Scorer:
        register_scorer(names or [getattr(fn, "__name__", "scorer")], fn,
                        requires_choices=requires_choices, metric=metric)
        return fn

    return decorate


def _load_builtins_and_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    # Registrations made before the first lookup (conftest.py) win over entry points,
    # which win over the built-ins.
    user_registered = {name: spec for name, spec in _REGISTRY.items() if _BUILTIN.get(name) is not spec}
    if not _BUILTIN:
        import pytest_evalindex.scorers.builtin  # noqa: F401  (registers on import)

        _BUILTIN.update((name, spec) for name, spec in _REGISTRY.items() if user_registered.get(name) is not spec)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load()()
    _REGISTRY.update(user_registered)


@contextmanager
def fresh_session() -> Iterator[None]:
    """Inside, the registry is a new process's: the built-ins alone, with a conftest's registrations and the entry
    points still to come; on exit it is as it was. For hosts that run several pytest sessions in one process
    (pytester's in-process runs)."""
    global _entry_points_loaded
    _load_builtins_and_entry_points()
    saved = dict(_REGISTRY), _entry_points_loaded
    _REGISTRY.clear()
    _REGISTRY.update(_BUILTIN)
    _entry_points_loaded = False
    try:
        yield
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(saved[0])
        _entry_points_loaded = saved[1]


def lookup(name: str, legacy: bool = False) -> ScorerSpec | None:
    """The scorer registered under ``name``, or ``None``.

    With ``legacy``, ``<name>@legacy`` is returned when registered (the older EvalScope rules),
    else ``name``'s scorer; a user's override of a built-in ``name`` wins over its legacy variant.
    """
    _load_builtins_and_entry_points()
    spec = _REGISTRY.get(name)
    if legacy:
        variant = _REGISTRY.get(name + LEGACY_SUFFIX)
        if variant is not None and (spec is None or spec is _BUILTIN.get(name)):
            return variant
    return spec


def known_names() -> list[str]:
    """Every registered name, sorted (for error messages)."""
    _load_builtins_and_entry_points()
    return sorted(_REGISTRY)
