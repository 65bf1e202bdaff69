"""A fractional score (F1 0.5) is its own status, `partial`: shown, counted and averaged, never "incorrect"."""

from __future__ import annotations

import json

import pytest
from helpers_runs import run_plugin

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of
from pytest_evalindex.model.mock import MockServer

HALF_CREDIT = """
from pytest_evalindex import Score, scorer

@scorer("half_credit")
def half_credit(sample):
    return Score(value=0.5, extracted=sample.completion[:5], metric="f1", metrics={"f1": 0.5, "em": 0.0})
"""


@pytest.mark.parametrize("workers", ["0", "2"])
def test_fractional_scores_are_partial(pytester: pytest.Pytester, workers: str) -> None:
    lines = [json.loads(line) for line in SEED_SUITE.read_text(encoding="utf-8").splitlines()]
    lines[0]["scorer"] = "half_credit"
    suite = pytester.path / "suite.jsonl"
    suite.write_text("".join(json.dumps(ln, ensure_ascii=False) + "\n" for ln in lines), encoding="utf-8")
    pytester.makeconftest(HALF_CREDIT)
    with MockServer(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))) as server:
        result = run_plugin(pytester, server.url, "-n", workers, suite=suite)
    output = result.stdout.str()
    assert result.ret == 0, output
    assert "1 partial" in output.splitlines()[-1]
    report = json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text())
    (sample,) = [s for s in report["samples"] if s["status"] == "partial"]
    assert sample["score"] == 0.5 and sample["metric"] == "f1" and sample["metrics"] == {"f1": 0.5, "em": 0.0}
    assert report["totals"]["partial"] == 1 and report["totals"]["scored"] == 10
