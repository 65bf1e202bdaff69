"""A threshold naming a row the collection does not have, and a baseline over other samples, are usage errors
before the first request (one line), under -n0 and under xdist (where the controller reads the files)."""

from __future__ import annotations

import json

import pytest
from helpers_runs import run_plugin

from conftest import SEED_SCRIPT, SEED_SUITE
from pytest_evalindex.model.mock import MockServer, load_script


@pytest.mark.parametrize("workers", ["0", "2"])
def test_gate_mistakes_cost_no_request(pytester: pytest.Pytester, workers: str) -> None:
    baseline = pytester.path / "evalindex_report.json"
    baseline.write_text(json.dumps({"schema_version": 2, "model": "m", "samples": [
        {"node_id": "other.jsonl::arc/ARC-Easy/0", "sample_hash": "0" * 16, "status": "correct", "score": 1.0}]}),
        encoding="utf-8")
    with MockServer(load_script(SEED_SCRIPT)) as server:
        typo = run_plugin(pytester, server.url, "--eval-threshold", "dataset_level:arcc:micro_avg>=0.5",
                          "-n", workers, suite=SEED_SUITE)
        other = run_plugin(pytester, server.url, "--eval-baseline", str(baseline), "-n", workers, suite=SEED_SUITE)
        assert server.stats()["requests"] == 0
    assert typo.ret == other.ret == pytest.ExitCode.USAGE_ERROR
    typo.stderr.fnmatch_lines(["ERROR: --eval-threshold 'dataset_level:arcc:micro_avg>=0.5': dataset_level has no "
                               "row 'arcc'; its rows are: 'reasoning/arc', 'reasoning/ceval'"])
    other.stderr.fnmatch_lines(["ERROR: --eval-baseline: baseline *evalindex_report.json holds different samples: 10 only "
                                "in this run, 1 only in the baseline, 0 in both*"])
    assert not (pytester.path / "outputs").exists()
