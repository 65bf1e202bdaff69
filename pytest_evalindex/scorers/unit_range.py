"""Scores put on 0–1 before they are averaged (the default mode): a rating scale is mapped, an unbounded
score clipped; either way the native values stay in ``metadata["unit_scale"]``."""

from __future__ import annotations

from dataclasses import replace

from pytest_evalindex.scorers.base import Score


def clipped_to_unit(score: Score) -> Score:
    """The score with its value and metrics clipped onto 0–1 (an unbounded rule score in the default mode);
    unchanged without a value or when they are inside already, else the native values stay in the metadata."""
    values = [score.value, *score.metrics.values()]
    if score.value is None or all(v is None or 0.0 <= v <= 1.0 for v in values):
        return score

    def unit(value: float) -> float:
        return min(1.0, max(0.0, value))

    native = dict(score.metrics) or {score.metric: score.value}
    metadata = {**score.metadata, "unit_scale": {"low": 0.0, "high": 1.0, "native": native, "clipped": True}}
    return replace(score, value=unit(score.value),
                   metrics={k: unit(v) for k, v in score.metrics.items()}, metadata=metadata)


def on_unit_scale(score: Score, scale: tuple[float, float] | None) -> Score:
    """The score with its value and metrics mapped from ``scale`` (low, high) onto 0–1 (low → 0, high → 1), so
    it averages with other datasets' 0–1 scores; the native values stay in the metadata. Unchanged without a
    scale or without a value."""
    if scale is None or score.value is None:
        return score
    low, high = scale

    def unit(value: float) -> float:
        return (value - low) / (high - low)

    native = dict(score.metrics) or {score.metric: score.value}
    metadata = {**score.metadata, "unit_scale": {"low": low, "high": high, "native": native}}
    return replace(score, value=unit(score.value), metrics={k: unit(v) for k, v in score.metrics.items()},
                   metadata=metadata)
