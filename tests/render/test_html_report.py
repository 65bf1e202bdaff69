"""The HTML report as a file: one self-contained page, model and collection text escaped everywhere, the
headline equal to the report JSON, the comparison and side-by-side views, and the CLI's errors."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import string
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers_html import (
    HOSTILE_ANSWER,
    HOSTILE_EXTRACTED,
    HOSTILE_LINK,
    HOSTILE_SUBSET,
    HOSTILE_TAG,
    LONG_PROMPT,
    MODEL,
    entry_for,
    hostile_results,
    write_run,
)

from pytest_evalindex.cli.main import main
from pytest_evalindex.gates.baseline import compare
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.html import load_run, render_report, write_run_page
from pytest_evalindex.render.html.details import read_details, result_texts
from pytest_evalindex.render.html.payload import TEXT_CHARS, encoded_texts, text_cap, text_columns, transposed
from pytest_evalindex.runs.reader import load_baseline
from pytest_evalindex.runs.writer import in_report_order, report_document


class Page(HTMLParser):
    """Every start tag with its attributes, every script's raw text, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self.ids: dict[str, list[str]] = {}
        self._script: dict[str, str | None] | None = None
        self._open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes
        if attributes.get("id"):
            self._open_ids.append((tag, str(attributes["id"])))
            self.ids[str(attributes["id"])] = []

    def handle_endtag(self, tag: str) -> None:
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None
            return
        self.text.append(data)
        for _, open_id in self._open_ids:
            self.ids[open_id].append(data)

    def text_of(self, element_id: str) -> str:
        return "".join(self.ids[element_id]).strip()


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def unpack(text: str) -> Any:
    """The page's sample data: gzipped JSON in base64."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


def unpack_texts(text: str, count: int) -> list[list[str]]:
    """The page's sample texts, one list per field: gzipped, base64, NUL-separated after a NUL (else JSON)."""
    raw = gzip.decompress(base64.b64decode(text)).decode("utf-8")
    if not raw.startswith("\x00"):
        columns: list[list[str]] = json.loads(raw)
        return columns
    flat = raw[1:].split("\x00")
    return [flat[k * count:(k + 1) * count] for k in range(len(flat) // count)]


def _report_json(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(next(run_dir.glob("reports/*/evalindex_report.json")).read_text("utf-8"))
    return data


def sample_rows(samples: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's sample columns back as one dict per sample (node id rebuilt, names looked up)."""
    col = samples["columns"]
    flipped = dict(samples["baseline"])
    return [{"node_id": f"{samples['prefixes'][col['prefix'][i]]}{col['suffix'][i]}",
             "subset": samples["subsets"][col["subset"][i]], "status": samples["statuses"][col["status"][i]],
             "tags": [samples["tags"][t] for t in samples["tagsets"][col["tagset"][i]]],
             "extracted": col["extracted"][i], "latency_ms": col["latency_ms"][i],
             "baseline_status": samples["statuses"][flipped[i]] if i in flipped else None}
            for i in range(samples["count"])]


def test_hostile_text_is_inert_and_the_page_is_self_contained(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path)
    text = render_report([load_run(run_dir)])
    page = parse(text)

    # Exactly three scripts: the page's own code, which the CSP allows by its hash, between two packed data blocks.
    kinds = [attrs.get("type") for attrs, _ in page.scripts]
    assert kinds == ["application/octet-stream", None, "application/octet-stream"]
    code = page.scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert sum(t == "script" for t, _ in page.tags) == 3
    # No event handler, no link, no resource: nothing in the page can run code or reach the network.
    assert not [(t, k) for t, a in page.tags for k in a if k.startswith("on")]
    assert not [(t, a) for t, a in page.tags if {"href", "src", "action"} & a.keys() and
                not str(a.get("href", "")).startswith("#")]
    assert "javascript:" not in " ".join(str(v) for _, a in page.tags for v in a.values())
    # The hostile texts are shown as text (the subset name in tables, the answers in the flips and samples).
    visible = "".join(page.text)
    assert HOSTILE_SUBSET in visible and HOSTILE_TAG in visible

    # The drill-down data: one row per sample, texts exactly as the model and the collection wrote them.
    samples = unpack(page.scripts[0][1])
    fields = samples["detail_fields"]
    columns = unpack_texts(page.scripts[2][1], samples["count"])
    report = _report_json(run_dir)
    rows = sample_rows(samples)
    assert len(rows) == len(report["samples"]) == 24 and len(columns) == len(fields)
    assert all(len(column) == 24 for column in columns)
    assert [r["node_id"] for r in rows] == [s["node_id"] for s in report["samples"]]
    assert [r["tags"] for r in rows] == [s["tags"] for s in report["samples"]]
    assert [r["latency_ms"] for r in rows] == [None if s["latency"] is None else round(s["latency"] * 1000)
                                               for s in report["samples"]]
    assert set(page.scripts[0][1] + page.scripts[2][1]) <= set(string.ascii_letters + string.digits + "+/=")
    by_node = {row["node_id"]: (row, [column[i] for column in columns]) for i, row in enumerate(rows)}
    row, detail = by_node["suite.jsonl::arc/ARC-Easy/0"]
    assert detail[fields.index("answer")] == HOSTILE_ANSWER
    assert row["extracted"] == HOSTILE_EXTRACTED
    assert LONG_PROMPT in str(detail[fields.index("prompt")])
    assert json.loads(str(detail[fields.index("metadata")]))["sample"]["link"] == HOSTILE_LINK
    assert detail[fields.index("target")] == "A"
    assert HOSTILE_TAG in samples["tags"] and HOSTILE_SUBSET in samples["subsets"]
    error_row, error_detail = by_node["suite.jsonl::arc/<script>window.__pwned = \"subset\"</script>/11"]
    assert error_detail == [""] * len(fields) and "HTTP 500" in str(error_row["extracted"])
    # No secret: the API key of the settings is masked in the page as in every file.
    assert "sk-html-secret-1234" not in text


def test_headline_gates_and_levels_equal_the_report_json(tmp_path: Path) -> None:
    gates = [{"name": "gate[index>=0.7]", "passed": False, "message": "index = 0.6136, needs >= 0.7 <b>x</b>",
              "details": [], "value": 0.6136, "limit": 0.7}]
    run_dir = write_run(tmp_path, extra={"gates": gates, "incomplete": True, "confidence": 0.95})
    report = _report_json(run_dir)
    # An interval as the statistics layer writes it: shown when present.
    report["index"]["ci"] = {"weighted": [0.51, 0.7123]}
    (next(run_dir.glob("reports/*/evalindex_report.json"))).write_text(json.dumps(report), "utf-8")
    page = parse(render_report([load_run(run_dir)]))
    assert page.text_of("index-value") == str(round(report["index"]["weighted"], 4))
    assert page.text_of("index-interval") == "95% interval [0.51, 0.7123]"
    assert page.text_of("verdict") == "FAIL (1 of 1 gates)"
    assert page.text_of("run-state") == "INCOMPLETE"
    totals = report["totals"]
    assert page.text_of("totals").startswith(f"{totals['samples']} samples: {totals['correct']} correct")
    gates_text = page.text_of("gates")
    assert "gate[index>=0.7]" in gates_text and "0.6136" in gates_text and "0.7" in gates_text and "FAIL" in gates_text
    assert "<b>x</b>" in gates_text  # the message shown as text
    level_text = page.text_of("level-dataset_level")
    for row in report["levels"]["dataset_level"]:
        assert row["name"] in level_text and str(row["weighted"]) in level_text


def test_cli_compares_with_a_baseline_and_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    current = write_run(tmp_path)
    baseline = write_run(tmp_path, "baseline", stamp=datetime(2026, 7, 1))
    out = tmp_path / "compare.html"
    assert main(["report", str(current), "--baseline", str(baseline), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    page = parse(out.read_text("utf-8"))
    assert page.text_of("regression-count") == "2 regressed"
    comparison = page.text_of("comparison")
    assert "3 improved" in comparison
    # Regressions are listed first, each with the answer before and now.
    flips = comparison.index("Regressions (2)"), comparison.index("Improvements (3)")
    assert flips[0] < flips[1]
    # Each row's delta with the paired test's interval and its Holm-adjusted p-value (none significant here).
    assert "Holm-adjusted over" in comparison and "significant drop" not in comparison.split("alpha 0.05.")[1]
    assert re.search(r"reasoning/arc0\.46430\.5357\+0\.0714\[-0\.\d+, \+0\.\d+\]1\.014", comparison), comparison
    assert page.text_of("baseline-index-value") == str(round(_report_json(baseline)["index"]["weighted"], 4))
    rows = sample_rows(unpack(page.scripts[0][1]))
    changed = {row["node_id"]: (row["baseline_status"], row["status"]) for row in rows if row["baseline_status"]}
    assert len(changed) == 5 and all(before != now for before, now in changed.values())

    both = tmp_path / "both.html"
    assert main(["report", str(current), str(baseline / "reports"), "-o", str(both)]) == 0
    runs_text = parse(both.read_text("utf-8")).text_of("runs")
    assert current.name in runs_text and baseline.name in runs_text


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "does not exist" in err and "nope" in err
    run_dir = write_run(tmp_path)
    assert main(["report", str(run_dir), "-o", str(tmp_path / "missing" / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and re.search(r"folder .*missing does not exist", err)


def test_texts_from_memory_equal_texts_from_the_reviews(tmp_path: Path) -> None:
    """A finishing run takes the sample texts from memory; `evalindex report` reads them from reviews/: the same."""
    run = load_run(write_run(tmp_path), with_details=False)
    results = hostile_results()
    entries = {r.node_id: entry_for(r) for r in results}
    from_files = read_details(run.file, run.samples)
    assert transposed(from_files) == result_texts(in_report_order(results), entries)
    assert sum(d is None for d in from_files) == 1  # the errored sample has no texts


def test_texts_share_a_budget_that_bounds_the_page() -> None:
    """Short texts stay whole; long ones are cut to one cap that keeps the page within its budget, keeping
    their beginning and end; a sample without texts has every text empty. A text holding a NUL (the separator
    of the packed texts) turns the packing into JSON, so it arrives whole."""
    long_prompt = "p" * 400 + "END"
    texts: list[list[str] | None] = [[long_prompt, "short", "", "A", "", "a" * 1000], None]
    prompt, answer, reasoning, target, explanation, metadata = text_columns(texts, budget=206)
    assert answer == ["short", ""] and target == ["A", ""] and reasoning == explanation == ["", ""]
    assert prompt[0].startswith("p" * 50 + "\n… [303 characters left out") and prompt[0].endswith("p" * 47 + "END")
    assert metadata[0].startswith("a" * 50 + "\n… [900 characters left out") and metadata[0].endswith("a" * 50)
    assert text_columns(texts, budget=1409)[0] == [long_prompt, ""]  # everything fits: nothing is cut
    assert text_cap([10, 10**6], 10**9) == TEXT_CHARS  # a cap even when the page has room

    columns = text_columns(texts)
    plain = encoded_texts(columns).decode()
    assert plain.startswith("\x00") and plain[1:].split("\x00") == [t for column in columns for t in column]
    with_nul = [["a\x00b", "c"], ["", "d"]]
    assert json.loads(encoded_texts(with_nul)) == with_nul


def test_report_command_takes_the_texts_from_the_runs_page_while_its_files_are_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`evalindex report` reuses the packed texts of the run's own page instead of parsing reviews/ again, but
    only while the report and reviews files are the ones the page was made from."""
    run_dir = write_run(tmp_path)
    results = hostile_results()
    results[1].completion = "an answer only the run's page holds"  # reviews/ holds "Because reasons 1."
    document = report_document(aggregate(results), results, settings={"model": MODEL})
    write_run_page(run_dir, document, results, {r.node_id: entry_for(r) for r in results})
    out = tmp_path / "report.html"

    def answers() -> list[str]:
        assert main(["report", str(run_dir), "-o", str(out)]) == 0
        page = parse(out.read_text("utf-8"))
        return unpack_texts(page.scripts[2][1], 24)[1]

    assert "an answer only the run's page holds" in answers()
    reviews = next(run_dir.glob("reviews/*/*.jsonl"))
    stat = reviews.stat()
    os.utime(reviews, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # rewritten since the page
    now = answers()
    assert "Because reasons 1.\nANSWER: A" in now and "an answer only the run's page holds" not in now
    capsys.readouterr()


def test_the_runs_own_baseline_comparison_shows_its_tested_rows(tmp_path: Path) -> None:
    """A run made with --eval-baseline keeps its comparison in its report: the page shows its flips and each
    row's delta with the paired interval and p-value from that comparison."""
    baseline = write_run(tmp_path, "baseline", stamp=datetime(2026, 7, 1))
    comparison = compare(hostile_results(), load_baseline(baseline), max_drop=0.0, allow_mismatch=False, compat=False)
    run_dir = write_run(tmp_path, extra={"baseline_comparison": comparison.to_dict()})
    page = parse(render_report([load_run(run_dir)]))
    assert page.text_of("regression-count") == "2 regressed"
    text = page.text_of("comparison")
    tested = {(p.level, p.row) for p in comparison.paired if p.metric == "weighted_avg"}
    assert ("dataset_level", "reasoning/arc") in tested
    assert re.search(r"reasoning/arc0\.46430\.5357\+0\.0714\[-0\.\d+, \+0\.\d+\]1\.014", text), text
