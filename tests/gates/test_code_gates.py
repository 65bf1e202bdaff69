"""Code gates: the @gate registry, the runner, and pytest's assertion introspection in conftest gates."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_results import seed_results

from pytest_evalindex.gates.code import (
    CodeGateOutcome,
    ReportView,
    gate,
    registered_gates,
    reset_code_gates,
)
from pytest_evalindex.metrics.aggregate import Report, aggregate
from pytest_evalindex.plugin.gate_reports import run_code_gates


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    reset_code_gates()
    yield
    reset_code_gates()


@pytest.fixture
def seed_report() -> Report:
    return aggregate(seed_results())


def by_name(report: Report) -> dict[str, CodeGateOutcome]:
    return {o.name: o for o in run_code_gates(report, seed_results())}


def test_decorator_forms_register_in_order() -> None:
    @gate
    def plain(report: ReportView) -> None: ...

    @gate()
    def empty_call(report: ReportView) -> None: ...

    @gate("index is high enough")
    def named(report: ReportView) -> None: ...

    assert plain.__name__ == "plain"  # returned unchanged
    assert [g.test_name for g in registered_gates()] == [
        "gate[plain]", "gate[empty_call]", "gate[index is high enough]"]
    reset_code_gates()
    assert registered_gates() == []
    with pytest.raises(TypeError):
        gate("  ")


def test_two_functions_with_one_name_are_refused() -> None:
    @gate("same")
    def first(report: ReportView) -> None: ...

    with pytest.raises(ValueError, match="two gates are named 'same'"):
        @gate("same")
        def second(report: ReportView) -> None: ...


def test_runner_outcomes(seed_report: Report) -> None:
    @gate
    def passes(report: ReportView) -> None:
        assert report.index is not None and report.index.weighted == 0.3556
        assert report.row("dataset", "arc").micro == 0.8889
        assert report.row("subset_level", "arc/ARC-Easy").count == 4
        assert report.totals.correct == 8 and len(report.results) == 10
        assert [r.name for r in report.levels["tag_level"]] == ["en", "zh"]

    @gate
    def with_message(report: ReportView) -> None:
        assert report.index is not None
        assert report.index.weighted is not None and report.index.weighted >= 0.4, "index too low\nsecond line"

    @gate
    def crashes(report: ReportView) -> None:
        report.row("dataset", "acr")

    @gate
    def returns_false(report: ReportView) -> bool:
        return False

    @gate
    def fails(report: ReportView) -> None:
        pytest.fail("explicitly failed")

    @gate
    def skips(report: ReportView) -> None:
        pytest.skip("no math rows in this suite")  # the gate under test skips; asserted below, this test runs

    outcomes = by_name(seed_report)
    ok = outcomes["gate[passes]"]
    assert ok.passed and ok.message == "passed" and ok.longrepr == ""
    low = outcomes["gate[with_message]"]
    assert not low.passed and low.message == "index too low"
    assert "with_message" in low.longrepr and "AssertionError" in low.longrepr
    crash = outcomes["gate[crashes]"]
    assert not crash.passed
    assert crash.message.startswith("KeyError: dataset_level has no row 'acr'; its rows are: 'reasoning/arc'")
    assert not outcomes["gate[returns_false]"].passed
    assert outcomes["gate[returns_false]"].message == "returned False"
    assert outcomes["gate[fails]"].message == "explicitly failed"
    skipped = outcomes["gate[skips]"]
    assert skipped.passed and skipped.skipped and skipped.message == "skipped: no math rows in this suite"


def test_gates_cannot_change_the_report(seed_report: Report) -> None:
    @gate
    def vandal(report: ReportView) -> None:
        assert report.index is not None
        report.index.weighted = 1.0
        report.results[0].status = "incorrect"

    @gate
    def observer(report: ReportView) -> None:
        assert report.index is not None and report.index.weighted == 0.3556
        assert report.results[0].status == "correct"

    outcomes = run_code_gates(seed_report, seed_results())
    assert [o.passed for o in outcomes] == [True, True]
    assert seed_report.index is not None and seed_report.index.weighted == 0.3556
    with pytest.raises(TypeError):
        ReportView(seed_report, []).levels["tag_level"] = ()  # type: ignore[index]


def test_row_lookup_errors_list_rows(seed_report: Report) -> None:
    view = ReportView(seed_report, [])
    with pytest.raises(KeyError, match="'reasoning/ceval'"):
        view.row("dataset_level", "cevl")
    with pytest.raises(KeyError, match="unknown level 'datasets'"):
        view.row("datasets", "arc")
    with pytest.raises(KeyError):
        view.row("dataset", "*")  # globs are for threshold gates, not row()


def test_plain_assert_without_rewriting_names_the_statement(seed_report: Report, tmp_path: Path) -> None:
    source = tmp_path / "bare_gates.py"
    source.write_text("def bare(report):\n    assert report.index.weighted >= 0.4\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("bare_gates", source)  # bypasses assertion rewriting
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gate(module.bare)
    namespace: dict[str, Any] = {}
    exec(compile("def nosource(report):\n    assert report.index.weighted >= 0.4\n", "<string>", "exec"), namespace)
    gate(namespace["nosource"])
    with_source, without_source = run_code_gates(seed_report, [])
    assert not with_source.passed and with_source.message == "failed: assert report.index.weighted >= 0.4"
    assert not without_source.passed and without_source.message == "assertion failed"


def test_conftest_gate_shows_assertion_introspection(pytester: pytest.Pytester, seed_report: Report) -> None:
    pytester.makeconftest(
        """
        from pytest_evalindex.gates.code import gate

        @gate
        def index_floor(report):
            assert report.index.weighted >= 0.4

        @gate("arc holds")
        def arc(report):
            assert report.row("dataset", "arc").micro >= 0.8
        """
    )
    # The gates run inside the inner session (whatever the plugin resets around sessions);
    # the inner test sends their outcomes back as JSON on stdout.
    pytester.makepyfile(
        """
        import json
        from helpers_results import seed_results
        from pytest_evalindex.metrics.aggregate import aggregate
        from pytest_evalindex.plugin.gate_reports import run_code_gates

        def test_run_gates():
            outcomes = run_code_gates(aggregate(seed_results()), seed_results())
            print("OUTCOMES=" + json.dumps([o.to_dict() for o in outcomes]))
        """
    )
    result = pytester.runpytest_inprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    (line,) = [line for line in result.outlines if "OUTCOMES=" in line]
    outcomes = [CodeGateOutcome(**data) for data in json.loads(line.split("OUTCOMES=", 1)[1])]
    assert [(o.name, o.passed) for o in outcomes] == [("gate[index_floor]", False), ("gate[arc holds]", True)]
    failed = outcomes[0]
    assert failed.message == "assert 0.3556 >= 0.4"
    assert "conftest.py" in failed.longrepr
    assert "assert report.index.weighted >= 0.4" in failed.longrepr
    assert "where 0.3556 = " in failed.longrepr
    assert "code_gates.py" not in failed.longrepr  # the runner's own frame is cut
    assert "<ReportView index: reasoning_index weighted=0.3556>.index" in failed.longrepr
    assert failed.to_dict()["longrepr"] == failed.longrepr
