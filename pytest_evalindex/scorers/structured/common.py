"""Shared helpers of the structured scorers: the reference text and EvalScope's main-value rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import target_values


def reference_text(sample: ScoreInput) -> str:
    """The target as EvalScope 1.14.1's ``TaskState.target`` renders it: accepted answers, one per line."""
    return "\n".join(target_values(sample))


def from_values(
    values: Mapping[str, float | int | bool],
    main: str | None,
    *,
    extracted: str | None = None,
    explanation: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Score:
    """A :class:`Score` from an EvalScope value dict.

    As EvalScope's ``Score.main_value``: the ``main`` key when present, else the first key of the
    dict (what a collection then averages), and no value at all (excluded) for an empty dict.
    """
    metrics = {name: float(v) for name, v in values.items()}
    if main is not None and main in metrics:
        name: str | None = main
    else:
        name = next(iter(metrics), None)
    return Score(
        value=None if name is None else metrics[name],
        extracted=extracted,
        metric=name or main or "accuracy",
        explanation=explanation,
        metadata=dict(metadata or {}),
        metrics=metrics,
    )
