"""-n0 and -n 2 (which the plugin schedules with --dist worksteal) write identical report files (timings and
timestamps aside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers_runs import run_pytester

from conftest import EXAMPLES, output_dir_of

SUITE = EXAMPLES / "general_index.jsonl"
SCRIPT = EXAMPLES / "general_index.mock.json"
# Timings and per-process counters differ run to run; each run's mock listens on a fresh port (api_url).
VARYING_KEYS = {"latency", "time", "perf_metrics", "created", "timestamp", "started", "finished", "duration",
                "wait_seconds", "elapsed_seconds", "api_url", "engine_counters"}


def _strip_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_timing(v) for k, v in value.items() if k not in VARYING_KEYS}
    if isinstance(value, list):
        return [_strip_timing(v) for v in value]
    return value


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [_strip_timing(json.loads(line)) for line in text.splitlines() if line.strip()]
    if path.suffix == ".json":
        return _strip_timing(json.loads(text))
    if path.suffix in (".yaml", ".yml"):
        return _strip_timing(yaml.safe_load(text))
    return text


def _snapshot(run_dir: Path) -> dict[str, Any]:
    # The HTML report shows timings and when it was written: present, but not compared.
    assert (run_dir / "reports" / "report.html").is_file()
    return {str(p.relative_to(run_dir)): _load(p) for p in sorted(run_dir.rglob("*"))
            if p.is_file() and p.suffix != ".html"}


def _run(pytester: pytest.Pytester, *extra: str, suite: Path = SUITE, script: Path = SCRIPT) -> dict[str, Any]:
    result = run_pytester(pytester,
        "--eval-collection", str(suite), "--eval-mock", str(script), "--eval-batch-size", "4",
        "--eval-output-dir", str(pytester.path / "out"), "-p", "no:cacheprovider", *extra,
    )
    assert result.ret == 0, result.stdout.str()
    return _snapshot(output_dir_of(result.stdout.str()))


@pytest.mark.slow
def test_report_files_identical_across_run_modes(pytester: pytest.Pytester) -> None:
    single = _run(pytester, "-n", "0")
    assert "reports/mock-model/collection_detailed_report.json" in single
    assert "reviews/mock-model/data_collection_default.jsonl" in single
    # -n 2 without --dist is -n 2 --dist worksteal (the plugin sets it; test_concurrency checks the line saying so).
    assert _run(pytester, "-n", "2") == single


@pytest.mark.slow
def test_a_mix_of_113_benchmarks_scores_alike_under_xdist(pytester: pytest.Pytester) -> None:
    suite, script = EXAMPLES / "benchmark_mix.jsonl", EXAMPLES / "benchmark_mix.mock.json"
    single = _run(pytester, "-n", "0", suite=suite, script=script)
    report = single["reports/mock-model/evalindex_report.json"]
    datasets = {row["keys"]["dataset_name"] for row in report["levels"]["dataset_level"]}
    assert len(datasets) >= 100 and report["totals"]["errors"] == 0, (len(datasets), report["totals"])
    assert _run(pytester, "-n", "2", suite=suite, script=script) == single
