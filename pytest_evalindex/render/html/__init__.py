"""The self-contained HTML report: data assembly (data, details, compare), chart geometry and the page."""

from __future__ import annotations

from pytest_evalindex.render.html.data import Run, load_run
from pytest_evalindex.render.html.details import first_answer_detail
from pytest_evalindex.render.html.page import REPORT_HTML, render_report, write_report
from pytest_evalindex.render.html.run_page import write_run_page

__all__ = ["REPORT_HTML", "Run", "first_answer_detail", "load_run", "render_report", "write_report", "write_run_page"]
