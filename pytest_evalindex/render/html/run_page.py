"""The page a finishing run writes to ``<run>/reports/report.html``: its report as the objects just written to
``evalindex_report.json`` (not parsed back), the sample texts from the results and collection lines in memory,
every secret scrubbed as in the files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.secrets import REGISTRY, scrub, scrub_obj, secret_variants
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.render.html.columns import result_columns
from pytest_evalindex.render.html.data import Run, paused_gc
from pytest_evalindex.render.html.details import result_texts
from pytest_evalindex.render.html.page import REPORT_HTML, write_report
from pytest_evalindex.runs.layout import EVALINDEX_REPORT_NAME
from pytest_evalindex.runs.writer import in_report_order


def write_run_page(run_dir: Path, document: Mapping[str, Any], results: Sequence[SampleResult],
                   entries: Mapping[str, Entry], secrets: Sequence[str] = (),
                   details: Sequence[list[str] | None] | None = None) -> Path:
    """Write ``run_dir/reports/report.html`` for the run whose report ``document`` (``runs.writer``'s
    ``report_document``, its ``samples`` not needed: they are taken from ``results``) was just written there;
    returns the page's path. ``secrets`` (the settings' own, beside every registered one) are scrubbed from the
    report's head here and from the sample data as it is packed. ``details``: the samples' texts in the report's
    order when already at hand (a merge reads them from the shards' reviews)."""
    variants = secret_variants(secrets)
    with paused_gc():
        data = REGISTRY.scrub_obj(scrub_obj({k: v for k, v in document.items() if k != "samples"}, secrets))
        ordered = in_report_order(results)
        run = Run(file=run_dir / "reports" / str(data.get("model_id")) / EVALINDEX_REPORT_NAME, data=data,
                  known_columns=result_columns(ordered))
        if details is not None:
            run.details = list(details)
        else:
            run.texts = result_texts(ordered, entries)
        return write_report(run_dir / "reports" / REPORT_HTML, [run],
                            clean=lambda text: scrub(REGISTRY.scrub(text), variants))
