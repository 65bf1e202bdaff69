"""Intervals attached to every report row, and the paired rows of a baseline comparison (shared tests, Holm)."""

from __future__ import annotations

import dataclasses

import pytest
from helpers_results import make_result, seed_results
from statsmodels.stats.multitest import multipletests

from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.metrics.intervals import row_intervals
from pytest_evalindex.metrics.paired_rows import paired_rows
from pytest_evalindex.metrics.row_ci import attach_intervals, confidence_label


def test_every_row_gets_the_interval_of_its_own_samples() -> None:
    results = seed_results()
    report = aggregate(results)
    notes = attach_intervals(report, results, confidence=0.9)
    assert report.confidence == 0.9
    arc = [(r.score or 0.0, r.weight, (r.dataset_name, r.subset_name)) for r in results if r.dataset_name == "arc"]
    everything = [(r.score or 0.0, r.weight, (r.dataset_name, r.subset_name)) for r in results]
    by_name = {(row.level, row.name): row for rows in report.levels.values() for row in rows}
    arc_row = by_name[("dataset_level", "reasoning/arc")].intervals
    assert arc_row is not None and arc_row.ci() == row_intervals(arc, confidence=0.9).ci()
    assert report.index is not None and report.index.intervals is not None
    expected = row_intervals(everything, confidence=0.9).ci()
    for average, bounds in report.index.intervals.ci().items():
        assert bounds == pytest.approx(expected[average], abs=1e-12)
    assert report.index.to_dict()["ci"] == report.index.intervals.ci()
    assert notes.singleton_strata == ["ceval/logic"] and len(notes.lines()) == 1


def test_scores_outside_the_unit_interval_leave_their_rows_without_an_interval() -> None:
    results = [make_result(0, "a", "s", 1.0), make_result(1, "b", "s", 3.0, status="partial")]
    report = aggregate(results)
    notes = attach_intervals(report, results, confidence=0.95)
    by_name = {(row.level, row.name): row for rows in report.levels.values() for row in rows}
    assert by_name[("dataset_level", "reasoning/a")].intervals is not None
    assert by_name[("dataset_level", "reasoning/b")].intervals is None
    assert report.index is not None and report.index.intervals is None
    assert "ci" not in report.index.to_dict()
    assert notes.lines()[-1].startswith("evalindex: no interval for")


def test_shared_tests_are_counted_once_by_holm() -> None:
    base = seed_results()
    now = [dataclasses.replace(base[i], score=0.0, status="incorrect") if i in (0, 1, 5) else base[i]
           for i in range(len(base))]
    rows = paired_rows(now, base, compat=False, pool_subsets_by_name=False, confidence=0.95, seed=1)
    by_key = {(p.level, p.row, p.metric): p for p in rows}
    task = by_key[("task_level", "reasoning", "weighted_avg")]
    index = by_key[("category_level", "reasoning_index", "weighted_avg")]
    assert task.test == index.test and task.result == index.result  # the same samples, the same shares
    # arc's micro and weighted share equal weights: one test
    assert by_key[("dataset_level", "reasoning/arc", "micro_avg")].test == \
        by_key[("dataset_level", "reasoning/arc", "weighted_avg")].test
    distinct = {p.test: p.result.p_drop for p in rows}
    adjusted = multipletests([distinct[t] for t in sorted(distinct)], method="holm")[1]
    for p in rows:
        assert p.p_holm == pytest.approx(adjusted[sorted(distinct).index(p.test)], rel=1e-12)
    arc = by_key[("dataset_level", "reasoning/arc", "micro_avg")]
    assert (arc.baseline, arc.current, arc.result.worsened, arc.result.improved) == (8 / 9, 5 / 9, 3, 0)
    assert arc.result.method == "mcnemar-exact" and arc.result.p_drop == 1 / 8
    assert not any(p.level == "subset_level" and p.metric != "micro_avg" for p in rows)


def test_unscored_samples_on_either_side_are_left_out_of_the_pairs() -> None:
    base = seed_results()
    now = [dataclasses.replace(base[0], score=None, status="excluded"), *base[1:]]
    rows = paired_rows(now, base, compat=False, pool_subsets_by_name=False, confidence=0.95, seed=0)
    index = next(p for p in rows if p.level == "category_level" and p.metric == "micro_avg")
    assert index.result.n == 9 and index.result.diff == 0.0


def test_confidence_label() -> None:
    assert [confidence_label(c) for c in (0.95, 0.9, 0.995)] == ["95%", "90%", "99.5%"]
