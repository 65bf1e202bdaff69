"""The drill-down's embedded data: every sample as columns (one JSON array per field, names as indices into small
tables), and the sample texts field after field, cut to one page-wide cap and joined with NULs; each gzipped and
base64-encoded once.

Columns keep the page small and fast at 100,000 samples: one ``json.dumps`` over flat lists, a few bytes per
sample after compression, and a single ``JSON.parse`` of a handful of arrays in the browser."""

from __future__ import annotations

import base64
import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

from pytest_evalindex.core.results import Status
from pytest_evalindex.render.html.columns import SampleColumns
from pytest_evalindex.render.html.details import DETAIL_FIELDS

STATUSES: tuple[Status, ...] = ("correct", "partial", "incorrect", "excluded", "error")
SAMPLE_COLUMNS = ("prefix", "suffix", "dataset", "subset", "tagset", "status", "score", "extracted", "latency_ms",
                  "input_tokens", "output_tokens")
"""The per-sample columns: a node id is ``prefixes[prefix] + suffix`` (the part after its last ``/``, a number
when it is one); dataset, subset, tag set and status are indices into their tables."""
PAGE_TEXT_CHARS = 40_000_000
"""How many characters of sample texts one page holds at most (~20 MB packed, for prose): the file stays bounded
at 100,000 samples, where each text keeps its first and last ~100 characters (the full texts stay in reviews/)."""
TEXT_CHARS = 20_000
LEFT_OUT = ("\n… [", " characters left out; the full text is in reviews/] …\n")
"""What a cut text holds between its beginning and its end, around the number of characters left out."""
MIN_TEXT_CHARS = 40


def sample_payload(columns: SampleColumns, baseline_status: dict[str, str]) -> dict[str, Any]:
    """The drill-down's sample data for the samples of ``columns`` (a report's, in its order);
    ``baseline_status`` maps the flipped samples' node ids to their status in the baseline."""
    status_index: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
    nodes = _texts(columns.node_id)
    parts = list(map(str.rpartition, nodes, repeat("/")))
    prefix, prefixes = _indexed([head + slash for head, slash, _ in parts])
    dataset, datasets = _indexed(_texts(columns.dataset))
    subset, subsets = _indexed(_texts(columns.subset))
    statuses = columns.status
    raw_tags = columns.tags
    try:
        tagset, keys = _indexed([tuple(v) if type(v) is list else () for v in raw_tags])
        tagsets = [[str(t) for t in key] for key in keys]
    except TypeError:  # a tag that is not text (a hand-edited report): shown as text
        tagset, tagsets = _indexed([tuple(str(t) for t in v) if type(v) is list else () for v in raw_tags])
    tags = {t: i for i, t in enumerate(dict.fromkeys(t for key in tagsets for t in key))}
    extracted = columns.extracted
    if "error" in statuses:  # an errored sample shows its error instead
        extracted = [error if status == "error" else value
                     for error, status, value in zip(columns.error, statuses, extracted)]
    other = len(STATUSES) - 1
    # each column as it is when all its values are of the kinds the page takes (checked at C speed), else each
    # value made one of them
    scores = columns.score
    columns_out: dict[str, list[Any]] = {
        "prefix": prefix,
        "suffix": _suffixes([tail for _, _, tail in parts]),
        "dataset": dataset, "subset": subset, "tagset": tagset,
        "status": list(map(status_index.__getitem__, statuses))
        if _only(statuses, str) and status_index.keys() >= set(statuses)
        else [status_index.get(v, other) if type(v) is str else other for v in statuses],
        "score": scores if _finite(scores)
        else [v if type(v) is int or (type(v) is float and v - v == 0) else None  # finite numbers only
              for v in scores],
        "extracted": extracted if _only(extracted, str, type(None))
        else [v if v is None or type(v) is str else str(v) for v in extracted],
        "latency_ms": [round(v * 1000) if type(v) is float and v - v == 0 or type(v) is int else None
                       for v in columns.latency],
        "input_tokens": _ints(columns.input_tokens), "output_tokens": _ints(columns.output_tokens),
    }
    flipped = [[i, status_index[baseline_status[node]]] for i, node in enumerate(nodes)
               if baseline_status.get(node) in status_index] if baseline_status else []
    return {"count": columns.count, "statuses": list(STATUSES), "prefixes": prefixes, "datasets": datasets,
            "subsets": subsets, "tags": list(tags), "tagsets": [[tags[t] for t in key] for key in tagsets],
            "columns": columns_out, "baseline": flipped, "detail_fields": list(DETAIL_FIELDS)}


_PLAIN_NUMBERS = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:/(?:0|[1-9][0-9]{0,14}))*")


def _suffixes(tails: list[str]) -> list[int | str]:
    """Each node id's part after its last ``/``; a plain number stays one ("12345", not "007" or a 16-digit
    one). Such a part holds no ``/``: joined by ``/``, one match tells whether all are plain numbers."""
    if tails and _PLAIN_NUMBERS.fullmatch("/".join(tails)):
        return list(map(int, tails))
    return [int(t) if t.isdigit() and t.isascii() and len(t) < 16 and (t[0] != "0" or t == "0") else t
            for t in tails]


def _only(values: list[Any], *kinds: type) -> bool:
    """Whether every value is exactly of one of ``kinds`` (``bool`` is not ``int`` here)."""
    return set(map(type, values)) <= set(kinds)


def _finite(values: list[Any]) -> bool:
    """Whether every value is a finite ``int`` or ``float``."""
    if not _only(values, int, float):
        return False
    try:
        total = sum(values)  # an infinity or a NaN makes the sum one
    except OverflowError:  # an int too large for a float beside a float
        return False
    return type(total) is int or math.isfinite(total)


def _ints(values: list[Any]) -> list[int | None]:
    return values if _only(values, int, type(None)) else [v if type(v) is int else None for v in values]


def _texts(values: list[Any]) -> list[str]:
    if _only(values, str):
        return values
    return [v if type(v) is str else "" if v is None else str(v) for v in values]


def _indexed(values: list[Any]) -> tuple[list[int], list[Any]]:
    """Each value as an index into the table of the distinct values (in order of first appearance)."""
    table = {v: i for i, v in enumerate(dict.fromkeys(values))}
    return [table[v] for v in values], list(table)


def text_columns(details: Sequence[list[str] | None], *, budget: int = PAGE_TEXT_CHARS) -> list[list[str]]:
    """Per-sample text lists (``None`` for a sample without texts: every text empty) as one list per field of
    DETAIL_FIELDS (like texts next to each other compress better), every text cut to :func:`text_cap`."""
    return cut_columns(transposed(details), budget)


def transposed(details: Sequence[list[str] | None]) -> list[list[str]]:
    """Per-sample text lists (``None``: every text empty) as one list per field of DETAIL_FIELDS."""
    empty = [""] * len(DETAIL_FIELDS)
    return [list(column) for column in zip(*[d if d is not None else empty for d in details])] or \
        [[] for _ in DETAIL_FIELDS]


def cut_columns(columns: list[list[str]], budget: int = PAGE_TEXT_CHARS) -> list[list[str]]:
    """Every text of ``columns`` cut to :func:`text_cap`."""
    cap = columns_cap(columns, budget)
    return [[t if len(t) <= cap else cut(t, cap) for t in column] for column in columns]


def columns_cap(columns: list[list[str]], budget: int) -> int:
    """:func:`text_cap` of every text of ``columns``."""
    counts: Counter[int] = Counter()
    for column in columns:
        counts.update(map(len, column))
    return _cap(counts, budget)


def encoded_texts(columns: list[list[str]], clean: Callable[[str], str] | None = None) -> bytes:
    """The text columns for :func:`compress`: a NUL, then every text (column after column) followed by a NUL
    but the last; as a JSON array of the columns instead if a text holds a NUL itself. Joining costs a tenth
    of JSON-encoding 40 million characters, and the browser splits it as fast."""
    texts = [t for column in columns for t in column]
    text = "\x00" + "\x00".join(texts)
    if text.count("\x00") != max(len(texts), 1):
        text = json.dumps(columns, ensure_ascii=False, separators=(",", ":"))
    if clean is not None:
        text = clean(text)
    return text.encode("utf-8", errors="replace")


def text_cap(lengths: Iterable[int], budget: int) -> int:
    """How many characters each text keeps: the most (at most TEXT_CHARS) that keeps all of them within
    ``budget`` characters together (short texts stay whole and leave their share to the long ones)."""
    return _cap(Counter(lengths), budget)


def _cap(counts: Counter[int], budget: int) -> int:
    """:func:`text_cap` from how many texts have each length."""
    counts.pop(0, None)
    if sum([min(n, TEXT_CHARS) * k for n, k in counts.items()]) <= budget:
        return TEXT_CHARS
    rest = sum(counts.values())  # the texts at least as long as the length looked at
    before = 0  # the total length of the shorter ones
    # the first length whose texts cannot stay whole if every text from them on gets that length (that need
    # only grows with the length)
    for n in sorted(counts):
        if n * rest + before > budget:
            return max(MIN_TEXT_CHARS, (budget - before) // rest)
        before += n * counts[n]
        rest -= counts[n]
    return TEXT_CHARS


def cut(text: str, limit: int) -> str:
    """The beginning and the end of a long text (a prompt's question and an answer's verdict are there)."""
    half = limit // 2
    return f"{text[:half]}{LEFT_OUT[0]}{len(text) - 2 * half}{LEFT_OUT[1]}{text[len(text) - half:]}"


def packed(data: Any, clean: Callable[[str], str] | None = None) -> str:
    """``data`` as JSON (``clean`` applied to its text), gzipped and base64-encoded: inert inside the page
    (only ``[A-Za-z0-9+/=]``), and unpacked by the browser's own ``DecompressionStream``."""
    return compress(encoded(data, clean))


def encoded(data: Any, clean: Callable[[str], str] | None = None) -> bytes:
    """The UTF-8 JSON that :func:`packed` compresses."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if clean is not None:
        text = clean(text)
    return text.encode("utf-8", errors="replace")  # a lone surrogate (never valid UTF-8) becomes "?"


def compress(raw: bytes) -> str:
    """Gzip (fastest level: the page is written on every run) and base64; zlib lets other threads run meanwhile."""
    return base64.b64encode(gzip.compress(raw, compresslevel=1, mtime=0)).decode("ascii")
