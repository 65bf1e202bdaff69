"""The stratified estimator's engine: Wilson and exact intervals, V, Kish n, Satterthwaite df, effective n."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from pytest_evalindex.metrics.distributions import (
    beta_quantile,
    normal_quantile,
    t_quantile,
)


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lo, hi]``."""

    lo: float
    hi: float

    @property
    def width(self) -> float:
        """``hi - lo``."""
        return self.hi - self.lo

    def contains(self, value: float) -> bool:
        """Whether ``lo <= value <= hi``."""
        return self.lo <= value <= self.hi


@dataclass(frozen=True)
class Part:
    """One stratum's term in a stratified estimator ``θ = Σ share·mean``.

    ``unit_var`` is the per-effective-observation variance (None: a single observation, to be pooled);
    ``count`` its effective observations; ``df`` the variance estimate's degrees of freedom;
    ``fpc`` the finite-population factor ``1 - n/N`` (1.0 when off).
    """

    key: Hashable
    share: float
    mean: float
    unit_var: float | None
    count: float
    df: int
    samples: int
    fallback_var: float
    fpc: float = 1.0


@dataclass(frozen=True)
class Spread:
    """A stratified estimator's variance ``V``, Kish n, Satterthwaite df and singleton warnings."""

    point: float
    var: float
    n_kish: float
    df: float | None
    singletons: int
    warnings: tuple[str, ...]


def wilson(p: float, n: float, crit: float) -> Interval:
    """Wilson score interval for a proportion ``p`` on ``n`` (possibly effective, fractional) trials."""
    if n <= 0 or math.isinf(n):
        return Interval(p, p) if math.isinf(n) else Interval(0.0, 1.0)
    z2n = crit * crit / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = crit * math.sqrt(max(p * (1.0 - p), 0.0) / n + z2n / (4.0 * n)) / (1.0 + z2n)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def clopper_pearson(x: int, n: int, confidence: float = 0.95) -> Interval:
    """Exact (Clopper–Pearson) interval for ``x`` successes in ``n`` trials."""
    alpha = 1.0 - confidence
    lo = 0.0 if x == 0 else beta_quantile(alpha / 2.0, x, n - x + 1)
    hi = 1.0 if x == n else beta_quantile(1.0 - alpha / 2.0, x + 1, n - x)
    return Interval(lo, hi)


def spread(parts: Sequence[Part]) -> Spread:
    """``θ``, ``V = Σ a² fpc v / count``, Kish n and Satterthwaite df; singletons borrow the pooled variance."""
    live = [p for p in parts if p.share > 0]
    point = math.fsum(p.share * p.mean for p in live)
    pool_df = sum(p.df for p in live if p.unit_var is not None and p.df > 0)
    pooled = (math.fsum(p.df * p.unit_var for p in live if p.unit_var is not None and p.df > 0) / pool_df
              if pool_df else None)
    terms: list[float] = []
    df_terms: list[float] = []
    borrowed = 0.0
    singletons = 0
    for p in live:
        if p.unit_var is None or p.df == 0:
            singletons += 1
            v = pooled if pooled is not None else p.fallback_var
            term = p.share ** 2 * p.fpc * v / p.count
            if pooled is not None:
                borrowed += term
        else:
            term = p.share ** 2 * p.fpc * p.unit_var / p.count
            df_terms.append(term * term / p.df)
        terms.append(term)
    if borrowed > 0:
        df_terms.append(borrowed * borrowed / pool_df)
    var = math.fsum(terms)
    design = math.fsum(p.share ** 2 * p.fpc / p.count for p in live)
    n_kish = 1.0 / design if design > 0 else math.inf
    denominator = math.fsum(df_terms)
    df = max(1.0, var * var / denominator) if denominator > 0 else None
    warnings: list[str] = []
    if singletons:
        source = "the pooled within-stratum variance" if pooled is not None else "a bound variance"
        warnings.append(f"{singletons} stratum(s) with a single sample borrow {source}")
    return Spread(point, var, n_kish, df, singletons, tuple(warnings))


def effective_interval(s: Spread, *, binary: bool, confidence: float, conservative: bool = False
                       ) -> tuple[Interval, float, float | None, str]:
    """Wilson with ``n_eff = θ(1-θ)/V`` (Kish-capped for 0/1 or conservative), t crit for fractional."""
    theta = min(1.0, max(0.0, s.point))
    if s.var > 0 and 0.0 < theta < 1.0:
        n_eff = theta * (1.0 - theta) / s.var
    else:
        n_eff = s.n_kish
    if binary or conservative:
        n_eff = min(n_eff, s.n_kish)
    upper_q = 1.0 - (1.0 - confidence) / 2.0
    if binary or s.df is None:
        crit, df, method = normal_quantile(upper_q), None, "wilson-eff"
    else:
        crit, df, method = t_quantile(upper_q, s.df), s.df, "wilson-eff-t"
    if conservative:
        method += "-capped"
    return wilson(theta, n_eff, crit), n_eff, df, method
