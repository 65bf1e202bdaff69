"""A report's per-sample fields as columns, read once (from the report's sample dicts, or straight from a
finishing run's results) and shared by the drill-down's data and the performance panel (at 100,000 samples each
pass over 100,000 objects costs tens of milliseconds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from pytest_evalindex.core.results import SampleResult


@dataclass(frozen=True)
class SampleColumns:
    """Each sample's raw value of a field, in the samples' order (``None`` where missing); tokens are ``None``
    where the sample's ``usage`` is not a mapping, ``error`` where the sample has none."""

    node_id: list[Any]
    dataset: list[Any]
    subset: list[Any]
    tags: list[Any]
    status: list[Any]
    score: list[Any]
    extracted: list[Any]
    error: list[Any]
    latency: list[Any]
    cached: list[Any]
    input_tokens: list[Any]
    output_tokens: list[Any]

    @property
    def count(self) -> int:
        """How many samples."""
        return len(self.status)


def sample_columns(samples: Sequence[dict[str, Any]]) -> SampleColumns:
    """The columns of a report's ``samples`` (``runs.writer.sample_outcome`` dicts, possibly hand-edited)."""
    usage = field(samples, "usage")
    return SampleColumns(
        node_id=field(samples, "node_id"), dataset=field(samples, "dataset_name"),
        subset=field(samples, "subset_name"), tags=field(samples, "tags"), status=field(samples, "status"),
        score=field(samples, "score"), extracted=field(samples, "extracted"), error=field(samples, "error"),
        latency=field(samples, "latency"), cached=field(samples, "cached"),
        input_tokens=[u.get("input_tokens") if type(u) is dict else None for u in usage],
        output_tokens=[u.get("output_tokens") if type(u) is dict else None for u in usage])


def result_columns(results: Sequence[SampleResult]) -> SampleColumns:
    """The same columns from ``results`` (in the report's sample order), without building a dict per sample."""
    usage = list(map(attrgetter("usage"), results))
    return SampleColumns(
        node_id=_attr(results, "node_id"), dataset=_attr(results, "dataset_name"),
        subset=_attr(results, "subset_name"), tags=_attr(results, "tags"), status=_attr(results, "status"),
        score=_attr(results, "score"), extracted=_attr(results, "extracted"),
        error=[e if e else None for e in map(attrgetter("error"), results)],  # the report omits an empty one
        latency=_attr(results, "latency"), cached=_attr(results, "cached"),
        input_tokens=list(map(attrgetter("input_tokens"), usage)),
        output_tokens=list(map(attrgetter("output_tokens"), usage)))


def field(samples: Sequence[dict[str, Any]], key: str) -> list[Any]:
    """Every sample's ``key`` (``None`` where missing); subscripts first, the fastest way when all have it."""
    try:
        return list(map(itemgetter(key), samples))
    except KeyError:
        return [s.get(key) for s in samples]


def _attr(results: Sequence[SampleResult], name: str) -> list[Any]:
    return list(map(attrgetter(name), results))
