"""The drill-down's embedded data: every sample as columns (one JSON array per field, names as indices into small
tables) and the sample texts as one array per text field, each JSON document gzipped and base64-encoded once.

Columns keep the page small and fast at 100,000 samples: one ``json.dumps`` over flat lists, a few bytes per
sample after compression, and a single ``JSON.parse`` of a handful of arrays in the browser."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Sequence
from typing import Any

from pytest_evalindex.core.results import Status
from pytest_evalindex.render.html.details import DETAIL_FIELDS

STATUSES: tuple[Status, ...] = ("correct", "partial", "incorrect", "excluded", "error")
SAMPLE_COLUMNS = ("prefix", "suffix", "dataset", "subset", "tagset", "status", "score", "extracted", "latency_ms",
                  "input_tokens", "output_tokens")
"""The per-sample columns: a node id is ``prefixes[prefix] + suffix`` (the part after its last ``/``, a number
when it is one); dataset, subset, tag set and status are indices into their tables."""


def sample_payload(samples: Sequence[dict[str, Any]], baseline_status: dict[str, str]) -> dict[str, Any]:
    """The drill-down's sample data for ``samples`` (a report's, in its order); ``baseline_status`` maps the
    flipped samples' node ids to their status in the baseline."""
    status_index: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
    prefixes: dict[str, int] = {}
    datasets: dict[str, int] = {}
    subsets: dict[str, int] = {}
    tagsets: dict[tuple[str, ...], int] = {}
    nodes = [str(s.get("node_id", "")) for s in samples]
    parts = [node.rpartition("/") for node in nodes]
    columns: dict[str, list[Any]] = {
        "prefix": [prefixes.setdefault(head + slash, len(prefixes)) for head, slash, _ in parts],
        "suffix": [_suffix(tail) for _, _, tail in parts],
        "dataset": [datasets.setdefault(str(s.get("dataset_name", "")), len(datasets)) for s in samples],
        "subset": [subsets.setdefault(str(s.get("subset_name", "")), len(subsets)) for s in samples],
        "tagset": [tagsets.setdefault(_tags(s.get("tags")), len(tagsets)) for s in samples],
        "status": [status_index.get(str(s.get("status")), len(STATUSES) - 1) for s in samples],
        "score": [v if type(v) is int or (type(v) is float and v - v == 0) else None  # finite numbers only
                  for v in [s.get("score") for s in samples]],
        "extracted": [None if v is None else v if type(v) is str else str(v)
                      for v in [s.get("extracted") if s.get("status") != "error" else s.get("error") for s in samples]],
        "latency_ms": [round(v * 1000) if type(v) is float and v - v == 0 or type(v) is int else None
                       for v in [s.get("latency") for s in samples]],
    }
    usage = [s.get("usage") or {} for s in samples]
    for key in ("input_tokens", "output_tokens"):
        columns[key] = [v if type(v) is int else None for v in [u.get(key) for u in usage]]
    tags: dict[str, int] = {}
    tagset_table = [[tags.setdefault(t, len(tags)) for t in key] for key in tagsets]
    flipped = [[i, status_index[baseline_status[node]]] for i, node in enumerate(nodes)
               if baseline_status.get(node) in status_index] if baseline_status else []
    return {"count": len(samples), "statuses": list(STATUSES), "prefixes": list(prefixes),
            "datasets": list(datasets), "subsets": list(subsets), "tags": list(tags), "tagsets": tagset_table,
            "columns": columns, "baseline": flipped, "detail_fields": list(DETAIL_FIELDS)}


def detail_columns(details: Sequence[list[str] | None]) -> list[list[str | None]]:
    """Per-sample text lists (``None`` for a sample without texts) as one list per field of DETAIL_FIELDS
    (like texts sit next to each other, which compresses better)."""
    return [[d[k] if d is not None else None for d in details] for k in range(len(DETAIL_FIELDS))]


def packed(data: Any, clean: Callable[[str], str] | None = None) -> str:
    """``data`` as JSON (``clean`` applied to its text), gzipped and base64-encoded: inert inside the page
    (only ``[A-Za-z0-9+/=]``), and unpacked by the browser's own ``DecompressionStream``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if clean is not None:
        text = clean(text)
    raw = text.encode("utf-8", errors="replace")  # a lone surrogate (never valid UTF-8) becomes "?"
    return base64.b64encode(gzip.compress(raw, compresslevel=1, mtime=0)).decode("ascii")


def _suffix(tail: str) -> int | str:
    """A node id's last part as a number when it is a plain one (``"12345"``), else as text."""
    if tail.isascii() and tail.isdigit() and len(tail) < 16 and (tail == "0" or tail[0] != "0"):
        return int(tail)
    return tail


def _tags(tags: Any) -> tuple[str, ...]:
    if type(tags) is list and all(type(t) is str for t in tags):
        return tuple(tags)
    return tuple(str(t) for t in tags) if isinstance(tags, (list, tuple)) else ()
