"""The page's sample texts packed as they are cut: each field's column is joined, scrubbed and encoded in turn
while a worker thread gzips the previous one (zlib lets the interpreter run meanwhile), so at 100,000 samples
compressing ~50 MB mostly overlaps the rest of the page's making instead of following it."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from concurrent.futures import Executor, Future

from pytest_evalindex.render.html.payload import PAGE_TEXT_CHARS, columns_cap, compress, cut, cut_columns, encoded_texts

_GZIP = 16 + zlib.MAX_WBITS  # a gzip member (header and trailer), as gzip.compress writes


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
        text = "\x00" + "\x00".join([t if len(t) <= cap else cut(t, cap) for t in column])
        if text.count("\x00") != len(column):  # a text holds a NUL itself: the columns go as JSON instead
            return pool.submit(compress, encoded_texts(cut_columns(columns, budget), clean)).result
        if clean is not None:  # no secret spans two texts (none holds a NUL): column by column is the same
            text = clean(text)
        parts.append(pool.submit(zipper.compress, text.encode("utf-8", errors="replace")))
        del text
    parts.append(pool.submit(zipper.flush))
    return lambda: base64.b64encode(b"".join([part.result() for part in parts])).decode("ascii")
