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
from pytest_evalindex.metrics.intervals import Average
from pytest_evalindex.metrics.paired_rows import PairedRow
from pytest_evalindex.metrics.row_ci import confidence_label, interval_text
from pytest_evalindex.render.repeats import markdown_repeats

_MARKDOWN_SPECIALS = frozenset("\\`*_[]|~$")
_DELTA = "Δ baseline"
_NUMBER_COLUMNS = frozenset({"micro_avg.", "macro_avg.", "weighted_avg.", "count", "excluded", "errors", _DELTA})
_VISIBLE_FLIPS = 10
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
    warnings: Sequence[str] = (),
) -> str:
    """The whole summary. ``gates`` are all gate outcomes; the comparison's own gate is added if missing;
    ``results`` (when given) feed the repeats section; each of ``warnings`` is a quoted line under the title."""
    all_gates = list(gates)
    if comparison is not None:
        names = {g.name for g in all_gates}
        all_gates += [o for o in comparison.outcomes if o.name not in names]
    failed = [g for g in all_gates if not g.passed]
    parts = [f"# {escape(title)}", ""]
    for warning in warnings:
        parts += [f"> ⚠️ **{escape(warning)}**", ""]
    if notice:
        parts += [f"> **{escape(notice)}**", ""]
    parts += [_headline(report, all_gates, failed, partial=notice is not None), "", _totals_line(report), ""]

    parts += ["## Gates", ""]
    if all_gates:
        rows = [[PASS if g.passed else FAIL, escape(g.name),
                 "<br>".join([escape(g.message), *(f"⚠️ {escape(w)}" for w in getattr(g, "warnings", []))])]
                for g in all_gates]
        parts += [_table(rows, ["", "gate", "result"]), ""]
    else:
        parts += ["_No gates configured._", ""]

    # One screen by default: index, gates, regressions; the levels and the rest of the comparison are folded.
    if comparison is not None:
        parts += _baseline_section(comparison)
    before = _baseline_values(comparison)
    parts += ["## Report", "", _fold("The five levels (subset, dataset, task, tag, category)")]
    for level in LEVELS:
        parts += [f"### {level}", "", _level_table(report.levels.get(level, []), report.confidence,
                                                   before.get(level)), ""]
    parts += ["</details>", ""]
    parts += markdown_repeats(report, results, escape)
    return "\n".join(parts).rstrip("\n") + "\n"


def _fold(summary: str) -> str:
    """The opening of a folded block (GitHub renders Markdown inside it after a blank line)."""
    return f"<details><summary>{escape(summary)}</summary>\n"


def _baseline_values(comparison: BaselineComparison | None) -> dict[str, dict[str, float | None]]:
    """Per level, each row's main value in the baseline (subsets: micro, other levels: weighted)."""
    if comparison is None:
        return {}
    return {level: {row.name: row.micro if level == "subset_level" else row.weighted
                    for row in comparison.baseline_report.levels.get(level, [])} for level in LEVELS}


def _headline(report: Report, gates: Sequence[GateLike], failed: Sequence[GateLike], *, partial: bool) -> str:
    if report.index is not None:
        index = f"Index **{format_value(report.index.weighted)}** ({escape(report.index.name)}, weighted\\_avg"
        ci = report.index.intervals
        if ci is not None:
            index += f", {interval_text(ci.weighted.interval.lo, ci.weighted.interval.hi, ci.weighted.confidence)}"
        index += ")"
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


def _level_table(rows: Sequence[LevelRow], confidence: float | None = None,
                 before: dict[str, float | None] | None = None) -> str:
    if not rows:
        return "_No rows._"
    show_counts = any(row.excluded or row.errors for row in rows)
    headers = list(rows[0].evalscope_row())
    # Our own column: the interval of the row's headline average (weighted; micro on the subset level).
    average: Average = "micro" if rows[0].level == "subset_level" else "weighted"
    ci_column = f"{average} {confidence_label(confidence)} CI" if confidence is not None else None
    if ci_column is not None:
        headers.insert(headers.index("count"), ci_column)
    if show_counts:
        headers += ["excluded", "errors"]
    if before is not None:
        headers.append(_DELTA)
    table: list[list[str]] = []
    for row in rows:
        values: dict[str, Any] = row.evalscope_row()
        if show_counts:
            values.update(excluded=row.excluded, errors=row.errors)
        if ci_column is not None:
            interval = row.intervals.get(average).interval if row.intervals is not None else None
            values[ci_column] = (f"[{format_value(interval.lo)}, {format_value(interval.hi)}]"
                                 if interval is not None else "-")
        if before is not None:
            now = row.micro if row.level == "subset_level" else row.weighted
            was = before.get(row.name)
            values[_DELTA] = None if now is None or was is None else f"{round(now - was, 4):+g}"
        table.append([_cell(name, values.get(name)) for name in headers])
    return _table(table, headers,  # our own column names
                  colalign=tuple("right" if h in _NUMBER_COLUMNS or h.endswith(" CI") else "left" for h in headers))


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format_value(value)
    if column in _NUMBER_COLUMNS or column.endswith(" CI"):  # numbers we formatted: nothing to escape
        return str(value)
    return escape(value)


def _baseline_section(comparison: BaselineComparison) -> list[str]:
    """Flipped samples first, then the significant drops, then every other row folded."""
    baseline = comparison.baseline
    scope = f"{comparison.common} common samples"
    if comparison.only_current or comparison.only_baseline:
        scope += (f" ({comparison.only_current} only in this run and {comparison.only_baseline} only in the "
                  "baseline were left out)")
    parts = ["## Baseline", "",
             f"Compared with {escape(_run_name(baseline.path))} (model {escape(baseline.model or '?')}) over {scope}: "
             f"{len(comparison.regressions)} regressed, {len(comparison.improvements)} improved.", ""]
    regressions = comparison.regressions
    if regressions:
        parts += [f"### Regressions ({len(regressions)})", "", _flip_table(regressions[:_VISIBLE_FLIPS]), ""]
        if len(regressions) > _VISIBLE_FLIPS:
            parts += [_fold(f"{len(regressions) - _VISIBLE_FLIPS} more regressions"),
                      _flip_table(regressions[_VISIBLE_FLIPS:]), "", "</details>", ""]
    if comparison.improvements:
        parts += [_fold(f"Improvements ({len(comparison.improvements)})"),
                  f"### Improvements ({len(comparison.improvements)})", "", _flip_table(comparison.improvements), "",
                  "</details>", ""]
    alpha = comparison.alpha if comparison.alpha is not None else 0.05
    significant = comparison.significant(alpha)
    rule = f"one-sided paired tests at alpha {format(alpha, 'g')}, Holm over {comparison.tests} tests"
    parts += [f"### Significant drops ({len(significant)})", ""]
    parts += [_paired_table(significant, comparison.confidence), ""] if significant else [f"_None ({escape(rule)})._", ""]
    if significant:
        parts += [f"_{escape(rule)}_", ""]
    chosen = {id(p) for p in significant}
    rest = [p for p in comparison.paired if id(p) not in chosen]
    if rest:
        parts += [_fold(f"Every other row ({len(rest)})"), _paired_table(rest, comparison.confidence), "",
                  "</details>", ""]
    if comparison.alpha is None and comparison.drops:
        rows = [[escape(d.level), escape(d.row), escape(d.metric), format_value(d.baseline),
                 format_value(d.current), format_value(d.drop)]
                for d in sorted(comparison.drops, key=lambda d: -d.drop)]
        parts += [_fold(f"Rows that dropped ({len(rows)})"), "### Rows that dropped", "",
                  _table(rows, ["level", "row", "metric", "baseline", "current", "drop"],
                         colalign=("left", "left", "left", "right", "right", "right")), "", "</details>", ""]
    return parts


def _paired_table(rows: Sequence[PairedRow], confidence: float) -> str:
    body = [[escape(p.level), escape(p.row), escape(p.metric), format_value(p.baseline), format_value(p.current),
             format_value(p.result.diff), f"[{format_value(p.result.interval.lo)}, {format_value(p.result.interval.hi)}]",
             f"{p.result.p_drop:.3g}", f"{p.p_holm:.3g}", escape(p.result.method)] for p in rows]
    return _table(body, ["level", "row", "metric", "baseline", "current", "diff", f"{confidence_label(confidence)} CI",
                         "p (drop)", "p (Holm)", "test"],
                  colalign=("left", "left", "left", "right", "right", "right", "right", "right", "right", "left"))


def _run_name(path: Path) -> str:
    """A baseline as its run folder's name (``20261201_120000``), never a path of this machine."""
    if path.parent.parent.name == "reports":
        return path.parent.parent.parent.name
    return path.name


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
    # "pipe": GitHub's table syntax with alignment colons (so numbers render right-aligned)
    return tabulate(rows, headers=list(headers), tablefmt="pipe", disable_numparse=True, colalign=colalign)


__all__ = ["GateLike", "escape", "render_markdown"]


def write_markdown(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append, for ``$GITHUB_STEP_SUMMARY``) the Markdown summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w", encoding="utf-8") as f:
        f.write(text if text.endswith("\n") else text + "\n")
