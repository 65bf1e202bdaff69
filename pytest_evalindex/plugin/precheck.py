"""Gates checked against the collection before the first request: a typo'd row or a baseline over other
samples costs nothing (the same check that runs after the run, on placeholder results of the lines)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.loader import CollectionError, load_collection
from pytest_evalindex.dataset.outcome import result_for
from pytest_evalindex.dataset.select import select
from pytest_evalindex.gates.plan import GatePlan, GatePlanError, check_plan


def placeholders(samples: Iterable[tuple[str, str, Entry]]) -> list[SampleResult]:
    """A ``correct`` result per (node id, file, entry): enough to know the report's rows and the samples' hashes."""
    return [result_for(entry, node_id=node_id, ordinal=ordinal, file=file, status="correct", score=1.0)
            for ordinal, (node_id, file, entry) in enumerate(samples)]


def check_before_calls(plan: GatePlan, settings: Settings, samples: Iterable[tuple[str, str, Entry]]) -> None:
    """Raise a usage error when a gate cannot apply to these samples."""
    if not (plan.thresholds or plan.baseline is not None):
        return
    try:
        check_plan(plan, settings, placeholders(samples))
    except GatePlanError as exc:
        raise pytest.UsageError(str(exc)) from None


def check_files_before_calls(plan: GatePlan, settings: Settings, files: Iterable[Path], rootpath: Path) -> None:
    """:func:`check_before_calls` over collection files read here (the xdist controller collects no items).

    A file that does not load is left to collection, which reports it with its line.
    """
    if not (plan.thresholds or plan.baseline is not None):
        return
    samples: list[tuple[str, str, Entry]] = []
    for path in sorted(files):
        try:
            collection = load_collection(path)
        except CollectionError:
            return
        try:
            relative = str(path.relative_to(rootpath))
        except ValueError:
            relative = str(path)
        chosen = select(collection.entries, limit=settings.limit, shuffle=settings.shuffle, seed=settings.seed)
        samples.extend((f"{relative}::{entry.node_name}", str(path), entry) for entry in chosen)
    check_before_calls(plan, settings, samples)
