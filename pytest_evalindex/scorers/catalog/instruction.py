"""EvalScope 1.14.1's instruction-family benchmarks and the scorer each one uses."""

from __future__ import annotations


def register() -> None:
    """Register this family's benchmark names."""
