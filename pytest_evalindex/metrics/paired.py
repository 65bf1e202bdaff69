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
_MAX_DRAWS = 200_000  # resamples x distinct magnitudes (~0.1 s) before the saddlepoint or fewer resamples
_MIN_RESAMPLES = 2_000
_STOP_AFTER = 200  # Monte Carlo resamples at or below the observed T after which the drop p-value is settled
_LINDEBERG = 0.05  # largest squared term / total: below it the saddlepoint approximation is used
_LOG2 = math.log(2.0)


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


def sign_flip_test(contributions: Sequence[float], *, seed: int = 0, resamples: int = 10_000,
                   stop_after: int | None = _STOP_AFTER) -> tuple[float, float, str]:
    """Sign-flip randomization test of ``T = Σ t_i``: (two-sided p, p for T this low, method).

    Terms of equal magnitude flip together as ``m·(2·Binomial(m, 1/2)/m - 1)``, so 0/1 rows cost
    one random draw per stratum and resample. The Monte Carlo stops early (Besag–Clifford) once
    ``stop_after`` resamples were as low as the observed T: the drop p-value is then known to about
    10% and is far from significant. Beyond ``_MAX_DRAWS`` draws (many distinct magnitudes) the
    randomization distribution's saddlepoint approximation is used (accurate deep in the tail, where
    Holm's thresholds are, with no Monte Carlo floor) when no term dominates; otherwise the resamples
    are cut to fit, down to ``_MIN_RESAMPLES``.
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
        if biggest <= _LINDEBERG * total_sq:
            low = sign_flip_saddlepoint(groups, observed + tol)
            two = min(1.0, 2.0 * sign_flip_saddlepoint(groups, -abs(observed) + tol))
            return two, low, "sign-flip-saddlepoint"
        resamples = max(_MIN_RESAMPLES, _MAX_DRAWS // len(groups))
    rng = random.Random(seed)
    beyond = below = done = 0
    for done in range(1, resamples + 1):  # noqa: B007  (done is the count of resamples drawn)
        t = math.fsum(v * (2 * rng.getrandbits(m).bit_count() - m) for v, m in groups)
        if abs(t) >= abs(observed) - tol:
            beyond += 1
        if t <= observed + tol:
            below += 1
            if stop_after is not None and below >= stop_after:
                break
    return (1 + beyond) / (done + 1), (1 + below) / (done + 1), "sign-flip"


def sign_flip_saddlepoint(groups: Sequence[tuple[float, int]], t: float) -> float:
    """P(Σ_g v_g·S_g <= t), S_g a sum of m_g random signs: the Lugannani–Rice saddlepoint approximation.

    The cumulant generating function is ``K(s) = Σ m·log cosh(s·v)``; its saddlepoint solves
    ``K'(s) = t``. Exact at the ends (``2^-M`` below ``-Σ m·v``, 1 above ``Σ m·v``).
    """
    top = math.fsum(v * m for v, m in groups)
    count = sum(m for _, m in groups)
    floor = 2.0 ** -count
    if t >= top:
        return 1.0
    if t <= -top + 1e-12 * top:
        return floor
    sd = math.sqrt(math.fsum(v * v * m for v, m in groups))
    if abs(t) < 0.05 * sd:  # near the centre Lugannani–Rice is 0/0; the normal is accurate there
        return normal_cdf(t / sd)

    def slope(x: float) -> float:
        return math.fsum(m * v * math.tanh(x * v) for v, m in groups)

    step = 1.0 / max(v for v, _ in groups)
    lo, hi = (0.0, step) if t > 0 else (-step, 0.0)
    for _ in range(200):  # bracket the saddlepoint: K' runs from -Σm·v to Σm·v
        if t > 0 and slope(hi) < t:
            lo, hi = hi, hi * 2.0
        elif t < 0 and slope(lo) > t:
            lo, hi = lo * 2.0, lo
        else:
            break
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if slope(mid) < t:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, abs(hi)):
            break
    s = 0.5 * (lo + hi)
    cumulant = math.fsum(m * (abs(s * v) + math.log1p(math.exp(-2.0 * abs(s * v))) - _LOG2) for v, m in groups)
    curvature = math.fsum(m * v * v / math.cosh(s * v) ** 2 for v, m in groups)
    w = math.copysign(math.sqrt(max(0.0, 2.0 * (s * t - cumulant))), s)
    u = s * math.sqrt(curvature)
    if abs(w) < 1e-3 or abs(u) < 1e-9:
        return normal_cdf(t / sd)
    p = normal_cdf(w) + math.exp(-0.5 * w * w) / math.sqrt(2.0 * math.pi) * (1.0 / w - 1.0 / u)
    return min(1.0, max(floor, p))


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
