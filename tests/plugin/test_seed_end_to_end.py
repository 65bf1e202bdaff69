"""The seed example end to end through the real plugin, the real openai client and a plain loopback server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers_runs import run_pytester

from conftest import SEED_SUITE, output_dir_of, table_rows

EXPECTED_TABLES = {
    "subset_level Report:": [
        "| reasoning | arc | ARC-Challenge | 0.8 | 5 |",
        "| reasoning | arc | ARC-Easy | 1.0 | 4 |",
        "| reasoning | ceval | logic | 0.0 | 1 |",
    ],
    "dataset_level Report:": [
        "| reasoning | arc | 0.8889 | 0.9 | 0.8889 | 9 |",
        "| reasoning | ceval | 0.0 | 0.0 | 0.0 | 1 |",
    ],
    "task_level Report:": ["| reasoning | 0.8 | 0.6 | 0.3556 | 10 |"],
    "tag_level Report:": [
        "| en | 0.8889 | 0.9 | 0.8889 | 9 |",
        "| zh | 0.0 | 0.0 | 0.0 | 1 |",
    ],
    "category_level Report:": ["| reasoning_index | 0.8 | 0.6 | 0.3556 | 10 |"],
}

EXPECTED_DETAILED = {
    "subset_level": [
        {"task_type": "reasoning", "dataset_name": "arc", "subset_name": "ARC-Challenge", "micro_avg.": 0.8, "count": 5},
        {"task_type": "reasoning", "dataset_name": "arc", "subset_name": "ARC-Easy", "micro_avg.": 1.0, "count": 4},
        {"task_type": "reasoning", "dataset_name": "ceval", "subset_name": "logic", "micro_avg.": 0.0, "count": 1},
    ],
    "dataset_level": [
        {"task_type": "reasoning", "dataset_name": "arc", "micro_avg.": 0.8889, "macro_avg.": 0.9,
         "weighted_avg.": 0.8889, "count": 9},
        {"task_type": "reasoning", "dataset_name": "ceval", "micro_avg.": 0.0, "macro_avg.": 0.0,
         "weighted_avg.": 0.0, "count": 1},
    ],
    "task_level": [{"task_type": "reasoning", "micro_avg.": 0.8, "macro_avg.": 0.6, "weighted_avg.": 0.3556, "count": 10}],
    "tag_level": [
        {"tags": "en", "micro_avg.": 0.8889, "macro_avg.": 0.9, "weighted_avg.": 0.8889, "count": 9},
        {"tags": "zh", "micro_avg.": 0.0, "macro_avg.": 0.0, "weighted_avg.": 0.0, "count": 1},
    ],
    "category_level": [{"category0": "reasoning_index", "micro_avg.": 0.8, "macro_avg.": 0.6,
                        "weighted_avg.": 0.3556, "count": 10}],
}

SECRET = "sk-test-SECRET-0123456789abcdef"


@pytest.mark.parametrize("workers", ["0", "2"])
def test_seed_tables_against_plain_server(pytester: pytest.Pytester, plain_server: tuple[str, Any], workers: str) -> None:
    url, counter = plain_server
    result = run_pytester(pytester,
        "--eval-collection", str(SEED_SUITE), "--eval-model", "plain-model", "--eval-api-url", url,
        "--eval-api-key", SECRET, "-n", workers, "-p", "no:cacheprovider",
    )
    output = result.stdout.str()
    assert result.ret == 0, output
    for title, rows in EXPECTED_TABLES.items():
        assert table_rows(output, title) == rows, title
    result.stdout.re_match_lines([r".*8 passed, 2 incorrect.*"])
    assert counter.total == 10
    assert set(counter.by_prompt.values()) == {1}  # exactly one request per sample

    run_dir = output_dir_of(output)
    detailed = json.loads((run_dir / "reports" / "plain-model" / "collection_detailed_report.json").read_text())
    assert detailed == EXPECTED_DETAILED
    # the index with its interval on a line of its own; statistics.md §3b computed [0.06, 0.82] independently
    report = json.loads((run_dir / "reports" / "plain-model" / "evalindex_report.json").read_text())
    lo, hi = report["index"]["ci"]["weighted"]
    assert (round(lo, 2), round(hi, 2)) == (0.06, 0.82) and report["confidence"] == 0.95
    assert f"index reasoning_index = 0.3556  95% CI [{round(lo, 4)}, {round(hi, 4)}]  n=10 (effective 2.6)" in output

    # The key appears nowhere: not in the terminal, not in any file of the run.
    assert SECRET not in output + result.stderr.str()
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def test_malformed_line_fails_collection_and_sends_nothing(pytester: pytest.Pytester, plain_server: tuple[str, Any]) -> None:
    url, counter = plain_server
    lines = SEED_SUITE.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[3])
    broken["weight"] = -1
    lines[3] = json.dumps(broken)
    suite = pytester.path / "broken.jsonl"
    suite.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_pytester(pytester, "--eval-collection", str(suite), "--eval-model", "m", "--eval-api-url", url,
                                           "-p", "no:cacheprovider")
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*broken.jsonl:4: field 'weight': must be a finite number > 0 (got -1.0)*"])
    assert counter.total == 0


def test_strict_mode_fails_incorrect_samples_with_details(pytester: pytest.Pytester, plain_server: tuple[str, Any]) -> None:
    url, _ = plain_server
    result = run_pytester(pytester, "--eval-collection", str(SEED_SUITE), "--eval-model", "plain-model",
                                           "--eval-api-url", url, "--eval-strict", "-p", "no:cacheprovider")
    assert result.ret == 1
    output = result.stdout.str()
    result.stdout.fnmatch_lines(["*2 failed, 8 passed*"])
    # The failure text shows prompt, target, raw answer and extracted answer.
    assert "target   B" in output
    assert "答案：A" in output
    assert "extracted A" in output
