"""Samples answered K times: one result per sample (mean of its answers), expanded back, pass@k and stability per row."""

from __future__ import annotations

import dataclasses
import json

import pytest
from helpers_results import make_result
from scipy.special import comb

from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.metrics.repeated import combine_repeats, expand_repeats, repeat_summary


def answered(ordinal: int, subset: str, scores: list[float | None], *, weight: float = 1.0) -> SampleResult:
    """A sample answered ``len(scores)`` times, combined as the plugin combines it."""
    answers = [dataclasses.replace(make_result(ordinal, "arc", subset, s, weight=weight), extracted=f"x{r}",
                                   completion=f"answer {r}", usage=Usage(1, 2, 3), cached=r > 0)
               for r, s in enumerate(scores)]
    return combine_repeats(answers)


def test_a_sample_scores_the_mean_of_its_scored_answers() -> None:
    flaky = answered(0, "s", [1.0, 0.0, 1.0])
    assert flaky.score == pytest.approx(2 / 3) and flaky.status == "partial"
    assert flaky.extracted == "x0" and flaky.completion == "answer 0"  # repeat 0's answer fields
    assert flaky.usage == Usage(3, 6, 9) and flaky.cached is False  # repeat 0 was asked
    assert [a["score"] for a in flaky.repeats or []] == [1.0, 0.0, 1.0]
    assert answered(1, "s", [1.0, None, 1.0]).score == 1.0  # an unjudged answer is left out of the mean
    assert answered(2, "s", [None, None]).status == "excluded"
    assert answered(3, "s", [0.0, 0.0]).status == "incorrect"
    # JSON-plain: it crosses from an xdist worker as it is
    assert SampleResult.from_dict(json.loads(json.dumps(flaky.to_dict()))) == flaky


def test_graded_metrics_are_averaged_per_sample() -> None:
    answers = [make_result(0, "squad", "s", v, metric="f1", metrics={"f1": v, "em": float(v == 1.0)}, status="partial")
               for v in (0.5, 1.0)]
    combined = combine_repeats(answers)
    assert combined.score == 0.75 and combined.metrics == {"f1": 0.75, "em": 0.5}


def test_expand_gives_each_answer_back() -> None:
    flaky = answered(0, "s", [1.0, 0.0, 1.0])
    back = expand_repeats(flaky)
    assert [(a.score, a.status, a.extracted, a.repeats) for a in back] == [
        (1.0, "correct", "x0", None), (0.0, "incorrect", "x1", None), (1.0, "correct", "x2", None)]
    assert all(a.node_id == flaky.node_id and a.weight == flaky.weight for a in back)
    single = make_result(1, "arc", "s", 1.0)
    assert expand_repeats(single) == [single] and repeat_summary([single], None) is None


def _pass(n: int, c: int, k: int) -> float:
    return float(1 - comb(n - c, k, exact=True) / comb(n, k, exact=True))


def test_rows_carry_pass_at_k_and_stability_counted_directly() -> None:
    design: list[tuple[str, list[float | None], float]] = [("A", [1.0, 0.0, 1.0], 0.1), ("A", [1.0, 1.0, 1.0], 0.1), ("A", [0.0, 0.0, 0.0], 0.1),
              ("B", [0.0, 0.0, 1.0], 0.35), ("B", [1.0, None, 0.0], 0.35)]
    results = [answered(i, subset, scores, weight=w) for i, (subset, scores, w) in enumerate(design)]
    report = aggregate(results)
    row = report.levels["dataset_level"][0]
    assert row.count == 5 and row.repeats is not None
    assert row.repeats["k"] == 3
    assert row.repeats["stability"] == {"stable-correct": 1, "flaky": 3, "stable-wrong": 1}
    counts = [(len([s for s in scores if s is not None]), sum(1 for s in scores if s == 1.0), w, sub)
              for sub, scores, w in design]
    for k in (1, 2, 3):
        eligible = [(_pass(n, c, k), w, sub) for n, c, w, sub in counts if n >= k]  # the 2-answer sample stops at k=2
        micro = sum(g for g, _, _ in eligible) / len(eligible)
        weighted = sum(g * w for g, w, _ in eligible) / sum(w for _, w, _ in eligible)
        by_sub = {s: [g for g, _, t in eligible if t == s] for s in {t for _, _, t in eligible}}
        macro = sum(sum(v) / len(v) for v in by_sub.values()) / len(by_sub)
        got = row.repeats["pass@k"][str(k)]
        assert got == {"micro": round(micro, 4), "macro": round(macro, 4), "weighted": round(weighted, 4)}
    # pass@1 averages the same per-sample means as the row itself
    assert row.repeats["pass@k"]["1"]["micro"] == row.micro and row.repeats["pass@k"]["1"]["weighted"] == row.weighted
    assert row.to_dict()["repeats"] == row.repeats
    assert "repeats" not in aggregate([make_result(0, "arc", "s", 1.0)]).levels["dataset_level"][0].to_dict()
