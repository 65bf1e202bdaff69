"""A fractional score (F1 0.5) is its own status, `partial`: shown, counted and averaged, never "incorrect"."""

from __future__ import annotations

import json
from pathlib import Path

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


def _seed_with_first_scored_by(pytester: pytest.Pytester, scorer: str, conftest: str) -> Path:
    """The seed suite with its first line scored by ``scorer``, registered by ``conftest``."""
    lines = [json.loads(line) for line in SEED_SUITE.read_text(encoding="utf-8").splitlines()]
    lines[0]["scorer"] = scorer
    suite = pytester.path / "suite.jsonl"
    suite.write_text("".join(json.dumps(ln, ensure_ascii=False) + "\n" for ln in lines), encoding="utf-8")
    pytester.makeconftest(conftest)
    return suite


@pytest.mark.parametrize("workers", ["0", "2"])
def test_fractional_scores_are_partial(pytester: pytest.Pytester, workers: str) -> None:
    suite = _seed_with_first_scored_by(pytester, "half_credit", HALF_CREDIT)
    with MockServer(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))) as server:
        result = run_plugin(pytester, server.url, "-n", workers, suite=suite)
    output = result.stdout.str()
    assert result.ret == 0, output
    assert "1 partial" in output.splitlines()[-1]
    report = json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text())
    (sample,) = [s for s in report["samples"] if s["status"] == "partial"]
    assert sample["score"] == 0.5 and sample["metric"] == "f1" and sample["metrics"] == {"f1": 0.5, "em": 0.0}
    assert report["totals"]["partial"] == 1 and report["totals"]["scored"] == 10


BELOW_ZERO = """
from pytest_evalindex import Score
from pytest_evalindex.scorers.registry import register_scorer

def worse_than_random(sample):
    return Score(value=-0.4, extracted=sample.completion[:5], metric="eq", metrics={"eq": -0.4})

register_scorer("worse_than_random", worse_than_random, metric="eq", unbounded=True)
"""


@pytest.mark.parametrize("compat", ["corrected", "evalscope"])
def test_an_unbounded_score_is_clipped_onto_0_1_by_default(pytester: pytest.Pytester, compat: str) -> None:
    """eq_bench's rule (registered ``unbounded``): below 0 for an answer worse than random. EvalScope averages it
    as it is (kept under --eval-compat evalscope); by default it is 0, the native value kept in the metadata."""
    suite = _seed_with_first_scored_by(pytester, "worse_than_random", BELOW_ZERO)
    with MockServer(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))) as server:
        result = run_plugin(pytester, server.url, "--eval-compat", compat, suite=suite)
    output = result.stdout.str()
    assert result.ret == 0, output
    report = json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text())
    (sample,) = [s for s in report["samples"] if s["metric"] == "eq"]
    assert sample["status"] == "incorrect"
    if compat == "corrected":
        assert sample["score"] == 0.0 and sample["metrics"] == {"eq": 0.0}
        reviews = [json.loads(line) for f in output_dir_of(output).glob("reviews/*/*.jsonl")
                   for line in f.read_text(encoding="utf-8").splitlines()]
        (kept,) = [m["unit_scale"] for r in reviews if "unit_scale" in (m := r["sample_score"]["score"]["metadata"] or {})]
        assert kept["native"] == {"eq": -0.4} and kept["clipped"] is True
    else:
        assert sample["score"] == -0.4 and sample["metrics"] == {"eq": -0.4}


def test_eq_bench_is_registered_unbounded() -> None:
    from pytest_evalindex.scorers.registry import lookup

    spec = lookup("eq_bench")
    assert spec is not None and spec.unbounded and spec.metric == "eq_bench_score"
