"""A GitHub-flavoured Markdown summary of a run: headline, gates, the five levels, flips vs a baseline.

Every cell is text from the suite or the model, so it is escaped: Markdown punctuation
(``|``, backticks, emphasis, links, math) gets a backslash, HTML is entity-encoded (a
``<script>`` shows as text), and control characters are shown as escapes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from tabulate import tabulate

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.text import sanitize
from pytest_evalindex.gates.baseline import BaselineComparison, Flip
from pytest_evalindex.gates.outcome import format_value
from pytest_evalindex.metrics.aggregate import LEVELS, LevelRow, Report
from pytest_evalindex.render.repeats import markdown_repeats

_MARKDOWN_SPECIALS = frozenset("\\`*_[]|~$")
_NUMBER_COLUMNS = frozenset({"micro_avg.", "macro_avg.", "weighted_avg.", "count", "excluded", "errors"})
_MAX_FLIPS = 100
PASS = "✅"
FAIL = "❌"


class GateLike(Protocol):
    """What the summary needs from a gate outcome."""

    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def message(self) -> str: ...


def escape(text: object) -> str:
    """``text`` as literal inline Markdown, safe inside a table cell."""
    visible = sanitize(str(text))
    marked = "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in visible)
    return html.escape(marked, quote=False)


def render_markdown(
    report: Report,
    *,
    gates: Sequence[GateLike],
    comparison: BaselineComparison | None,
    title: str,
    notice: str | None = None,
    results: Sequence[SampleResult] = (),
) -> str:
    """The whole summary. ``gates`` are all gate outcomes; the comparison's own gate is added if missing;
    ``results`` (when given) feed the repeats section."""
    all_gates = list(gates)
    if comparison is not None:
        names = {g.name for g in all_gates}
        all_gates += [o for o in comparison.outcomes if o.name not in names]
    failed = [g for g in all_gates if not g.passed]
    parts = [f"# {escape(title)}", ""]
    if notice:
        parts += [f"> **{escape(notice)}**", ""]
    parts += [_headline(report, all_gates, failed, partial=notice is not None), "", _totals_line(report), ""]

    parts += ["## Gates", ""]
    if all_gates:
        rows = [[PASS if g.passed else FAIL, escape(g.name), escape(g.message)] for g in all_gates]
        parts += [_table(rows, ["", "gate", "result"]), ""]
    else:
        parts += ["_No gates configured._", ""]

    parts += ["## Report", ""]
    for level in LEVELS:
        parts += [f"### {level}", "", _level_table(report.levels.get(level, [])), ""]
    parts += markdown_repeats(report, results, escape)

    if comparison is not None:
        parts += _baseline_section(comparison)
    return "\n".join(parts).rstrip("\n") + "\n"


def _headline(report: Report, gates: Sequence[GateLike], failed: Sequence[GateLike], *, partial: bool) -> str:
    if report.index is not None:
        index = f"Index **{format_value(report.index.weighted)}** ({escape(report.index.name)}, weighted\\_avg)"
    else:
        index = "No single index row"
    if partial and not gates:
        verdict = "**NO VERDICT** (partial run)"
    elif not gates:
        verdict = f"{PASS} **PASS** (no gates)"
    elif failed:
        verdict = f"{FAIL} **FAIL** ({len(failed)} of {len(gates)} gates failed)"
    else:
        verdict = f"{PASS} **PASS** (all {len(gates)} gates passed)"
    return f"{index} — {verdict}"


def _totals_line(report: Report) -> str:
    t = report.totals
    return (f"Samples: {t.samples} ({t.correct} correct, {t.incorrect} incorrect, "
            f"{t.excluded} excluded, {t.errors} errors)")


def _level_table(rows: Sequence[LevelRow]) -> str:
    if not rows:
        return "_No rows._"
    show_counts = any(row.excluded or row.errors for row in rows)
    headers = list(rows[0].evalscope_row())
    if show_counts:
        headers += ["excluded", "errors"]
    table: list[list[str]] = []
    for row in rows:
        values: dict[str, Any] = row.evalscope_row()
        if show_counts:
            values.update(excluded=row.excluded, errors=row.errors)
        table.append([_cell(name, values.get(name)) for name in headers])
    return _table(table, headers,  # our own column names
                  colalign=tuple("right" if h in _NUMBER_COLUMNS else "left" for h in headers))


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format_value(value)
    if column in _NUMBER_COLUMNS:
        return str(value)
    return escape(value)


def _baseline_section(comparison: BaselineComparison) -> list[str]:
    baseline = comparison.baseline
    scope = f"{comparison.common} common samples"
    if comparison.only_current or comparison.only_baseline:
        scope += (f" ({comparison.only_current} only in this run and {comparison.only_baseline} only in the "
                  "baseline were left out)")
    parts = ["## Baseline", "",
             f"Compared with {escape(baseline.path)} (model {escape(baseline.model or '?')}) over {scope}: "
             f"{len(comparison.regressions)} regressed, {len(comparison.improvements)} improved.", ""]
    if comparison.drops:
        rows = [[escape(d.level), escape(d.row), escape(d.metric), format_value(d.baseline),
                 format_value(d.current), format_value(d.drop)]
                for d in sorted(comparison.drops, key=lambda d: -d.drop)]
        parts += ["### Rows that dropped", "",
                  _table(rows, ["level", "row", "metric", "baseline", "current", "drop"],
                         colalign=("left", "left", "left", "right", "right", "right")), ""]
    for heading, flips in (("Regressions", comparison.regressions), ("Improvements", comparison.improvements)):
        if flips:
            parts += [f"### {heading} ({len(flips)})", "", _flip_table(flips), ""]
    return parts


def _flip_table(flips: Sequence[Flip]) -> str:
    rows = [[escape(f.node_id), escape(f"{f.dataset_name}/{f.subset_name}"), escape(f.baseline_status),
             escape(f.current_status), _answer(f.baseline_extracted), _answer(f.current_extracted)]
            for f in flips[:_MAX_FLIPS]]
    table = _table(rows, ["sample", "dataset/subset", "baseline", "now", "answer before", "answer now"])
    if len(flips) > _MAX_FLIPS:
        table += f"\n\n… and {len(flips) - _MAX_FLIPS} more."
    return table


def _answer(extracted: str | None) -> str:
    return "-" if extracted is None else escape(extracted)


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str], colalign: tuple[str, ...] | None = None) -> str:
    return tabulate(rows, headers=list(headers), tablefmt="github", disable_numparse=True, colalign=colalign)


__all__ = ["GateLike", "escape", "render_markdown"]


def write_markdown(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append, for ``$GITHUB_STEP_SUMMARY``) the Markdown summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w", encoding="utf-8") as f:
        f.write(text if text.endswith("\n") else text + "\n")
