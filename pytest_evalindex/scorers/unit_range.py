"""Scores put on 0–1 before they are averaged (the default mode): unbounded rule scores are clipped."""

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
