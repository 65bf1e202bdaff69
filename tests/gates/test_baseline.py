"""Baseline loading and comparison: flips by sample hash, mismatch refusal, the max-drop gate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers_results import make_result, seed_results

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.gates.baseline import compare
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.runs.reader import BaselineError, load_baseline
from pytest_evalindex.runs.writer import evalindex_report


def write_run(run_dir: Path, results: list[SampleResult], model: str = "model-a") -> Path:
    """A run folder holding ``reports/<model>/evalindex_report.json`` as the plugin writes it."""
    data = evalindex_report(aggregate(results), results, model=model, settings={})
    file = run_dir / "reports" / model / "evalindex_report.json"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return file


def answer(result: SampleResult, correct: bool, extracted: str) -> SampleResult:
    return dataclasses.replace(result, status="correct" if correct else "incorrect",
                               score=1.0 if correct else 0.0, extracted=extracted)


def seed_with_answers() -> list[SampleResult]:
    return [dataclasses.replace(r, extracted="A" if r.status == "correct" else "D") for r in seed_results()]


def test_load_from_run_folder_or_file(tmp_path: Path) -> None:
    file = write_run(tmp_path / "run", seed_with_answers())
    for path in (tmp_path / "run", file):
        baseline = load_baseline(path)
        assert baseline.path == file and baseline.model == "model-a" and not baseline.compat
        assert len(baseline.samples) == 10
        assert baseline.index is not None and baseline.index["weighted"] == 0.3556
        first = baseline.samples[0]
        assert (first.node_id, first.status, first.score, first.extracted) == (
            "suite.jsonl::arc/ARC-Challenge/0", "correct", 1.0, "A")


def test_load_errors_are_one_line(tmp_path: Path) -> None:
    def error_of(path: Path) -> str:
        with pytest.raises(BaselineError) as excinfo:
            load_baseline(path)
        message = str(excinfo.value)
        assert "\n" not in message
        return message

    assert "does not exist" in error_of(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    assert "holds no reports/*/evalindex_report.json" in error_of(tmp_path / "empty")
    write_run(tmp_path / "two", seed_results(), model="a")
    write_run(tmp_path / "two", seed_results(), model="b")
    message = error_of(tmp_path / "two")
    assert "several models (a, b)" in message and "pass one file" in message
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope", encoding="utf-8")
    assert "is not valid JSON (line 2" in error_of(bad)
    bad.write_text('{"levels": {}}', encoding="utf-8")
    assert "no 'samples' list" in error_of(bad)
    bad.write_text('{"schema_version": 1, "samples": [{"node_id": "x", "sample_hash": "h", "status": "won"}]}',
                   encoding="utf-8")
    assert "samples[0] has status 'won'" in error_of(bad)
    bad.write_text('{"schema_version": 99, "samples": []}', encoding="utf-8")
    assert "schema_version 99" in error_of(bad)


def test_one_changed_answer_gives_exactly_that_regression(tmp_path: Path) -> None:
    baseline = load_baseline(write_run(tmp_path, seed_with_answers()))
    current = seed_with_answers()
    current[0] = answer(current[0], False, "C")
    comparison = compare(current, baseline, max_drop=0.0, allow_mismatch=False, compat=False)

    assert comparison.improvements == []
    (flip,) = comparison.regressions
    assert (flip.node_id, flip.dataset_name, flip.subset_name) == ("suite.jsonl::arc/ARC-Challenge/0", "arc", "ARC-Challenge")
    assert (flip.baseline_status, flip.current_status) == ("correct", "incorrect")
    assert (flip.baseline_extracted, flip.current_extracted) == ("A", "C")
    assert comparison.common == 10 and comparison.only_current == comparison.only_baseline == 0

    assert comparison.baseline_report.index is not None and comparison.baseline_report.index.weighted == 0.3556
    assert comparison.current_report.index is not None and comparison.current_report.index.weighted == 0.3111
    drops = {(d.level, d.row, d.metric): (d.baseline, d.current, d.drop) for d in comparison.drops}
    assert drops[("subset_level", "reasoning/arc/ARC-Challenge", "micro_avg")] == (0.8, 0.6, 0.2)
    assert drops[("dataset_level", "reasoning/arc", "micro_avg")] == (0.8889, 0.7778, 0.1111)
    assert drops[("category_level", "reasoning_index", "weighted_avg")] == (0.3556, 0.3111, 0.0445)
    assert ("subset_level", "reasoning/arc/ARC-Easy", "micro_avg") not in drops
    assert not any(level == "tag_level" and row == "zh" for level, row, _ in drops)

    (gate,) = comparison.outcomes
    assert gate.name == "gate[baseline:max_drop<=0]" and not gate.passed
    assert gate.value == 0.2 and gate.limit == 0.0
    assert "worst subset_level reasoning/arc/ARC-Challenge micro_avg 0.8 -> 0.6 (drop 0.2)" in gate.message
    assert "1 regressed, 0 improved of 10 common samples" in gate.message
    # flipped samples first, then the rows that dropped
    assert gate.details[0] == ("regressed: suite.jsonl::arc/ARC-Challenge/0 (arc/ARC-Challenge): "
                               "correct -> incorrect, answer 'A' -> 'C'")
    assert gate.details[1] == "dropped: subset_level reasoning/arc/ARC-Challenge micro_avg 0.8 -> 0.6 (drop 0.2)"


def test_max_drop_limit_decides(tmp_path: Path) -> None:
    baseline = load_baseline(write_run(tmp_path, seed_with_answers()))
    current = seed_with_answers()
    current[0] = answer(current[0], False, "C")
    assert not compare(current, baseline, max_drop=0.15, allow_mismatch=False, compat=False).outcomes[0].passed
    gate = compare(current, baseline, max_drop=0.2, allow_mismatch=False, compat=False).outcomes[0]
    assert gate.passed and gate.name == "gate[baseline:max_drop<=0.2]"
    assert gate.message.startswith("no row dropped more than 0.2 (largest subset_level")
    same = compare(seed_with_answers(), baseline, max_drop=0.0, allow_mismatch=False, compat=True)
    assert same.outcomes[0].passed
    assert same.regressions == [] and same.improvements == [] and same.drops == []
    assert same.outcomes[0].message == "no row dropped; 0 regressed, 0 improved of 10 common samples"


def test_matched_by_hash_not_position(tmp_path: Path) -> None:
    baseline = load_baseline(write_run(tmp_path, seed_with_answers()))
    current = seed_with_answers()
    current[2] = answer(current[2], True, "B")  # the one wrong ARC-Challenge answer is now right
    # reversed order, new positions and node ids: only the hash ties the two runs together
    moved = [dataclasses.replace(r, ordinal=100 - i, node_id=f"other.jsonl::{r.dataset_name}/{r.subset_name}/{100 - i}")
             for i, r in enumerate(reversed(current))]
    comparison = compare(moved, baseline, max_drop=0.0, allow_mismatch=False, compat=False)
    assert comparison.regressions == []
    (flip,) = comparison.improvements
    assert flip.sample_hash == current[2].sample_hash and flip.node_id == "other.jsonl::arc/ARC-Challenge/93"
    assert (flip.baseline_extracted, flip.current_extracted) == ("D", "B")
    assert comparison.drops == [] and comparison.outcomes[0].passed


def test_errors_are_not_regressions(tmp_path: Path) -> None:
    baseline = load_baseline(write_run(tmp_path, seed_with_answers()))
    current = seed_with_answers()
    current[0] = dataclasses.replace(current[0], status="error", score=None, error="HTTP 500")
    comparison = compare(current, baseline, max_drop=0.0, allow_mismatch=False, compat=False)
    assert comparison.regressions == [] and comparison.improvements == []


def test_different_samples_are_refused_unless_allowed(tmp_path: Path) -> None:
    baseline = load_baseline(write_run(tmp_path, seed_with_answers()))
    current = seed_with_answers()[1:]  # sample 0 dropped...
    current.append(make_result(10, "ceval", "logic", 1.0, tags=["zh"], weight=0.6))  # ...and a new one
    with pytest.raises(BaselineError) as excinfo:
        compare(current, baseline, max_drop=0.0, allow_mismatch=False, compat=False)
    message = str(excinfo.value)
    assert "\n" not in message
    assert "1 only in this run, 1 only in the baseline, 9 in both" in message
    assert "--eval-baseline-allow-mismatch" in message

    current[0] = answer(current[0], False, "C")  # sample 1 regresses
    comparison = compare(current, baseline, max_drop=0.0, allow_mismatch=True, compat=False)
    assert (comparison.common, comparison.only_current, comparison.only_baseline) == (9, 1, 1)
    assert [f.node_id for f in comparison.regressions] == ["suite.jsonl::arc/ARC-Challenge/1"]
    # both reports cover the 9 common samples only
    for report in (comparison.current_report, comparison.baseline_report):
        assert report.totals.samples == 9
    assert comparison.baseline_report.levels["subset_level"][0].micro == 0.75  # ARC-Challenge 3/4 without sample 0
    assert comparison.current_report.levels["subset_level"][0].micro == 0.5


def test_no_common_sample_is_an_error(tmp_path: Path) -> None:
    baseline = load_baseline(write_run(tmp_path, seed_with_answers()))
    other = [make_result(50, "gsm8k", "main", 1.0)]
    with pytest.raises(BaselineError, match="no sample in common"):
        compare(other, baseline, max_drop=0.0, allow_mismatch=True, compat=False)


def test_repeated_content_is_paired_by_occurrence(tmp_path: Path) -> None:
    twins = [make_result(0, "arc", "a", 1.0, extracted="A"), make_result(1, "arc", "a", 0.0, extracted="B")]
    twins = [dataclasses.replace(r, sample_hash="same") for r in twins]
    baseline = load_baseline(write_run(tmp_path, twins))
    current = [answer(twins[0], False, "C"), twins[1]]
    (flip,) = compare(current, baseline, max_drop=0.0, allow_mismatch=False, compat=False).regressions
    assert flip.node_id == twins[0].node_id
