"""Terminal tables: EvalScope's titles, columns and number formatting; safe and deterministic."""

from __future__ import annotations

import random

import pytest
from helpers_results import make_result, seed_results

from pytest_evalindex.core.text import sanitize
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.tables import render_level, render_tables

SEED_TASK_TABLE = """\
+-----------+------------+------------+---------------+-------+
| task_type | micro_avg. | macro_avg. | weighted_avg. | count |
+-----------+------------+------------+---------------+-------+
| reasoning |        0.8 |        0.6 |        0.3556 |    10 |
+-----------+------------+------------+---------------+-------+"""

SEED_SUBSET_TABLE = """\
+-----------+--------------+---------------+------------+-------+
| task_type | dataset_name | subset_name   | micro_avg. | count |
+-----------+--------------+---------------+------------+-------+
| reasoning | arc          | ARC-Challenge |        0.8 |     5 |
| reasoning | arc          | ARC-Easy      |        1.0 |     4 |
| reasoning | ceval        | logic         |        0.0 |     1 |
+-----------+--------------+---------------+------------+-------+"""


def test_seed_tables_titles_and_columns() -> None:
    text = render_tables(aggregate(seed_results()))
    titles = [line for line in text.splitlines() if line.endswith(" Report:")]
    assert titles == ["subset_level Report:", "dataset_level Report:", "task_level Report:",
                      "tag_level Report:", "category_level Report:"]
    assert SEED_SUBSET_TABLE in text
    assert SEED_TASK_TABLE in text
    assert "| tags | micro_avg. | macro_avg. | weighted_avg. | count |" in text
    assert "| category0       | micro_avg. |" in text
    assert "| reasoning | arc          |     0.8889 |        0.9 |        0.8889 |     9 |" in text
    assert "excluded" not in text and "errors" not in text
    assert text.endswith("+\n")


def test_count_columns_only_where_needed() -> None:
    results = seed_results() + [make_result(10, "arc", "ARC-Easy", None, tags=["en"], status="error", error="boom")]
    report = aggregate(results)
    subset = render_level(report, "subset_level")
    assert subset.splitlines()[1] == "| task_type | dataset_name | subset_name   | micro_avg. | count | excluded | errors |"
    assert "| reasoning | arc          | ARC-Easy      |        1.0 |     4 |        0 |      1 |" in subset


def test_row_without_scored_samples_prints_dash() -> None:
    report = aggregate([make_result(0, "gsm8k", "main", None, task="math", status="error", error="x"),
                        make_result(1, "arc", "a", 1.0)])
    task = render_level(report, "task_level")
    assert "| math      |          - |          - |             - |     0 |        0 |      1 |" in task


def test_control_characters_are_made_visible() -> None:
    evil = "x\x1b[31mred\x1b[0m\nnext\tcol\u202e"
    report = aggregate([make_result(0, "arc", evil, 1.0, tags=[evil])])
    text = render_tables(report)
    assert "\x1b" not in text and "\t" not in text and "\u202e" not in text
    assert "x\\x1b[31mred\\x1b[0m\\x0anext\\x09col\\u202e" in text
    assert sanitize("中文 ok") == "中文 ok"


def test_identical_reports_render_identically() -> None:
    results = seed_results()
    shuffled = list(results)
    random.Random(3).shuffle(shuffled)
    assert render_tables(aggregate(results)) == render_tables(aggregate(shuffled))


def test_nested_category_headers() -> None:
    results = [make_result(0, "gsm8k", "main", 1.0, categories=["math_index", "math"]),
               make_result(1, "arc", "a", 0.0, categories=["math_index", "reasoning"])]
    table = render_level(aggregate(results), "category_level")
    assert table.splitlines()[1].startswith("| category0  | category1 | micro_avg. |")
    assert "| math_index |           |        0.5 |" in table
    compat = render_level(aggregate(results, compat=True), "category_level")
    assert "| math_index |           |" not in compat


def test_wide_characters_keep_columns_aligned() -> None:
    wcwidth = pytest.importorskip("wcwidth")
    results = [make_result(0, "chinese_simpleqa", "工程、技术与应用科学", 1.0), make_result(1, "chinese_simpleqa", "社会", 0.0)]
    table = render_level(aggregate(results), "subset_level")
    assert len({wcwidth.wcswidth(line) for line in table.splitlines()}) == 1
