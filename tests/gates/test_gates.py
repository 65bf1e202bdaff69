"""Threshold gates and the error budget, on the seed report of spec §3.7 (index 0.3556)."""

from __future__ import annotations

import pytest
from helpers_results import make_result, seed_results

from pytest_evalindex.gates.budget import evaluate_error_budget
from pytest_evalindex.gates.outcome import GateOutcome
from pytest_evalindex.gates.thresholds import (
    GRAMMAR,
    GateSyntaxError,
    GateUsageError,
    evaluate_threshold,
    parse_threshold,
)
from pytest_evalindex.metrics.aggregate import Report, aggregate


@pytest.fixture
def seed_report() -> Report:
    return aggregate(seed_results())


def run(text: str, report: Report) -> GateOutcome:
    return evaluate_threshold(parse_threshold(text), report)


def test_index_passes_and_fails_with_the_value(seed_report: Report) -> None:
    ok = run("index>=0.3", seed_report)
    assert ok.passed and ok.value == 0.3556 and ok.limit == 0.3
    assert ok.name == "gate[index>=0.3]"
    bad = run("index >= 0.4", seed_report)
    assert not bad.passed
    assert bad.name == "gate[index>=0.4]"
    assert bad.message == "index (reasoning_index) weighted_avg = 0.3556, needs >= 0.4"


def test_compares_the_rounded_value_the_report_shows(seed_report: Report) -> None:
    assert run("index>=0.3556", seed_report).passed  # unrounded 0.35555…
    assert not run("index>0.3556", seed_report).passed
    assert run("index<=0.3556", seed_report).passed


@pytest.mark.parametrize(("op", "limit", "expected"), [
    (">=", "0.8", True), (">=", "0.8001", False),
    (">", "0.7999", True), (">", "0.8", False),
    ("<=", "0.8", True), ("<=", "0.7999", False),
    ("<", "0.8001", True), ("<", "0.8", False),
])
def test_every_operator(seed_report: Report, op: str, limit: str, expected: bool) -> None:
    outcome = run(f"task_level:reasoning:micro_avg{op}{limit}", seed_report)
    assert outcome.passed is expected
    assert outcome.value == 0.8
    assert outcome.message == f"task_level reasoning micro_avg = 0.8, needs {op} {limit}"


def test_category_row_full_form(seed_report: Report) -> None:
    outcome = run("category_level:reasoning_index:weighted_avg>=0.75", seed_report)
    assert outcome.name == "gate[category_level:reasoning_index:weighted_avg>=0.75]"
    assert not outcome.passed
    assert outcome.message == "category_level reasoning_index weighted_avg = 0.3556, needs >= 0.75"


def test_short_level_and_metric_names_give_the_canonical_name(seed_report: Report) -> None:
    outcome = run("  category : reasoning_index : macro  <  0.7 ", seed_report)
    assert outcome.passed and outcome.value == 0.6
    assert outcome.name == "gate[category_level:reasoning_index:macro_avg<0.7]"
    assert run("index:micro_avg>=0.5", seed_report).value == 0.8
    assert run("index:micro>=0.5", seed_report).name == "gate[index:micro_avg>=0.5]"


def test_bare_dataset_and_dataset_subset_aliases(seed_report: Report) -> None:
    arc = run("dataset_level:arc:micro_avg>=0.5", seed_report)
    assert arc.passed and arc.value == 0.8889
    assert run("dataset_level:reasoning/arc:macro_avg>=0.9", seed_report).passed
    challenge = run("subset:arc/ARC-Challenge:micro_avg>=0.9", seed_report)
    assert not challenge.passed and challenge.value == 0.8
    assert run("subset_level:reasoning/ceval/logic:count>=1", seed_report).passed


def test_glob_fails_naming_the_failing_rows(seed_report: Report) -> None:
    outcome = run("dataset_level:*:micro_avg>=0.5", seed_report)
    assert not outcome.passed
    assert outcome.value == 0.0  # the worst row
    assert "1 of 2 rows fail" in outcome.message
    assert "reasoning/ceval = 0.0" in outcome.message
    assert "reasoning/arc" not in outcome.message
    assert outcome.details == ["reasoning/arc: 0.8889 ok", "reasoning/ceval: 0.0 FAIL"]


def test_glob_passes_only_when_every_row_passes(seed_report: Report) -> None:
    assert run("subset_level:arc/*:micro_avg>=0.8", seed_report).passed
    assert not run("subset_level:arc/*:micro_avg>=0.81", seed_report).passed
    assert run("tag_level:[ez]?:count>=1", seed_report).passed
    outcome = run("subset_level:*:count<=5", seed_report)
    assert outcome.passed and outcome.value == 5.0
    assert "all 3 rows pass" in outcome.message


def test_typo_row_raises_usage_error_listing_rows(seed_report: Report) -> None:
    with pytest.raises(GateUsageError) as excinfo:
        run("dataset_level:acr:micro_avg>=0.5", seed_report)
    message = str(excinfo.value)
    assert "'acr'" in message and "'reasoning/arc'" in message and "'reasoning/ceval'" in message
    with pytest.raises(GateUsageError, match="no pattern 'xyz\\*'"):
        run("tag_level:xyz*:micro_avg>=0.5", seed_report)


def test_ambiguous_bare_dataset_name_is_refused() -> None:
    results = [make_result(0, "arc", "a", 1.0, task="reasoning"), make_result(1, "arc", "a", 1.0, task="science")]
    report = aggregate(results)
    with pytest.raises(GateUsageError, match="ambiguous.*reasoning/arc.*science/arc"):
        run("dataset_level:arc:micro_avg>=0.5", report)
    assert run("dataset_level:science/arc:micro_avg>=0.5", report).passed


def test_row_without_scored_samples_fails_with_the_reason() -> None:
    results = [make_result(0, "arc", "a", 1.0),
               make_result(1, "gsm8k", "main", None, status="error", error="timeout"),
               make_result(2, "gsm8k", "main", None)]
    report = aggregate(results)
    outcome = run("dataset_level:gsm8k:micro_avg>=0", report)
    assert not outcome.passed and outcome.value is None
    assert "no scored sample (1 excluded, 1 errors)" in outcome.message
    glob = run("dataset_level:*:micro_avg>=0", report)
    assert not glob.passed and glob.value == 1.0
    assert "reasoning/gsm8k (no scored sample" in glob.message


def test_index_without_a_single_root_is_a_usage_error() -> None:
    results = [make_result(0, "arc", "a", 1.0, categories=["a_index"]),
               make_result(1, "arc", "b", 1.0, categories=["b_index"])]
    with pytest.raises(GateUsageError, match="no single index row.*'a_index'"):
        run("index>=0.1", aggregate(results))


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty expression"),
    ("index", "no comparison operator"),
    ("index=>0.3", "unknown operator '=>'"),
    ("index==0.3", "unknown operator '=='"),
    ("index>=", "NUMBER '' is not a number"),
    ("index>=high", "NUMBER 'high' is not a number"),
    ("index>=nan", "not a finite number"),
    ("dataset_level>=0.3", "expected LEVEL:ROW:METRIC"),
    ("dataset_level:arc>=0.3", "expected LEVEL:ROW:METRIC before '>=', got 'dataset_level:arc'"),
    ("datasets:arc:micro_avg>=0.3", "unknown level 'datasets'"),
    ("dataset_level:arc:mean>=0.3", "unknown metric 'mean'"),
    ("dataset_level: :micro_avg>=0.3", "empty ROW"),
    ("index:median>=0.3", "unknown metric 'median'"),
])
def test_malformed_expressions_show_the_grammar(text: str, reason: str) -> None:
    with pytest.raises(GateSyntaxError) as excinfo:
        parse_threshold(text)
    assert isinstance(excinfo.value, ValueError)
    message = str(excinfo.value)
    first, second = message.split("\n")
    assert reason in first and repr(text) in first
    assert second.strip() == f"expected {GRAMMAR}"


def test_error_budget() -> None:
    results = seed_results()
    results[1].status, results[1].score, results[1].error = "error", None, "HTTP 503 after 3 retries"
    results[9].status, results[9].score, results[9].error = "error", None, "timeout\nafter 30s"
    ok = evaluate_error_budget(results, 0.2)
    assert ok.passed and ok.name == "gate[error_rate<=0.2]"
    assert ok.value == 0.2 and ok.limit == 0.2
    assert ok.message == "2 of 10 samples errored (rate 0.2), needs <= 0.2"
    assert ok.details == ["suite.jsonl::arc/ARC-Challenge/1: HTTP 503 after 3 retries",
                          "suite.jsonl::ceval/logic/9: timeout\\x0aafter 30s"]
    bad = evaluate_error_budget(results, 0.1)
    assert not bad.passed and bad.name == "gate[error_rate<=0.1]"
    # errors are never wrong answers: the wrong answers of the seed run do not count
    assert evaluate_error_budget(seed_results(), 0).passed
    assert evaluate_error_budget([], 0).passed


def test_error_budget_lists_at_most_five_errors() -> None:
    results = [make_result(i, "arc", "a", None, status="error", error=f"boom {i}") for i in range(8)]
    outcome = evaluate_error_budget(results, 0.5)
    assert not outcome.passed and outcome.value == 1.0
    assert len(outcome.details) == 6 and outcome.details[-1] == "... and 3 more errors"
    with pytest.raises(ValueError):
        evaluate_error_budget(results, 1.5)


def test_outcome_to_dict(seed_report: Report) -> None:
    assert run("index>=0.4", seed_report).to_dict() == {
        "name": "gate[index>=0.4]", "passed": False,
        "message": "index (reasoning_index) weighted_avg = 0.3556, needs >= 0.4",
        "details": [], "value": 0.3556, "limit": 0.4, "compared": "point"}


@pytest.mark.parametrize(("text", "name", "metric", "bound"), [
    ("index.lower>=0.7", "gate[index.lower>=0.7]", "weighted_avg", "lower"),
    ("INDEX.Upper:micro<0.9", "gate[index.upper:micro_avg<0.9]", "micro_avg", "upper"),
    ("index:macro.lower>=0.5", "gate[index.lower:macro_avg>=0.5]", "macro_avg", "lower"),
    ("dataset_level:*:micro_avg.lower>=0.5", "gate[dataset_level:*:micro_avg.lower>=0.5]", "micro_avg", "lower"),
    ("subset:arc/v1.0:micro.point>=0.5", "gate[subset_level:arc/v1.0:micro_avg.point>=0.5]", "micro_avg", "point"),
    ("task:reasoning:weighted>=0.5", "gate[task_level:reasoning:weighted_avg>=0.5]", "weighted_avg", None),
])
def test_bound_suffix_grammar(text: str, name: str, metric: str, bound: str | None) -> None:
    threshold = parse_threshold(text)
    assert (threshold.name, threshold.metric, threshold.bound) == (name, metric, bound)


@pytest.mark.parametrize(("text", "reason"), [
    ("index.lower:micro.upper>=0.5", "give the bound once"),
    ("index.low>=0.5", "unknown bound 'low'; use .lower, .upper or .point"),
    ("dataset:arc:count.lower>=3", "count has no interval"),
])
def test_bound_suffix_errors(text: str, reason: str) -> None:
    with pytest.raises(GateSyntaxError, match=reason):
        parse_threshold(text)


@pytest.mark.parametrize(("gate_on", "op", "compared"), [
    ("point", ">=", "point"), ("bound", ">=", "lower"), ("bound", ">", "lower"),
    ("bound", "<=", "upper"), ("bound", "<", "upper"),
])
def test_gate_on_picks_the_bound_the_operator_needs(gate_on: str, op: str, compared: str) -> None:
    assert parse_threshold(f"index{op}0.5").compared(gate_on) == compared
    assert parse_threshold(f"index.point{op}0.5").compared(gate_on) == "point"
    assert parse_threshold(f"dataset:arc:count{op}3").compared(gate_on) == "point"


def test_bound_gate_compares_the_rounded_bound_and_warns_below_the_mde() -> None:
    from pytest_evalindex.metrics.power import row_mde
    from pytest_evalindex.metrics.row_ci import attach_intervals

    results = seed_results()
    report = aggregate(results)
    attach_intervals(report, results, confidence=0.95)
    assert report.index is not None and report.index.intervals is not None
    weighted = report.index.intervals.weighted
    lower = round(weighted.interval.lo, 4)
    at = evaluate_threshold(parse_threshold(f"index.lower>={lower}"), report)
    above = evaluate_threshold(parse_threshold(f"index>={lower + 0.0001}"), report, gate_on="bound")
    assert at.passed and at.value == lower and not above.passed
    assert at.stats["mde"] == row_mde(weighted, threshold=lower) and at.stats["compared"] == "lower"
    assert at.warnings and at.warnings[0].startswith(f"this gate cannot tell {lower:.2f} from 0.36 with 10 samples")
    # a limit farther than the MDE from the value draws no warning
    assert evaluate_threshold(parse_threshold("index:micro<=0.01"), report).warnings == []
