"""Seeded shuffle and limit: the one place that decides which samples run, in which order."""

from __future__ import annotations

import random
from collections.abc import Sequence

from pytest_evalindex.dataset.entry import Entry


def select(entries: Sequence[Entry], *, limit: int | None, shuffle: bool, seed: int) -> list[Entry]:
    """EvalScope's order of operations: shuffle the lines (seeded), then take the first ``limit``."""
    chosen = list(entries)
    if shuffle:
        random.Random(seed).shuffle(chosen)
    if limit is not None and limit > 0:
        chosen = chosen[:limit]
    return chosen
