"""Which EvalScope benchmark names use which scorer: one module per scoring family, each with ``register()``."""

from __future__ import annotations

from pytest_evalindex.scorers.catalog import choice, code, instruction, judge, match, math


def register_all() -> None:
    """Register every built-in benchmark name of every family."""
    for family in (choice, math, match, instruction, code, judge):
        family.register()
