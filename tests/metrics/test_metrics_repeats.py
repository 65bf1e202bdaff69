"""Repeats: pass@k against exact combinatorics and its unbiasedness, stability classes, variance parts."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from pytest_evalindex.metrics.intervals import row_interval
from pytest_evalindex.metrics.repeats import (
    pass_at_k,
    pass_at_k_scores,
    pass_hat_k,
    sample_mean,
    stability,
    stability_counts,
    variance_parts,
)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 20])
def test_pass_at_k_is_the_combinatorial_formula(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
            assert pass_at_k(n, c, k) == pytest.approx(float(exact), abs=1e-12)
            assert pass_hat_k(n, c, k) == pytest.approx(math.comb(c, k) / math.comb(n, k), abs=1e-15)


@pytest.mark.parametrize("p", [0.05, 0.3, 0.7, 0.97])
def test_pass_at_k_is_unbiased(p: float) -> None:
    n = 10
    for k in (1, 3, 5, 10):
        expected = sum(float(stats.binom.pmf(c, n, p)) * pass_at_k(n, c, k) for c in range(n + 1))
        assert expected == pytest.approx(1 - (1 - p) ** k, abs=1e-12)


def test_per_sample_scores_and_classes() -> None:
    flaky = [1.0, 0.0, 1.0]
    assert sample_mean(flaky) == pytest.approx(2 / 3)
    assert sample_mean([None, 1.0]) == 1.0 and sample_mean([None, None]) is None
    assert pass_at_k_scores(flaky) == pytest.approx({1: 2 / 3, 2: 1.0, 3: 1.0})
    assert pass_at_k_scores([0.0, 0.0, 1.0, None], max_k=2) == pytest.approx({1: 1 / 3, 2: 2 / 3})
    assert stability(flaky) == "flaky"
    assert stability([1.0, 1.0]) == "stable-correct"
    assert stability([0.0, 0.5]) == "stable-wrong"
    assert stability([0.5, 0.9], full_marks=0.5) == "stable-correct"
    assert stability([None]) is None
    counts = stability_counts([flaky, [1.0] * 3, [0.0] * 3, [0.0, 1.0, 0.0], [None] * 3])
    assert counts == {"stable-correct": 1, "flaky": 2, "stable-wrong": 1}


def test_variance_parts_match_numpy() -> None:
    rng = np.random.default_rng(8)
    p = rng.beta(1.4, 0.6, size=400)
    answers = (rng.random((400, 4)) < p[:, None]).astype(float)
    parts = variance_parts(answers.tolist())
    means = answers.mean(axis=1)
    assert parts.between == pytest.approx(means.var(ddof=1))
    assert parts.within == pytest.approx(answers.var(axis=1, ddof=1).mean())
    assert parts.item == pytest.approx(means.var(ddof=1) - answers.var(axis=1, ddof=1).mean() / 4)
    # Truth: Var(x) = Var(p) and E[sigma^2] = E[p(1-p)] for Bernoulli answers.
    assert parts.item == pytest.approx(float(p.var()), abs=0.02)
    assert parts.within == pytest.approx(float((p * (1 - p)).mean()), abs=0.02)
    assert parts.suggested_k is not None and parts.suggested_k >= 1


def test_row_interval_on_per_sample_means_is_fractional() -> None:
    samples = [[1.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]] * 10
    means = [sample_mean(s) for s in samples]
    row = row_interval([(m, 1.0, "leaf") for m in means if m is not None], "micro")
    assert not row.binary and row.n == 40 and row.df == pytest.approx(39)
    assert row.point == pytest.approx(np.mean([2 / 3, 1, 1 / 3, 2 / 3]))
