"""A report's per-sample fields as columns, read once from the sample dicts and shared by the drill-down's data
and the performance panel (at 100,000 samples each pass over the dicts costs tens of milliseconds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any


@dataclass(frozen=True)
class SampleColumns:
    """Each sample's raw value of a field, in the samples' order (``None`` where missing); tokens are ``None``
    where the sample's ``usage`` is not a mapping."""

    status: list[Any]
    latency: list[Any]
    cached: list[Any]
    input_tokens: list[Any]
    output_tokens: list[Any]


def sample_columns(samples: Sequence[dict[str, Any]]) -> SampleColumns:
    """The shared columns of ``samples``."""
    usage = field(samples, "usage")
    return SampleColumns(
        status=field(samples, "status"), latency=field(samples, "latency"), cached=field(samples, "cached"),
        input_tokens=[u.get("input_tokens") if type(u) is dict else None for u in usage],
        output_tokens=[u.get("output_tokens") if type(u) is dict else None for u in usage])


def field(samples: Sequence[dict[str, Any]], key: str) -> list[Any]:
    """Every sample's ``key`` (``None`` where missing); subscripts first, the fastest way when all have it."""
    try:
        return list(map(itemgetter(key), samples))
    except KeyError:
        return [s.get(key) for s in samples]
