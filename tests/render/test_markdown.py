"""The Markdown summary: headline, gate table, level tables, baseline flips, and escaping of every cell."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from helpers_results import make_result, seed_results

from pytest_evalindex.gates.baseline import compare
from pytest_evalindex.gates.budget import evaluate_error_budget
from pytest_evalindex.gates.outcome import GateOutcome
from pytest_evalindex.gates.thresholds import evaluate_threshold, parse_threshold
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.markdown import escape, render_markdown
from pytest_evalindex.runs.reader import load_baseline
from pytest_evalindex.runs.writer import evalindex_report

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_lines(text: str, heading: str) -> list[str]:
    """The lines of the first table after ``heading``."""
    lines = text.splitlines()
    start = lines.index(heading)
    table: list[str] = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return table


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in UNESCAPED_PIPE.split(line)[1:-1]]


def test_headline_gates_and_levels() -> None:
    report = aggregate(seed_results())
    gates = [evaluate_threshold(parse_threshold(t), report) for t in ("index>=0.3", "dataset_level:*:micro_avg>=0.5")]
    text = render_markdown(report, gates=gates, comparison=None, title="reasoning_index on model-a")
    lines = text.splitlines()
    assert lines[0] == "# reasoning\\_index on model-a"
    assert lines[2] == "Index **0.3556** (reasoning\\_index, weighted\\_avg) — ❌ **FAIL** (1 of 2 gates failed)"
    assert "Samples: 10 (8 correct, 2 incorrect, 0 excluded, 0 errors)" in lines
    gate_rows = [cells(line) for line in table_lines(text, "## Gates")]
    assert gate_rows[2] == ["✅", "gate\\[index&gt;=0.3\\]", "index (reasoning\\_index) weighted\\_avg = 0.3556, needs &gt;= 0.3"]
    assert gate_rows[3][0] == "❌" and "reasoning/ceval = 0.0" in gate_rows[3][2]
    for level in ("subset_level", "dataset_level", "task_level", "tag_level", "category_level"):
        assert f"### {level}" in lines
    dataset = [cells(line) for line in table_lines(text, "### dataset_level")]
    assert dataset[0] == ["task_type", "dataset_name", "micro_avg.", "macro_avg.", "weighted_avg.", "count"]
    assert dataset[2:] == [["reasoning", "arc", "0.8889", "0.9", "0.8889", "9"],
                           ["reasoning", "ceval", "0.0", "0.0", "0.0", "1"]]
    subset = [cells(line) for line in table_lines(text, "### subset_level")]
    assert subset[0] == ["task_type", "dataset_name", "subset_name", "micro_avg.", "count"]
    assert text.endswith("|\n\n</details>\n")  # the five levels are folded


def test_pass_without_gates_and_missing_index() -> None:
    results = [make_result(0, "arc", "a", 1.0, categories=["x"]), make_result(1, "arc", "b", 0.0, categories=["y"])]
    text = render_markdown(aggregate(results), gates=[], comparison=None, title="t")
    assert "No single index row — ✅ **PASS** (no gates)" in text
    assert "_No gates configured._" in text
    passing = [GateOutcome("gate[x]", True, "fine")]
    assert "✅ **PASS** (all 1 gates passed)" in render_markdown(aggregate(results), gates=passing, comparison=None, title="t")


def test_excluded_and_error_columns_appear_when_needed() -> None:
    results = seed_results() + [make_result(10, "ceval", "logic", None, status="error", error="boom", tags=["zh"])]
    text = render_markdown(aggregate(results), gates=[evaluate_error_budget(results, 0.0)], comparison=None, title="t")
    dataset = [cells(line) for line in table_lines(text, "### dataset_level")]
    assert dataset[0][-2:] == ["excluded", "errors"]
    assert dataset[3] == ["reasoning", "ceval", "0.0", "0.0", "0.0", "1", "0", "1"]
    assert "gate\\[error\\_rate&lt;=0\\]" in text


def test_escape() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("`rm -rf`") == "\\`rm -rf\\`"
    assert escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape("**bold** [link](http://x) $x$ ~~s~~ \\") == (
        "\\*\\*bold\\*\\* \\[link\\](http://x) \\$x\\$ \\~\\~s\\~\\~ \\\\")
    assert escape("line1\nline2") == "line1\\\\x0aline2"  # control characters shown, never a line break
    assert escape("a & b") == "a &amp; b"


def test_model_and_suite_text_cannot_break_the_tables(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>|`x`"
    results = [make_result(0, "ev|l", "<img src=x onerror=alert(1)>", 1.0, tags=[evil], extracted="A"),
               make_result(1, "ev|l", "<img src=x onerror=alert(1)>", 0.0, tags=["zh"], extracted="B"),
               make_result(2, "arc", "s", 1.0, tags=["en"], extracted="C")]
    file = tmp_path / "reports" / "m" / "evalindex_report.json"
    file.parent.mkdir(parents=True)
    file.write_text(json.dumps(evalindex_report(aggregate(results), results, model="m<b>", settings={})),
                    encoding="utf-8")
    current = list(results)
    current[0] = dataclasses.replace(current[0], status="incorrect", score=0.0, extracted="| </table> `pwn`\n# x")
    current[1] = dataclasses.replace(current[1], status="correct", score=1.0, extracted="<b>B</b>")
    comparison = compare(current, load_baseline(tmp_path), max_drop=0.0, allow_mismatch=False, compat=False)
    gates = [evaluate_threshold(parse_threshold("tag_level:*:micro_avg>=0.5"), aggregate(current))]
    text = render_markdown(aggregate(current), gates=gates, comparison=comparison, title="<script>t</script>")

    assert "<script>" not in text and "<img" not in text and "</table>" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\|\\`x\\`" in text
    assert not any(line.startswith("# x") for line in text.splitlines())  # the newline never splits a cell
    # every row of every table has exactly its header's number of cells
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|"):
            start = i
            while start > 0 and lines[start - 1].startswith("|"):
                start -= 1
            assert len(UNESCAPED_PIPE.findall(line)) == len(UNESCAPED_PIPE.findall(lines[start])), line

    # the baseline section: the max-drop gate is added to the gate table, flips are listed
    gate_names = [cells(line)[1] for line in table_lines(text, "## Gates")[2:]]
    assert gate_names == ["gate\\[tag\\_level:\\*:micro\\_avg&gt;=0.5\\]", "gate\\[baseline:max\\_drop&lt;=0\\]"]
    assert str(tmp_path) not in text  # the baseline is named by its run, not by a path of this machine
    assert "Compared with " in text and "(model m&lt;b&gt;) over 3 common samples: 1 regressed, 1 improved." in text
    regressions = [cells(line) for line in table_lines(text, "### Regressions (1)")]
    assert regressions[0] == ["sample", "dataset/subset", "baseline", "now", "answer before", "answer now"]
    assert regressions[2] == ["suite.jsonl::ev\\|l/&lt;img src=x onerror=alert(1)&gt;/0",
                              "ev\\|l/&lt;img src=x onerror=alert(1)&gt;", "correct", "incorrect", "A",
                              "\\| &lt;/table&gt; \\`pwn\\`\\\\x0a# x"]
    improvements = [cells(line) for line in table_lines(text, "### Improvements (1)")]
    assert improvements[2][-2:] == ["B", "&lt;b&gt;B&lt;/b&gt;"]
    dropped = [cells(line) for line in table_lines(text, "### Rows that dropped")]
    assert dropped[0] == ["level", "row", "metric", "baseline", "current", "drop"]
    assert len(dropped) > 2


def test_comparison_gate_is_not_listed_twice(tmp_path: Path) -> None:
    results = seed_results()
    file = tmp_path / "evalindex_report.json"
    file.write_text(json.dumps(evalindex_report(aggregate(results), results, model="m", settings={})), encoding="utf-8")
    comparison = compare(results, load_baseline(file), max_drop=0.0, allow_mismatch=False, compat=False)
    text = render_markdown(aggregate(results), gates=comparison.outcomes, comparison=comparison, title="t")
    assert text.count("gate\\[baseline:max\\_drop&lt;=0\\]") == 1
    assert "### Regressions" not in text and "### Rows that dropped" not in text
    assert "0 regressed, 0 improved." in text


def test_summary_fits_one_screen_and_folds_the_rest(tmp_path: Path) -> None:
    """Rendered by a CommonMark renderer: index, gates and the first regressions are visible; the levels, the
    other regressions, the improvements and the dropped rows are inside <details>; deltas are right-aligned."""
    from markdown_it import MarkdownIt

    baseline = [make_result(i, "arc", "s", 1.0 if i < 15 else 0.0, tags=["en"], extracted="A") for i in range(20)]
    run_dir = tmp_path / "20260801_120000"
    file = run_dir / "reports" / "m" / "evalindex_report.json"
    file.parent.mkdir(parents=True)
    file.write_text(json.dumps(evalindex_report(aggregate(baseline), baseline, model="m", settings={})), "utf-8")
    current = [dataclasses.replace(r, status="incorrect", score=0.0, extracted="B") if r.index < 12 else r
               for r in baseline]
    current[19] = dataclasses.replace(current[19], status="correct", score=1.0)
    comparison = compare(current, load_baseline(run_dir), max_drop=0.0, allow_mismatch=False, compat=False)
    text = render_markdown(aggregate(current), gates=comparison.outcomes, comparison=comparison, title="t")
    assert "Compared with 20260801\\_120000 (model m)" in text and str(tmp_path) not in text

    html = MarkdownIt("commonmark").enable("table").render(text)
    folded: list[str] = re.findall(r"<details>.*?</details>", html, flags=re.S)
    visible = re.sub(r"<details>.*?</details>", "", html, flags=re.S)
    assert [re.search(r"<summary>(.*?)</summary>", f).group(1) for f in folded] == [  # type: ignore[union-attr]
        "2 more regressions", "Improvements (1)", "Rows that dropped (13)",
        "The five levels (subset, dataset, task, tag, category)"]
    assert "Index <strong>0.2</strong>" in visible and "<h2>Gates</h2>" in visible
    assert visible.count("suite.jsonl::arc/s/") == 10  # the first ten regressions
    assert folded[0].count("suite.jsonl::arc/s/") == 2
    levels = folded[-1]
    assert "<h3>dataset_level</h3>" in levels and "<th style=\"text-align:right\">Δ baseline</th>" in levels
    assert "<td style=\"text-align:right\">-0.55</td>" in levels  # 0.2 now, 0.75 before
