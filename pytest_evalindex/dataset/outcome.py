"""A SampleResult built from its collection line: the one constructor every path uses (scored, errored, crashed)."""

from __future__ import annotations

from typing import Any

from pytest_evalindex.core.results import SampleResult, Status
from pytest_evalindex.dataset.entry import Entry


def result_for(entry: Entry, *, node_id: str, ordinal: int, file: str, status: Status, **outcome: Any) -> SampleResult:
    """``entry``'s result: its identity and metadata from the line, ``outcome`` the rest (score, answer, error, …).

    The entry's lists are shared, not copied: results never mutate them.
    """
    return SampleResult(
        node_id=node_id, ordinal=ordinal, file=file, line=entry.line, index=entry.index,
        dataset_name=entry.dataset_name, subset_name=entry.subset_name, task_type=entry.task_type,
        tags=entry.tags, categories=entry.categories, weight=entry.weight,
        sample_hash=entry.sample_hash(), status=status, **outcome)
