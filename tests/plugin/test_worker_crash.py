"""A worker that dies mid-sample: that sample is an error, every other result is kept."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers_runs import run_pytester

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of


@pytest.mark.slow
def test_worker_crash_is_reported_for_its_sample_and_nothing_else_is_lost(pytester: pytest.Pytester) -> None:
    shutil.copy(SEED_SCRIPT, pytester.path / "script.json")
    lines = [json.loads(line) for line in SEED_SUITE.read_text(encoding="utf-8").splitlines()]
    lines[3]["scorer"] = "crash_the_worker"
    (pytester.path / "suite.jsonl").write_text("\n".join(json.dumps(ln, ensure_ascii=False) for ln in lines) + "\n",
                                               encoding="utf-8")
    pytester.makeconftest(
        """
        import os
        from pytest_evalindex import scorer

        @scorer("crash_the_worker")
        def crash(sample):
            os._exit(3)
        """
    )
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-mock", "script.json",
                                           "-n", "2", "-p", "no:cacheprovider")
    assert result.ret == 1
    output = result.stdout.str()
    assert "crashed while running" in output
    report = json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text())
    by_node = {s["node_id"].split("::")[1]: s for s in report["samples"]}
    assert len(by_node) == 10
    assert by_node["arc/ARC-Challenge/3"]["status"] == "error"
    assert report["totals"]["errors"] == 1
    assert sum(s["status"] == "correct" for s in by_node.values()) == 7  # the other 9 results are all there
    assert "FAILED gate[error_rate<=0]" in output
