"""The HTML report in a real headless Chromium (Debian's, driven by Playwright; no browser download): opened from
disk, it shows the report JSON's numbers, its filters work, hostile text never runs, and it asks for nothing
over the network. Screenshots go to ``$EVALINDEX_ARTIFACTS/screenshots`` when that is set (CI keeps them)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers_html import HOSTILE_SUBSET, HOSTILE_TAG, MODEL, entry_for, hostile_results, write_run

from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.html import load_run, write_report, write_run_page
from pytest_evalindex.runs.writer import report_document

expect: Any = None  # playwright.sync_api.expect, imported with Playwright by the fixture
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


def chromium_executable() -> str:
    """Debian's Chromium; a clear failure (never a skip) when it is not installed."""
    configured = os.environ.get("EVALINDEX_CHROMIUM")
    for candidate in ([configured] if configured else []) + list(CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    pytest.fail("the browser tests need Chromium: `apt-get install -y chromium` (.ci/run installs it), or set "
                "EVALINDEX_CHROMIUM to a Chromium binary", pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install -e '.[test]'", pytrace=False)
    executable = chromium_executable()
    with sync_playwright() as playwright:
        global expect
        from playwright.sync_api import expect
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


def screenshot_dir(tmp_path: Path) -> Path:
    root = os.environ.get("EVALINDEX_ARTIFACTS")
    folder = Path(root) / "screenshots" if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Opened:
    """A page opened from disk with every request, console message and page error recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.problems: list[str] = []
        # Any request but the file itself is recorded and refused.
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("#sample-rows tr.sample")  # the list is filled once its data is unpacked

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def rows(self) -> list[str]:
        nodes: list[str] = self.page.eval_on_selector_all(
            "#sample-rows tr.sample", "rows => rows.map(r => r.firstChild.textContent)")
        return nodes

    def close(self) -> None:
        self.context.close()


def _report(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(next(run_dir.glob("reports/*/evalindex_report.json")).read_text("utf-8"))
    return data


@pytest.mark.slow
def test_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    current = write_run(tmp_path)
    baseline = write_run(tmp_path, "baseline", stamp=datetime(2026, 7, 1))
    path = write_report(tmp_path / "report.html", [load_run(current)], baseline=load_run(baseline))
    report = _report(current)
    shots = screenshot_dir(tmp_path)
    opened = Opened(browser, path)
    page = opened.page
    try:
        # The headline a user sees is the report JSON's index and totals.
        assert page.text_content("#index-value") == str(round(report["index"]["weighted"], 4))
        assert page.text_content("#regression-count") == "2 regressed"
        page.screenshot(path=str(shots / "headline.png"))
        samples = report["samples"]
        assert page.text_content("#sample-count") == f"{len(samples)} of {len(samples)} samples match; showing {len(samples)}."

        # Filters: status, dataset, subset (a hostile name), tag (a hostile name), changed vs baseline, search.
        page.select_option("#f-status", label="incorrect")
        assert sorted(opened.rows()) == sorted(s["node_id"] for s in samples if s["status"] == "incorrect")
        page.select_option("#f-dataset", label="gsm8k")
        assert sorted(opened.rows()) == sorted(s["node_id"] for s in samples
                                               if s["status"] == "incorrect" and s["dataset_name"] == "gsm8k")
        page.select_option("#f-status", value="")
        page.select_option("#f-dataset", value="")
        page.select_option("#f-subset", label=HOSTILE_SUBSET)
        assert sorted(opened.rows()) == sorted(s["node_id"] for s in samples if s["subset_name"] == HOSTILE_SUBSET)
        page.select_option("#f-subset", value="")
        page.select_option("#f-tag", label=HOSTILE_TAG)
        assert sorted(opened.rows()) == sorted(s["node_id"] for s in samples if HOSTILE_TAG in s["tags"])
        page.select_option("#f-tag", value="")
        page.check("#f-changed")
        assert len(opened.rows()) == 5
        page.uncheck("#f-changed")
        page.fill("#f-search", "ARC-Easy/6")
        expect(page.locator("#sample-rows tr.sample")).to_have_count(1)  # the search waits for typing to pause
        assert opened.rows() == ["suite.jsonl::arc/ARC-Easy/6"]
        page.click("#sample-rows tr.sample")
        assert page.is_visible("#sample-rows tr.detail")
        page.locator("#samples").screenshot(path=str(shots / "drilldown.png"))

        # Every sample's texts opened: the hostile answers, links and names show as text and never run.
        page.fill("#f-search", "")
        expect(page.locator("#sample-rows tr.sample")).to_have_count(len(samples))
        page.eval_on_selector_all("#sample-rows tr.sample", "rows => rows.forEach(r => r.click())")
        for element in page.query_selector_all("#sample-rows td.detail-cell > p"):  # the tags: one has onmouseover
            element.hover()
        answer = page.text_content("#sample-rows tr.detail pre")
        assert answer is not None and answer.startswith("[user]\nQuestion 0: <i>which</i>?")
        assert "<script>window.__pwned" in (page.text_content("#sample-rows") or "")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.eval_on_selector_all("#sample-rows img, #sample-rows svg, #sample-rows a", "n => n.length") == 0
        page.locator("#comparison").screenshot(path=str(shots / "comparison.png"))

        assert opened.requests == [opened.url], f"network requests attempted: {opened.requests}"
        assert opened.problems == []
    finally:
        opened.close()


@pytest.mark.slow
def test_run_page_opens_in_chromium(browser: Any, tmp_path: Path) -> None:
    """The page a finishing run writes (texts from memory) for an interrupted run: no comparison, no console
    error; an answer holding a NUL (the packed texts' separator) is found by search and shown whole."""
    run_dir = write_run(tmp_path, extra={"incomplete": True})
    results = hostile_results()
    results[1].completion = "line one\x00after a NUL\nANSWER: A"
    document = report_document(aggregate(results), results, settings={"model": MODEL}, extra={"incomplete": True})
    path = write_run_page(run_dir, document, results, {r.node_id: entry_for(r) for r in results})
    opened = Opened(browser, path)
    page = opened.page
    try:
        assert page.text_content("#run-state") == "INCOMPLETE"
        assert page.query_selector("#f-changed") is None
        page.fill("#f-search", "after a nul")
        expect(page.locator("#sample-rows tr.sample")).to_have_count(1)
        page.click("#sample-rows tr.sample")
        answer = page.locator("#sample-rows tr.detail details.text").nth(1)
        assert answer.locator("summary").text_content() == f"answer ({len(results[1].completion)} chars)"
        assert answer.locator("pre").text_content() == results[1].completion
        assert opened.requests == [opened.url] and opened.problems == []
    finally:
        opened.close()
