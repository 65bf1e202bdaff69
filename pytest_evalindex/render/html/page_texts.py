"""The sample texts a run's own page already holds: `evalindex report` takes them from ``reports/report.html``
instead of parsing every line of ``reviews/`` again, when the page says it was made from the same files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pytest_evalindex.render.html.details import review_file
from pytest_evalindex.render.html.payload import PAGE_TEXT_CHARS

TEXTS_FORMAT = f"columns-gzip-base64/{PAGE_TEXT_CHARS}"
"""Changes whenever the packed texts would come out differently from the same files."""
_SOURCE = re.compile(rb'<meta name="evalindex-texts" content="([0-9a-f]{32})">')
_TEXTS = re.compile(rb'<script type="application/octet-stream" id="evalindex-details">([A-Za-z0-9+/=]*)</script>')


def texts_source(report_file: Path) -> str:
    """What the texts of a page about ``report_file``'s run are made from: its report and reviews files (size
    and modification time, like any build tool), and the packing format."""
    parts = [TEXTS_FORMAT]
    for path in (report_file, review_file(report_file)):
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            stat = None
        parts.append(f"{stat.st_size}:{stat.st_mtime_ns}" if stat is not None else "-")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def texts_from_page(report_file: Path) -> str | None:
    """The packed texts of the run's own page (``<run>/reports/report.html``) if it was made from the run's
    current files; ``None`` otherwise (no page, another version, files changed since)."""
    if report_file.parent.parent.name != "reports":
        return None
    page = report_file.parent.parent / "report.html"
    try:
        raw = page.read_bytes()  # searched as bytes: decoding all of it would cost more than the search
    except OSError:
        return None
    source = _SOURCE.search(raw, 0, 4096)
    if source is None or source.group(1).decode("ascii") != texts_source(report_file):
        return None
    texts = _TEXTS.search(raw, source.end())  # base64 only: nothing else of that page comes along
    return texts.group(1).decode("ascii") if texts is not None else None
