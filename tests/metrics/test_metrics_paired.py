"""Paired comparison, sign-flip test and Holm pinned against statsmodels/scipy and exact enumeration."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from pytest_evalindex.metrics.intervals import row_interval
from pytest_evalindex.metrics.paired import mcnemar_exact, paired_compare, sign_flip_saddlepoint, sign_flip_test
from pytest_evalindex.metrics.regression import holm, regression_gate


@pytest.mark.parametrize("b,c", [(0, 0), (0, 1), (3, 12), (12, 3), (7, 7), (20, 35), (150, 190), (1500, 1620)])
def test_mcnemar_exact_matches_statsmodels_and_binomtest(b: int, c: int) -> None:
    two_sided, drop = mcnemar_exact(b, c)
    if b + c:
        assert two_sided == pytest.approx(mcnemar([[5, b], [c, 5]], exact=True).pvalue, rel=1e-9)
        assert drop == pytest.approx(stats.binomtest(b, b + c, 0.5, alternative="less").pvalue, rel=1e-9)
    else:
        assert (two_sided, drop) == (1.0, 1.0)


def test_reference_mcnemar_value() -> None:
    assert mcnemar_exact(3, 12)[0] == pytest.approx(0.03516, abs=5e-6)


def _exact_sign_flip(terms: list[float]) -> tuple[float, float]:
    observed = sum(terms)
    beyond = below = 0
    patterns = list(itertools.product((1, -1), repeat=len(terms)))
    for signs in patterns:
        t = sum(s * abs(x) for s, x in zip(signs, terms))
        beyond += abs(t) >= abs(observed) - 1e-12
        below += t <= observed + 1e-12
    return beyond / len(patterns), below / len(patterns)


def test_sign_flip_matches_full_enumeration() -> None:
    terms = [0.1, -0.1, -0.25, -0.25, 0.05, -0.1, -0.3, 0.2, -0.05, -0.15, -0.1, 0.25]
    exact_two, exact_low = _exact_sign_flip(terms)
    p_two, p_low, method = sign_flip_test(terms, seed=1, resamples=40_000, stop_after=None)
    assert method == "sign-flip"
    for ours, exact in ((p_two, exact_two), (p_low, exact_low)):
        assert abs(ours - exact) < 4 * math.sqrt(exact * (1 - exact) / 40_000) + 1e-4


def test_sign_flip_equals_mcnemar_for_equal_weights() -> None:
    terms = [1.0] * 9 + [-1.0] * 21
    p_two, p_low, _ = sign_flip_test(terms, seed=3, resamples=40_000, stop_after=None)
    two, low = mcnemar_exact(9, 21)
    assert abs(p_two - two) < 4 * math.sqrt(two * (1 - two) / 40_000)
    assert abs(p_low - low) < 4 * math.sqrt(low * (1 - low) / 40_000)


def test_sign_flip_saddlepoint_for_many_distinct_magnitudes() -> None:
    rng = random.Random(9)
    terms = [rng.uniform(-1, 1) * 1e-3 + 3e-5 for _ in range(600)]
    p_two, p_low, method = sign_flip_test(terms, seed=0, resamples=10_000)
    assert method == "sign-flip-saddlepoint"
    mc_two, mc_low, mc = sign_flip_test(terms, seed=0, resamples=300, stop_after=None)  # below the switch
    assert mc == "sign-flip"
    assert abs(p_two - mc_two) < 0.1 and abs(p_low - mc_low) < 0.1


def test_saddlepoint_matches_full_enumeration_deep_in_the_tail() -> None:
    rng = random.Random(3)
    terms = [rng.uniform(0.2, 1.0) for _ in range(16)]
    sums = sorted(sum(s * x for s, x in zip(signs, terms)) for signs in itertools.product((1, -1), repeat=16))
    for q in (1e-4, 1e-3, 0.01, 0.05, 0.2, 0.45, 0.5, 0.9, 0.999):
        t = sums[int(q * len(sums))]
        exact = sum(1 for x in sums if x <= t + 1e-12) / len(sums)
        approx = sign_flip_saddlepoint([(x, 1) for x in sorted(terms)], t + 1e-9)
        assert abs(approx - exact) <= 0.25 * min(exact, 1 - exact) + 1e-4, (q, exact, approx)
    assert sign_flip_saddlepoint([(0.5, 3)], -1.5) == 2.0 ** -3 and sign_flip_saddlepoint([(0.5, 3)], 1.5) == 1.0


def test_monte_carlo_stops_once_the_drop_p_value_is_settled() -> None:
    terms = [0.3, -0.1, 0.2, -0.2, 0.05, -0.4, 0.1, 0.15]  # T = 0.1: in the middle of its distribution
    _, p_low, _ = sign_flip_test(terms, seed=5, resamples=10_000, stop_after=200)
    drawn = round(201 / p_low) - 1  # p_low = (1 + 200) / (drawn + 1) when it stopped
    assert drawn < 1_000
    _, full_low, _ = sign_flip_test(terms, seed=5, resamples=10_000, stop_after=None)
    assert abs(p_low - full_low) < 0.06


def test_seeded_and_reproducible() -> None:
    terms = [0.3, -0.1, -0.2, -0.2, 0.05, -0.4]
    assert sign_flip_test(terms, seed=7) == sign_flip_test(terms, seed=7)


def test_micro_paired_interval_is_millers_paired_se() -> None:
    rng = np.random.default_rng(2)
    base = (rng.random(200) < 0.7).astype(float)
    cand = np.where(rng.random(200) < 0.15, 1 - base, base)
    result = paired_compare(cand.tolist(), base.tolist())
    d = cand - base
    se = d.std(ddof=1) / math.sqrt(len(d))
    assert result.diff == pytest.approx(d.mean())
    assert result.se == pytest.approx(se)
    assert result.interval.lo == pytest.approx(d.mean() - stats.norm.ppf(0.975) * se)
    assert result.method == "mcnemar-exact"
    assert (result.improved, result.worsened) == (int((d > 0).sum()), int((d < 0).sum()))
    assert result.mde == pytest.approx((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * se)


@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_stratified_difference_equals_difference_of_row_points(average: str) -> None:
    rng = random.Random(4)
    keys = [rng.choice("abcd") for _ in range(120)]
    weights = [{"a": 0.1, "b": 0.3, "c": 0.05, "d": 0.2}[k] for k in keys]
    base = [float(rng.random() < 0.6) for _ in keys]
    cand = [b if rng.random() < 0.8 else float(rng.random() < 0.5) for b in base]
    result = paired_compare(cand, base, weights, keys, average=average)  # type: ignore[arg-type]
    new = row_interval(zip(cand, weights, keys), average)  # type: ignore[arg-type]
    old = row_interval(zip(base, weights, keys), average)  # type: ignore[arg-type]
    assert result.diff == pytest.approx(new.point - old.point, abs=1e-12)
    assert result.method == "sign-flip"
    assert result.interval.contains(result.diff)


def test_holm_matches_statsmodels() -> None:
    rng = random.Random(11)
    for size in (1, 2, 5, 21):
        ps = [rng.random() ** 3 for _ in range(size)]
        assert holm(ps) == pytest.approx(list(multipletests(ps, method="holm")[1]), abs=1e-12)


def test_regression_gate_needs_margin_and_significance() -> None:
    base = [1.0] * 300 + [0.0] * 100
    big_drop = [0.0 if i < 40 else b for i, b in enumerate(base)]  # 10 points, all discordant one way
    small = [0.0 if i < 4 else b for i, b in enumerate(base)]  # 1 point: significant? p = 1/16
    results = {"index": paired_compare(big_drop, base), "arc": paired_compare(small, base)}
    verdicts = {v.row: v for v in regression_gate(results, max_drop=0.02)}
    assert verdicts["index"].fails
    assert not verdicts["arc"].exceeds_margin and not verdicts["arc"].fails
    assert verdicts["index"].p_adjusted == pytest.approx(min(1.0, 2 * results["index"].p_drop))
    same = regression_gate({"index": paired_compare(base, base)}, max_drop=0.0)
    assert not same[0].fails and same[0].p_drop == 1.0
