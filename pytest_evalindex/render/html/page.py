"""The HTML report as one self-contained file: the Jinja template (autoescaped) filled with the runs' view
models, the drill-down data embedded packed (gzip, base64: inert), the script and style inline, and a
Content-Security-Policy that lets only that one script run and forbids every network request."""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from pytest_evalindex import __version__
from pytest_evalindex.render.html import charts, compare
from pytest_evalindex.render.html.data import Run, headline, levels, paused_gc, performance, settings_view
from pytest_evalindex.render.html.page_texts import texts_source
from pytest_evalindex.render.html.payload import packed, sample_payload, transposed
from pytest_evalindex.render.html.template_cache import template_cache
from pytest_evalindex.render.html.text_pack import pack_texts

REPORT_HTML = "report.html"
"""The file name EvalScope's service serves as a run's HTML report (``<run>/reports/report.html``)."""
_TEXTS_SLOT = markupsafe.Markup("<evalindex-texts/>")  # where the packed texts go: run text shows "<" escaped

def render_report(runs: Sequence[Run], *, baseline: Run | None = None,
                  clean: Callable[[str], str] | None = None) -> str:
    """The page for ``runs`` (the first is the one drilled into), compared with ``baseline`` when given.

    ``clean`` is applied to the sample data's JSON (a finishing run passes its secret scrubber: the texts come
    from memory, not from the scrubbed files)."""
    return "".join(_render_parts(runs, baseline, clean))


def write_report(path: Path, runs: Sequence[Run], *, baseline: Run | None = None,
                 clean: Callable[[str], str] | None = None) -> Path:
    """Render and write atomically; returns ``path``."""
    with paused_gc():
        parts = _render_parts(runs, baseline, clean)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for part in parts:  # the packed texts (most of the file) are written as they are, never copied
                handle.write(part)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _render_parts(runs: Sequence[Run], baseline: Run | None, clean: Callable[[str], str] | None) -> list[str]:
    """The page as the text before the packed sample texts, those texts, and the text after them. The texts
    are compressed in a second thread (zlib releases the interpreter) while the rest is rendered."""
    primary = runs[0]
    with ThreadPoolExecutor(max_workers=1) as pool:
        texts: Callable[[], str]
        if primary.texts_packed is not None:
            texts = pool.submit(str, primary.texts_packed).result
        else:
            columns = primary.texts if primary.texts is not None else \
                transposed(primary.details or [None] * primary.columns.count)
            texts = pack_texts(columns, pool, clean)
            del columns
        if baseline is not None:
            comparison: dict[str, Any] | None = compare.with_baseline(primary, baseline)
        else:
            comparison = compare.stored(primary)
        level_views = levels(primary)
        for level in level_views:
            level["chart"] = charts.bars(level["rows"], level["main"])
        perf = performance(primary)
        perf["chart"] = charts.histogram(perf["histogram"], perf["latency"]["min"], perf["latency"]["max"])
        others = list(runs[1:])
        side = compare.side_by_side([primary, *others], baseline or primary) if others else None
        payload = sample_payload(primary.columns, compare.baseline_statuses(comparison))
        context = {
            "title": f"pytest-evalindex · {primary.data.get('model') or 'run'}",
            "heads": [headline(run) for run in [primary, *others]],
            "baseline_head": headline(baseline) if baseline is not None else None,
            "levels": level_views, "perf": perf, "comparison": comparison, "side": side,
            "settings": settings_view(primary), "version": __version__,
            "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "sample_count": primary.columns.count,
        }
        script = _asset("report.js")
        page = _template().render(
            **context, style=_asset("report.css"), script=script, script_hash=_sha256(script),
            samples_packed=packed(payload, clean), details_packed=_TEXTS_SLOT, texts_source=texts_source(primary.file))
        before, _, after = page.partition(_TEXTS_SLOT)
        return [before, texts(), after]


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


_OPTIONS: dict[str, Any] = {"autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": True,
                            "lstrip_blocks": True}


def _template_salt() -> str:
    """What the compiled template depends on besides its source and Jinja's version: the environment's options."""
    return repr(sorted(_OPTIONS.items()))


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader(__package__ or "", "."), **_OPTIONS,
                             bytecode_cache=template_cache(_template_salt()))
    env.filters["num"] = _number
    env.filters["signed"] = _signed
    env.filters["ms"] = _milliseconds
    return env.get_template("report.html.j2")


def _number(value: Any, places: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(round(value, places))


def _signed(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "-"
    return "±0" if value == 0 else f"{value:+.4f}".rstrip("0").rstrip(".")


def _milliseconds(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "-"
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"
