"""The page a finishing run writes to ``<run>/reports/report.html``: its report read back from the file just
written (scrubbed like every file), the sample texts from the results and collection lines still in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.render.html.data import load_run, paused_gc
from pytest_evalindex.render.html.details import details_from_results
from pytest_evalindex.render.html.page import REPORT_HTML, write_report


def write_run_page(run_dir: Path, results: Sequence[SampleResult], entries: Mapping[str, Entry],
                   clean: Callable[[str], str] | None = None) -> Path:
    """Write ``run_dir/reports/report.html`` for the run just written there; returns its path. ``clean`` scrubs
    the sample texts (they come from memory, not from the scrubbed files)."""
    with paused_gc():
        run = load_run(run_dir, with_details=False)
        run.details = details_from_results(run.samples, {r.node_id: r for r in results}, entries)
    return write_report(run_dir / "reports" / REPORT_HTML, [run], clean=clean)
