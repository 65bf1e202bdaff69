"""The page's sample texts packed as they are cut: each field's column is joined, scrubbed and encoded in turn
while a worker thread gzips the previous one (zlib lets the interpreter run meanwhile), so at 100,000 samples
compressing ~50 MB mostly overlaps the rest of the page's making instead of following it."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from concurrent.futures import Executor, Future

from pytest_evalindex.render.html.payload import (
    LEFT_OUT,
    PAGE_TEXT_CHARS,
    columns_cap,
    compress,
    cut,
    cut_columns,
    encoded_texts,
)

_GZIP = 16 + zlib.MAX_WBITS  # a gzip member (header and trailer), as gzip.compress writes
_MARK = "\x01"
"""Stands for the "…" of a cut text's note while the column is joined: text of ASCII characters only stays one
byte per character (a single "…" makes Python store the whole column in two), and "…" goes in as bytes after."""
_MARK_HEAD, _MARK_TAIL = (part.replace("…", _MARK) for part in LEFT_OUT)
_ELLIPSIS = "…".encode()


def pack_texts(columns: list[list[str]], pool: Executor, clean: Callable[[str], str] | None = None,
               budget: int = PAGE_TEXT_CHARS) -> Callable[[], str]:
    """Start packing ``columns`` (one list per detail field, uncut) into what ``encoded_texts`` then ``compress``
    would give for them cut to the page's cap; returns the call that waits for the packed text. ``pool`` must
    run one task at a time, in order (one worker)."""
    if not columns or not columns[0]:
        return pool.submit(compress, encoded_texts(columns, clean)).result
    cap = columns_cap(columns, budget)
    zipper = zlib.compressobj(1, zlib.DEFLATED, _GZIP)  # fastest level: the page is written on every run
    parts: list[Future[bytes]] = []
    for column in columns:
        raw = _joined(column, cap, clean)
        if raw is None:  # a text holds a NUL itself: the columns go as JSON instead
            return pool.submit(compress, encoded_texts(cut_columns(columns, budget), clean)).result
        parts.append(pool.submit(zipper.compress, raw))
        del raw
    parts.append(pool.submit(zipper.flush))
    return lambda: base64.b64encode(b"".join([part.result() for part in parts])).decode("ascii")


def _joined(column: list[str], cap: int, clean: Callable[[str], str] | None) -> bytes | None:
    """A NUL before each text of ``column`` (cut to ``cap``), scrubbed and UTF-8 encoded; ``None`` if a text
    holds a NUL."""
    cuts = sum(map(cap.__lt__, map(len, column)))
    if cuts:
        half = cap // 2
        keep = 2 * half
        text = "\x00" + "\x00".join([t if len(t) <= cap else f"{t[:half]}{_MARK_HEAD}{len(t) - keep}{_MARK_TAIL}{t[-half:]}"
                                     for t in column])
    else:
        text = "\x00" + "\x00".join(column)
    if text.count("\x00") != len(column):
        return None
    marked = cuts > 0 and text.count(_MARK) == 2 * cuts
    if cuts and not marked:  # a text holds the stand-in itself
        text = "\x00" + "\x00".join([t if len(t) <= cap else cut(t, cap) for t in column])
    # no secret spans two texts, nor a note (neither holds a NUL, or a "\n… ["): column by column is the same
    if clean is not None:
        text = clean(text)
    raw = text.encode("utf-8", errors="replace")
    return raw.replace(_MARK.encode(), _ELLIPSIS) if marked else raw
