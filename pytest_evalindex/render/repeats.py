"""The repeats view (``--eval-repeats K``): pass@k and stable-correct/flaky/stable-wrong counts per row."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tabulate import tabulate

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.text import sanitize
from pytest_evalindex.metrics.aggregate import LevelRow, Report
from pytest_evalindex.metrics.repeated import answer_scores
from pytest_evalindex.metrics.repeats import STABILITY, stability

_MAX_FLAKY = 10


def _rows(report: Report) -> list[LevelRow]:
    """Dataset rows, then the index row: the rows the view shows."""
    rows = [r for r in report.levels.get("dataset_level", []) if r.repeats is not None]
    if report.index is not None and report.index.repeats is not None:
        rows.append(report.index)
    return rows


def _table(report: Report, fmt: str, text: Callable[[str], str]) -> str | None:
    rows = _rows(report)
    if not rows:
        return None
    k = max(int(r.repeats["k"]) for r in rows if r.repeats)
    headers = ["row", *(f"pass@{i}" for i in range(1, k + 1)), *STABILITY]
    table = []
    for row in rows:
        assert row.repeats is not None
        name = row.name if row is not report.index else f"{row.name} (index)"
        passes = row.repeats["pass@k"]
        values = [passes.get(str(i), {}).get("micro") for i in range(1, k + 1)]
        table.append([text(name), *("-" if v is None else str(v) for v in values),
                      *(str(row.repeats["stability"][c]) for c in STABILITY)])
    return tabulate(table, headers=headers, tablefmt=fmt, disable_numparse=True,
                    colalign=("left", *("right",) * (len(headers) - 1)))


def summary_line(report: Report, results: Sequence[SampleResult], text: Callable[[str], str] = sanitize
                 ) -> str | None:
    """One line: K, the index's weighted pass@k and its stability counts, then the first flaky samples."""
    row = report.index
    answered = [r for r in results if r.repeats]
    if not answered:
        return None
    k = max(len(r.repeats or ()) for r in answered)
    line = f"evalindex repeats: {k} answers per sample"
    if row is not None and row.repeats is not None:
        passes = ", ".join(f"pass@{i} {v['weighted']}" for i, v in row.repeats["pass@k"].items())
        counts = ", ".join(f"{row.repeats['stability'][c]} {c}" for c in STABILITY)
        line += f"; index {text(row.name)}: {passes} (weighted); {counts}"
    flaky = [r for r in answered if stability(answer_scores(r)) == "flaky"]
    if flaky:
        shown = ", ".join(f"{text(r.node_id)} ({_fraction(r)})" for r in flaky[:_MAX_FLAKY])
        more = f" and {len(flaky) - _MAX_FLAKY} more" if len(flaky) > _MAX_FLAKY else ""
        line += f"\nevalindex flaky samples: {shown}{more}"
    return line


def _fraction(result: SampleResult) -> str:
    scores = [s for s in answer_scores(result) if s is not None]
    return f"{sum(1 for s in scores if s >= 1.0)}/{len(scores)} correct"


def render_repeats(report: Report, results: Sequence[SampleResult]) -> str | None:
    """The terminal block: a ``repeats Report`` table (micro pass@k per dataset and the index) and the summary
    line; ``None`` when no sample was answered more than once."""
    table = _table(report, "pretty", sanitize)
    line = summary_line(report, results)
    if table is None or line is None:
        return None
    return f"\nrepeats Report (pass@k: mean over samples of the unbiased estimate):\n{table}\n{line}\n"


def markdown_repeats(report: Report, results: Sequence[SampleResult], escape: Callable[[str], str]) -> list[str]:
    """The Markdown section (heading, line, table), or nothing when no sample was answered more than once;
    ``escape`` makes suite text literal Markdown."""
    table = _table(report, "github", escape)
    line = summary_line(report, results, escape)
    if table is None or line is None:
        return []
    return ["## Repeats", "", line.replace("\n", "  \n"), "", table, ""]
