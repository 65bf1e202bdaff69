"""Seeded shuffle, limit and shard: the one place that decides which samples run, in which order."""

from __future__ import annotations

import random
from collections.abc import Sequence

from pytest_evalindex.core.settings import Shard
from pytest_evalindex.dataset.entry import Entry


def select(entries: Sequence[Entry], *, limit: int | None, shuffle: bool, seed: int) -> list[Entry]:
    """EvalScope's order of operations: shuffle the lines (seeded), then take the first ``limit``."""
    chosen = list(entries)
    if shuffle:
        random.Random(seed).shuffle(chosen)
    if limit is not None and limit > 0:
        chosen = chosen[:limit]
    return chosen


def shard_number(sample_hash: str, count: int) -> int:
    """The shard (1-based, of ``count``) a sample belongs to, from its content hash alone.

    Position plays no part, so reordering lines moves no sample between shards and editing a line
    moves at most that line.
    """
    return int(sample_hash, 16) % count + 1


def in_shard(selected: Sequence[Entry], shard: Shard | None) -> list[tuple[int, Entry]]:
    """``(ordinal, entry)`` of the selected entries in ``shard`` (all of them without one); the ordinal
    is the position in the whole selection, so a merge of every shard orders samples as one run does."""
    if shard is None:
        return list(enumerate(selected))
    return [(ordinal, entry) for ordinal, entry in enumerate(selected)
            if shard_number(entry.sample_hash(), shard.count) == shard.index]
