"""The self-contained HTML report: data assembly (data, details, compare), chart geometry and the page."""

from __future__ import annotations

from pytest_evalindex.render.html.data import Run, load_run
from pytest_evalindex.render.html.details import details_from_results, text_limit
from pytest_evalindex.render.html.page import REPORT_HTML, render_report, write_report

__all__ = ["REPORT_HTML", "Run", "details_from_results", "load_run", "render_report", "text_limit", "write_report"]
