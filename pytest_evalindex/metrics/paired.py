"""Paired comparison of two runs on the same samples: the row's difference, its interval and a p-value.

Each sample contributes ``c_i · d_i`` to the row's difference, ``d_i = candidate_i - baseline_i`` and
``c_i`` its share in the row's average (micro ``1/n``; macro ``1/(G·n_g)``; weighted ``w_i/Σw``). The
interval is the stratified one on the ``d_i``; the p-value is exact McNemar when every ``c_i`` is equal
and both runs score 0/1, otherwise a seeded sign-flip randomization test on ``T = Σ c_i d_i``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from pytest_evalindex.metrics.distributions import binomial_half_cdf, normal_cdf, normal_quantile, t_quantile
from pytest_evalindex.metrics.intervals import Average
from pytest_evalindex.metrics.power import mde
from pytest_evalindex.metrics.stratified import Interval, Part, spread

_DIFF_FALLBACK_VAR = 1.0  # Var(d) <= 1 for d in [-1, 1]
_MAX_DRAWS = 500_000  # resamples x distinct magnitudes (~0.2 s) before the normal limit or fewer resamples
_MIN_RESAMPLES = 2_000


@dataclass(frozen=True)
class PairedResult:
    """Candidate minus baseline on one row.

    ``p_value`` is two-sided; ``p_drop`` one-sided for "the candidate is worse" (what a regression gate
    tests). ``improved``/``worsened`` count samples whose score rose/fell; ``mde`` is the difference
    detectable at 80% power with this row's paired SE.
    """

    average: Average
    diff: float
    interval: Interval
    p_value: float
    p_drop: float
    method: str
    n: int
    se: float
    df: float | None
    mde: float
    improved: int
    worsened: int
    confidence: float
    warnings: tuple[str, ...] = ()


def mcnemar_exact(improved: int, worsened: int) -> tuple[float, float]:
    """Exact McNemar: (two-sided p, one-sided p that the candidate is worse) from the discordant counts."""
    n = improved + worsened
    if n == 0:
        return 1.0, 1.0
    two_sided = min(1.0, 2.0 * binomial_half_cdf(min(improved, worsened), n))
    return two_sided, binomial_half_cdf(improved, n)


def sign_flip_test(contributions: Sequence[float], *, seed: int = 0, resamples: int = 10_000
                   ) -> tuple[float, float, str]:
    """Sign-flip randomization test of ``T = Σ t_i``: (two-sided p, p for T this low, method).

    Terms of equal magnitude flip together as ``m·(2·Binomial(m, 1/2)/m - 1)``, so 0/1 rows cost
    one random draw per stratum and resample. Beyond ``_MAX_DRAWS`` draws (many distinct magnitudes)
    the randomization distribution's normal limit is used, with its exact variance ``Σ t_i²``, when no
    term dominates (Lindeberg); otherwise the resamples are cut to fit, down to ``_MIN_RESAMPLES``.
    """
    observed = math.fsum(contributions)
    magnitudes = Counter(abs(t) for t in contributions if t != 0.0)
    if not magnitudes:
        return 1.0, 1.0, "sign-flip"
    groups = sorted(magnitudes.items())
    scale = math.fsum(v * m for v, m in groups)
    tol = 1e-9 * scale
    biggest = max(v * v for v, _ in groups)
    total_sq = math.fsum(v * v * m for v, m in groups)
    if len(groups) * resamples > _MAX_DRAWS:
        if biggest <= 0.01 * total_sq:
            sd = math.sqrt(total_sq)
            return min(1.0, 2.0 * normal_cdf(-abs(observed) / sd)), normal_cdf(observed / sd), "sign-flip-normal"
        resamples = max(_MIN_RESAMPLES, _MAX_DRAWS // len(groups))
    rng = random.Random(seed)
    beyond = below = 0
    for _ in range(resamples):
        t = math.fsum(v * (2 * rng.getrandbits(m).bit_count() - m) for v, m in groups)
        if abs(t) >= abs(observed) - tol:
            beyond += 1
        if t <= observed + tol:
            below += 1
    return (1 + beyond) / (resamples + 1), (1 + below) / (resamples + 1), "sign-flip"


def contribution_shares(weights: Sequence[float], strata: Sequence[Hashable], average: Average) -> list[float]:
    """Each sample's share ``c_i`` in the row's average (the c_i sum to 1)."""
    n = len(weights)
    total_weight = math.fsum(weights)
    if average == "micro" or (average == "weighted" and total_weight == 0.0):
        return [1.0 / n] * n
    if average == "weighted":
        return [w / total_weight for w in weights]
    sizes = Counter(strata)
    return [1.0 / (len(sizes) * sizes[k]) for k in strata]


def paired_compare(candidate: Sequence[float], baseline: Sequence[float],
                   weights: Sequence[float] | None = None, strata: Sequence[Hashable] | None = None, *,
                   average: Average = "micro", confidence: float = 0.95, seed: int = 0,
                   resamples: int = 10_000) -> PairedResult:
    """Compare aligned per-sample scores (per-sample means with repeats) of two runs on one row."""
    n = len(candidate)
    if n == 0 or len(baseline) != n:
        raise ValueError("need two non-empty, aligned score lists")
    w = list(weights) if weights is not None else [1.0] * n
    keys: list[Hashable] = list(strata) if strata is not None else ["all"] * n
    if len(w) != n or len(keys) != n:
        raise ValueError("weights and strata must align with the scores")
    diffs = [float(a) - float(b) for a, b in zip(candidate, baseline)]
    shares = contribution_shares(w, keys, average)
    binary = all(y in (0.0, 1.0) for y in candidate) and all(y in (0.0, 1.0) for y in baseline)
    improved = sum(1 for d in diffs if d > 0)
    worsened = sum(1 for d in diffs if d < 0)
    equal = max(shares) - min(shares) <= 1e-12 * max(shares)
    warnings: list[str] = []
    if binary and equal:
        p_value, p_drop = mcnemar_exact(improved, worsened)
        method = "mcnemar-exact"
    else:
        p_value, p_drop, method = sign_flip_test([c * d for c, d in zip(shares, diffs)], seed=seed,
                                                 resamples=resamples)
    s = spread(_parts(diffs, shares, keys, average))
    warnings.extend(s.warnings)
    diff = math.fsum(c * d for c, d in zip(shares, diffs))
    upper_q = 1.0 - (1.0 - confidence) / 2.0
    df = None if binary or s.df is None else s.df
    crit = normal_quantile(upper_q) if df is None else t_quantile(upper_q, df)
    se = math.sqrt(s.var)
    interval = Interval(max(-1.0, diff - crit * se), min(1.0, diff + crit * se))
    return PairedResult(average, diff, interval, p_value, p_drop, method, n, se, df,
                        mde(se, alpha=1.0 - confidence), improved, worsened, confidence, tuple(warnings))


def _parts(diffs: Sequence[float], shares: Sequence[float], keys: Sequence[Hashable], average: Average
           ) -> list[Part]:
    """One stratified part per stratum (one pool for micro) of the share-weighted differences."""
    groups: dict[Hashable, list[tuple[float, float]]] = {}
    for d, c, k in zip(diffs, shares, keys):
        groups.setdefault("all" if average == "micro" else k, []).append((c, d))
    parts: list[Part] = []
    for key, members in groups.items():
        share = math.fsum(c for c, _ in members)
        live = [(c, d) for c, d in members if c > 0]
        if share <= 0:
            continue
        mean = math.fsum(c * d for c, d in live) / share
        kish = share * share / math.fsum(c * c for c, _ in live)
        m = len(live)
        unit = (math.fsum((c / share) ** 2 * (d - mean) ** 2 for c, d in live) * m / (m - 1) * kish
                if m > 1 else None)
        parts.append(Part(key, share, mean, unit, kish, m - 1, len(members), _DIFF_FALLBACK_VAR))
    return parts
