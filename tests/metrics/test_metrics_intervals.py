"""Row intervals pinned against scipy/statsmodels and exact enumeration (statistics.md §3a, §3b, §4.4)."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from scipy import special, stats
from statsmodels.stats.proportion import proportion_confint

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.metrics.distributions import betainc, t_quantile
from pytest_evalindex.metrics.intervals import (
    AVERAGES,
    DISPERSION_PRIOR,
    StratumSummary,
    clopper_pearson,
    interval_of,
    merge_strata,
    row_interval,
    row_intervals,
    summarize,
    wilson,
)
from pytest_evalindex.metrics.power import margin_warning, mde, row_mde, samples_needed

Z = float(stats.norm.ppf(0.975))


def _binary_samples(counts: dict[str, tuple[int, int]], weights: dict[str, float]) -> list[tuple[float, float, str]]:
    """(x, n) per stratum as 0/1 samples carrying EvalScope's per-line weight W/n."""
    out = []
    for key, (x, n) in counts.items():
        out += [(1.0 if i < x else 0.0, weights[key] / n, key) for i in range(n)]
    return out


@pytest.mark.parametrize("n", [1, 5, 10, 20, 37, 100, 1000])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_and_clopper_pearson_match_statsmodels(n: int, level: float) -> None:
    for x in sorted({0, 1, n // 3, n // 2, n - 1, n} & set(range(n + 1))):
        ours = row_interval([(1.0 if i < x else 0.0, 1.0, "s") for i in range(n)], "micro", confidence=level)
        lo, hi = proportion_confint(x, n, alpha=1 - level, method="wilson")
        assert ours.interval.lo == pytest.approx(lo, abs=1e-12)
        assert ours.interval.hi == pytest.approx(hi, abs=1e-12)
        exact = clopper_pearson(x, n, level)
        lo, hi = proportion_confint(x, n, alpha=1 - level, method="beta")
        assert exact.lo == pytest.approx(lo, abs=1e-10)
        assert exact.hi == pytest.approx(hi, abs=1e-10)


def test_reference_boundary_examples() -> None:
    assert wilson(17 / 20, 20, Z).lo == pytest.approx(0.6396, abs=5e-5)
    assert wilson(17 / 20, 20, Z).hi == pytest.approx(0.9476, abs=5e-5)
    assert clopper_pearson(17, 20).lo == pytest.approx(0.6211, abs=5e-5)
    assert clopper_pearson(17, 20).hi == pytest.approx(0.9679, abs=5e-5)
    assert wilson(0.0, 10, Z).hi == pytest.approx(0.278, abs=5e-4)
    assert wilson(1.0, 1, Z).lo == pytest.approx(0.207, abs=5e-4)


@pytest.mark.parametrize("df", [1.0, 1.7, 2.5, 7.3, 30.0, 250.0, 1e5])
@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995])
def test_t_quantile_matches_scipy(df: float, p: float) -> None:
    assert t_quantile(p, df) == pytest.approx(float(stats.t.ppf(p, df)), rel=1e-9)
    assert t_quantile(1 - p, df) == pytest.approx(float(stats.t.ppf(1 - p, df)), rel=1e-9)


@pytest.mark.parametrize("a,b", [(0.5, 0.5), (2.0, 5.0), (14.0, 7.0), (300.0, 2.5)])
def test_betainc_matches_scipy(a: float, b: float) -> None:
    for x in (1e-6, 0.1, 0.35, 0.5, 0.8, 0.999):
        assert betainc(a, b, x) == pytest.approx(float(special.betainc(a, b, x)), rel=1e-10, abs=1e-14)


def test_seed_example_matches_reference() -> None:
    """arc 8/9 at leaf weight 0.4, ceval/logic 0/1 at 0.6 (statistics.md §3b)."""
    samples = _binary_samples({"arc": (8, 9), "logic": (0, 1)}, {"arc": 0.4, "logic": 0.6})
    rows = row_intervals(samples)
    assert rows.weighted.point == pytest.approx(0.3556, abs=5e-5)
    assert rows.weighted.n_kish == pytest.approx(2.65, abs=5e-3)
    assert (round(rows.weighted.interval.lo, 2), round(rows.weighted.interval.hi, 2)) == (0.06, 0.82)
    assert (round(rows.micro.interval.lo, 2), round(rows.micro.interval.hi, 2)) == (0.49, 0.94)
    assert rows.weighted.singletons == 1
    assert rows.ci()["micro"] == [rows.micro.interval.lo, rows.micro.interval.hi]
    assert any("single sample" in w for w in rows.weighted.warnings)


def _coverage(ns: tuple[int, ...], shares: tuple[float, ...], ps: tuple[float, ...]) -> float:
    """Exact coverage of the weighted row over the product of Binomial(n_g, p_g)."""
    truth = sum(a * p for a, p in zip(shares, ps))
    pmfs = [stats.binom.pmf(range(n + 1), n, p).tolist() for n, p in zip(ns, ps)]
    summaries = [[StratumSummary.of(g, [1.0] * x + [0.0] * (n - x), [a / n] * n) for x in range(n + 1)]
                 for g, (n, a) in enumerate(zip(ns, shares))]
    total = 0.0
    for xs in itertools.product(*(range(n + 1) for n in ns)):
        prob = math.prod(pmf[x] for pmf, x in zip(pmfs, xs))
        strata = [summaries[g][x] for g, x in enumerate(xs)]
        if interval_of(strata, "weighted").interval.contains(truth):
            total += prob
    return total


@pytest.mark.parametrize("ns,shares,ps,expected", [
    ((5, 10, 20), (.5, .3, .2), (.8, .7, .9), 0.9693),
    ((1, 2, 30), (1 / 3, 1 / 3, 1 / 3), (.7, .6, .8), 0.9521),
    ((10, 10, 10, 10), (.25, .25, .25, .25), (.95, .97, .99, .9), 0.9621),
])
def test_exact_enumeration_coverage_matches_reference(ns: tuple[int, ...], shares: tuple[float, ...],
                                                      ps: tuple[float, ...], expected: float) -> None:
    assert _coverage(ns, shares, ps) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize("fpc,expected", [(True, 0.9536), (False, 0.9985)])
def test_exact_hypergeometric_coverage_with_fpc(fpc: bool, expected: float) -> None:
    big_n, big_k, ns = (20, 30, 500), (14, 18, 400), (20, 15, 40)
    truth = sum(k / n for k, n in zip(big_k, big_n)) / 3
    total = 0.0
    pmfs = [stats.hypergeom.pmf(range(n + 1), N, K, n).tolist() for N, K, n in zip(big_n, big_k, ns)]
    for xs in itertools.product(*(range(n + 1) for n in ns)):
        prob = math.prod(pmf[x] for pmf, x in zip(pmfs, xs))
        if prob == 0.0:
            continue
        strata = [StratumSummary.of(g, [1.0] * x + [0.0] * (n - x), [1.0 / (3 * n)] * n)
                  for g, (x, n) in enumerate(zip(xs, ns))]
        sizes = dict(enumerate(big_n)) if fpc else None
        if interval_of(strata, "weighted", population_sizes=sizes).interval.contains(truth):
            total += prob
    assert total == pytest.approx(expected, abs=5e-5)


def test_wilson_exact_coverage_pins_reference_table() -> None:
    def cov(n: int, p: float) -> float:
        return sum(float(stats.binom.pmf(x, n, p)) for x in range(n + 1) if wilson(x / n, n, Z).contains(p))
    assert cov(20, 0.9) == pytest.approx(0.957, abs=5e-4)
    assert cov(10, 0.8) == pytest.approx(0.967, abs=5e-4)
    assert cov(100, 0.95) == pytest.approx(0.966, abs=5e-4)


def test_stratified_variance_matches_numpy_for_fractional_scores() -> None:
    rng = np.random.default_rng(3)
    groups = [rng.beta(2, 1, size=n).round(3) for n in (4, 9, 25)]
    shares = np.array([0.5, 0.3, 0.2])
    samples = [(float(y), float(a / len(g)), f"g{i}") for i, (g, a) in enumerate(zip(groups, shares)) for y in g]
    row = row_interval(samples, "weighted")
    # Each stratum's s2 is shrunk toward the row's pooled dispersion at its own (shrunk) mean, with
    # DISPERSION_PRIOR pseudo-df: v = (df s2 + c phi m~(1-m~)) / (df + c).
    means = np.array([g.mean() for g in groups])
    s2 = np.array([g.var(ddof=1) for g in groups])
    dfs = np.array([len(g) - 1 for g in groups], float)
    phi = float((dfs * s2).sum() / (dfs * means * (1 - means)).sum())
    m_tilde = np.array([(g.sum() + 0.5) / (len(g) + 1) for g in groups])
    c = DISPERSION_PRIOR
    v = (dfs * s2 + c * phi * m_tilde * (1 - m_tilde)) / (dfs + c)
    terms = shares ** 2 * v / np.array([len(g) for g in groups])
    var = float(terms.sum())
    df = var ** 2 / float((terms ** 2 / np.array([len(g) - 1 for g in groups])).sum())
    theta = float(shares @ np.array([g.mean() for g in groups]))
    assert row.point == pytest.approx(theta, rel=1e-12)
    assert row.se == pytest.approx(math.sqrt(var), rel=1e-10)
    assert row.df == pytest.approx(df, rel=1e-10)
    n_eff = theta * (1 - theta) / var
    crit = float(stats.t.ppf(0.975, df))
    centre = (theta + crit ** 2 / (2 * n_eff)) / (1 + crit ** 2 / n_eff)
    half = crit * math.sqrt(theta * (1 - theta) / n_eff + crit ** 2 / (4 * n_eff ** 2)) / (1 + crit ** 2 / n_eff)
    assert row.interval.lo == pytest.approx(centre - half, rel=1e-9)
    assert row.interval.hi == pytest.approx(centre + half, rel=1e-9)
    assert row.method == "wilson-eff-t" and not row.binary
    capped = row_interval(samples, "weighted", conservative=True)
    assert capped.n_eff == pytest.approx(min(n_eff, row.n_kish))


def test_macro_uses_equal_shares_and_kish_cap() -> None:
    samples = _binary_samples({"a": (10, 10), "b": (3, 6), "c": (40, 50)}, {"a": 1.0, "b": 1.0, "c": 1.0})
    row = row_interval(samples, "macro")
    assert row.point == pytest.approx((1.0 + 0.5 + 0.8) / 3)
    n_kish = 9 / (1 / 10 + 1 / 6 + 1 / 50)
    assert row.n_kish == pytest.approx(n_kish)
    var = (0 + (6 / 5 * 0.25) / 6 + (50 / 49 * 0.16) / 50) / 9
    assert row.se == pytest.approx(math.sqrt(var))
    assert row.n_eff == pytest.approx(min(row.point * (1 - row.point) / var, n_kish))
    assert row.interval == wilson(row.point, row.n_eff, Z)


def test_single_stratum_binary_rows_are_plain_wilson() -> None:
    samples = [(1.0 if i < 17 else 0.0, 0.05, "only") for i in range(20)]
    rows = row_intervals(samples)
    for avg in AVERAGES:
        assert rows.get(avg).interval == wilson(17 / 20, 20, Z)


def test_point_estimates_equal_aggregate() -> None:
    rng = random.Random(5)
    results = []
    for i in range(300):
        ds, sub = rng.choice([("arc", "easy"), ("arc", "hard"), ("gsm", "main"), ("ceval", "logic")])
        score = rng.choice([0.0, 1.0]) if ds != "gsm" else rng.random()
        results.append(SampleResult(
            node_id=f"n{i}", ordinal=i, file="f", line=i, index=i, dataset_name=ds, subset_name=sub,
            task_type="qa", tags=[], categories=["idx"], weight=rng.choice([0.5, 1.0, 2.0]) * (1 + (ds == "arc")),
            sample_hash=f"h{i}", status="correct" if score >= 0.5 else "incorrect", score=score))
    report = aggregate(results)
    assert report.index is not None
    samples = [(float(r.score or 0.0), r.weight, (r.dataset_name, r.subset_name)) for r in results]
    rows = row_intervals(samples)
    for avg in AVERAGES:
        assert round(rows.get(avg).point, 4) == getattr(report.index, avg)
        assert rows.get(avg).interval.contains(rows.get(avg).point)


def test_unequal_weights_within_a_stratum_use_the_ratio_linearization() -> None:
    ys = np.array([1, 0, 1, 1, 0, 1, 1, 1], float)
    ws = np.array([1, 2, 1, 3, 1, 1, 2, 1], float)
    row = row_interval([(float(y), float(w), "s") for y, w in zip(ys, ws)], "weighted")
    theta = float(ws @ ys / ws.sum())
    n = len(ys)
    var = n / (n - 1) * float(((ws / ws.sum()) ** 2 * (ys - theta) ** 2).sum())
    assert row.point == pytest.approx(theta)
    assert row.se == pytest.approx(math.sqrt(var))
    assert row.n_kish == pytest.approx(ws.sum() ** 2 / (ws ** 2).sum())


def test_all_singletons_use_the_bound_and_zero_weights_fall_back_to_micro() -> None:
    row = row_interval([(1.0, 1.0, "a"), (0.0, 1.0, "b"), (1.0, 1.0, "c")], "macro")
    assert row.singletons == 3 and "bound variance" in row.warnings[0]
    assert 0.0 <= row.interval.lo < row.point < row.interval.hi <= 1.0
    zero = row_interval([(1.0, 0.0, "a"), (0.0, 0.0, "b")], "weighted")
    assert zero.interval == row_interval([(1.0, 0.0, "a"), (0.0, 0.0, "b")], "micro").interval
    with pytest.raises(ValueError):
        row_interval([(1.5, 1.0, "a")], "micro")


def test_mde_and_margin_warning() -> None:
    assert mde(0.01) == pytest.approx((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * 0.01)
    assert mde(0.01, alpha=0.05, two_sided=False) == pytest.approx(
        (stats.norm.ppf(0.95) + stats.norm.ppf(0.8)) * 0.01)
    row = row_interval([(1.0 if i < 79 else 0.0, 1.0, "s") for i in range(120)], "micro")
    effect = row_mde(row, threshold=0.70)
    assert effect == pytest.approx(mde(math.sqrt(0.7 * 0.3 / 120)))
    warning = margin_warning(row, 0.70)
    assert warning is not None and "cannot tell 0.70 from 0.66 with 120 samples" in warning
    assert margin_warning(row, 0.40) is None
    # Miller's worked example: omega^2 = 1/9, delta = 0.03 -> n ~ 969 (binomial form: p(1-p) = 1/9).
    p = (1 - math.sqrt(1 - 4 / 9)) / 2
    assert samples_needed(0.03, p) in (968, 969, 970)


def test_merged_cell_summaries_equal_the_row_summary() -> None:
    rng = random.Random(21)
    samples = [(rng.choice([0.0, 0.25, 1.0]), rng.uniform(0.1, 2.0), rng.choice("ab")) for _ in range(200)]
    cells = [StratumSummary.of(k, [y for y, _, kk in chunk if kk == k], [w for _, w, kk in chunk if kk == k])
             for chunk in (samples[:70], samples[70:]) for k in "ab"]
    merged = merge_strata(cells)
    direct = {s.key: s for s in summarize(samples)}
    for s in merged:
        d = direct[s.key]
        assert (s.n, s.weighted_n, s.nonbinary, s.lo, s.hi) == (d.n, d.weighted_n, d.nonbinary, d.lo, d.hi)
        for name in ("mean", "ss", "wmean", "wss", "kish"):
            assert getattr(s, name) == pytest.approx(getattr(d, name), rel=1e-12)
    for avg in AVERAGES:
        assert interval_of(merged, avg).interval.lo == pytest.approx(interval_of(list(direct.values()), avg).interval.lo)
