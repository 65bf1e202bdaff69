"""What a shard run records (its share of which collection) and how shards are named."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_evalindex.core.hashing import canonical_json

SHARD_KEY = "shard"
"""The key of :class:`ShardRecord` in ``evalindex_report.json`` (absent from a whole run)."""

GATES_NOTE = ("thresholds, the baseline and code gates are decided by `evalindex merge` over all shards; "
              "a shard's exit code counts only errors beyond the budget")


def collection_fingerprint(file_fingerprints: Iterable[str], *, limit: int | None, shuffle: bool, seed: int) -> str:
    """``sha256:<hex>`` naming what the shards split: the collection files' bytes and the settings that select
    samples from them (limit, shuffle, seed). File paths are left out, so checkouts in other folders agree."""
    identity = {"files": sorted(file_fingerprints), "limit": limit, "shuffle": shuffle,
                "seed": seed if shuffle else None}
    return "sha256:" + hashlib.sha256(canonical_json(identity).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ShardRecord:
    """Shard ``index`` of ``count`` of the collection ``collection``: ``samples`` of its ``collection_samples``."""

    index: int
    count: int
    collection: str
    samples: int
    collection_samples: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def describe(self) -> str:
        """``shard 2/3 of collection sha256:1a2b3c4d5e6f (4 of 10 samples)``."""
        return (f"shard {self.label} of collection {short(self.collection)} "
                f"({self.samples} of {self.collection_samples} samples)")

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "count": self.count, "label": self.label, "collection": self.collection,
                "samples": self.samples, "collection_samples": self.collection_samples, "gates": GATES_NOTE}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShardRecord:
        """Inverse of :meth:`to_dict`; raises ``ValueError`` naming the first bad field."""
        values: dict[str, Any] = {}
        for name, kind in (("index", int), ("count", int), ("collection", str), ("samples", int),
                           ("collection_samples", int)):
            value = data.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"shard field {name!r} is {value!r}; expected {kind.__name__}")
            values[name] = value
        record = cls(**values)
        if not 1 <= record.index <= record.count:
            raise ValueError(f"shard {record.label} is not a shard of {record.count}")
        return record


def short(fingerprint: str) -> str:
    """A collection fingerprint cut to 12 hex digits for display."""
    algorithm, _, digest = fingerprint.partition(":")
    return f"{algorithm}:{digest[:12]}" if digest else fingerprint[:12]
