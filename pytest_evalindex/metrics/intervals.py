"""Confidence intervals for report rows: Wilson for 0/1 micro rows, effective-n Wilson for stratified rows.

A row's samples are given as ``(score, weight, stratum)``; the stratum is the sample's leaf, i.e. its
``(dataset_name, subset_name)`` pair (aggregate's macro child key). The point estimates are the ones
``metrics.aggregate`` reports, unrounded:

* ``micro`` = mean of the scores: Wilson on (successes, n) for 0/1 scores, else the effective-n form
  over one pool;
* ``weighted`` = Σw·y / Σw (micro when Σw == 0): a stratified estimator with stratum shares
  ``a_g = W_g / ΣW``;
* ``macro`` = mean over strata of their means: ``a_g = 1 / G``.

Stratified rows use Wilson with ``n_eff = θ(1-θ) / V`` where ``V = Σ a_g² (1-f_g) v_g / n_g``, capped at
the Kish n for 0/1 rows (and in ``conservative`` mode), with a Student-t critical value on Satterthwaite
df for fractional scores. A stratum of one sample borrows the pooled within-stratum variance (warned);
on fractional rows every stratum's variance also borrows ``DISPERSION_PRIOR`` pseudo-df from the row's
pooled dispersion, which keeps a small stratum of skewed scores from looking precise.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from pytest_evalindex.metrics.distributions import normal_quantile
from pytest_evalindex.metrics.stratified import (
    Interval,
    Part,
    clopper_pearson,
    effective_interval,
    spread,
    wilson,
)

__all__ = ["AVERAGES", "DISPERSION_PRIOR", "Average", "Interval", "RowInterval", "RowIntervals", "Sample",
           "StratumSummary", "clopper_pearson", "interval_of", "merge_strata", "row_interval", "row_intervals", "summarize", "wilson"]

Average = Literal["micro", "macro", "weighted"]
AVERAGES: tuple[Average, ...] = ("micro", "macro", "weighted")
Sample = tuple[float, float, Hashable]  # (score in [0, 1], weight >= 0, stratum key)

_FRACTIONAL_FALLBACK_VAR = 0.25  # Var(y) <= 1/4 for any y in [0, 1]
DISPERSION_PRIOR = 3.0  # pseudo-df of the pooled-dispersion variance in a fractional stratum's variance


@dataclass(frozen=True)
class StratumSummary:
    """Power sums of one stratum's samples within one row: all the interval code needs, and mergeable.

    ``total`` = Σy, ``sumsq`` = Σy², ``weight`` = Σw, ``wsum`` = Σwy, ``w2`` = Σw², ``w2y`` = Σw²y,
    ``w2y2`` = Σw²y²; ``lo``/``hi`` the extreme scores; ``nonbinary`` how many scores are not 0 or 1.
    Summaries of disjoint parts of a stratum :meth:`merge` into the stratum's summary, so a caller can
    summarize each (leaf, tags, category) cell once and build every row from its cells.
    """

    key: Hashable
    n: int
    total: float
    sumsq: float
    weight: float
    wsum: float
    w2: float
    w2y: float
    w2y2: float
    weighted_n: int
    lo: float
    hi: float
    nonbinary: int

    @classmethod
    def of(cls, key: Hashable, scores: Sequence[float], weights: Sequence[float]) -> StratumSummary:
        """Summarize one stratum's scores in [0, 1] and weights >= 0 (C-speed passes, exact sums)."""
        n = len(scores)
        if n == 0 or len(weights) != n:
            raise ValueError("a stratum needs as many weights as scores, and at least one sample")
        lo, hi = min(scores), max(scores)
        if not (0.0 <= lo and hi <= 1.0):
            raise ValueError(f"scores must lie in [0, 1], got {lo if lo < 0 else hi}")
        if not (min(weights) >= 0.0 and math.isfinite(max(weights))):
            raise ValueError("weights must be finite and >= 0")
        wy = list(map(operator.mul, weights, scores))
        return cls(key, n, math.fsum(scores), math.fsum(map(operator.mul, scores, scores)), math.fsum(weights),
                   math.fsum(wy), math.fsum(map(operator.mul, weights, weights)),
                   math.fsum(map(operator.mul, wy, weights)), math.fsum(map(operator.mul, wy, wy)),
                   n - weights.count(0.0), float(lo), float(hi),
                   n - scores.count(0.0) - scores.count(1.0))

    def merge(self, other: StratumSummary) -> StratumSummary:
        """The summary of both parts (keeps this one's key)."""
        return StratumSummary(
            self.key, self.n + other.n, self.total + other.total, self.sumsq + other.sumsq,
            self.weight + other.weight, self.wsum + other.wsum, self.w2 + other.w2, self.w2y + other.w2y,
            self.w2y2 + other.w2y2, self.weighted_n + other.weighted_n, min(self.lo, other.lo),
            max(self.hi, other.hi), self.nonbinary + other.nonbinary)

    @property
    def mean(self) -> float:
        """Unweighted mean (the stratum's micro)."""
        return self.total / self.n

    @property
    def ss(self) -> float:
        """Σ(y - mean)²."""
        if self.lo == self.hi:
            return 0.0
        return max(0.0, self.sumsq - self.total * self.total / self.n)

    @property
    def wmean(self) -> float:
        """Σwy / Σw (the mean when Σw == 0)."""
        return self.wsum / self.weight if self.weight > 0 else self.mean

    @property
    def wss(self) -> float:
        """Σ(w/W)²(y - wmean)², the weighted mean's variance scale."""
        if self.lo == self.hi or self.weight <= 0:
            return 0.0
        m = self.wmean
        return max(0.0, (self.w2y2 - 2.0 * m * self.w2y + m * m * self.w2) / (self.weight * self.weight))

    @property
    def kish(self) -> float:
        """Kish effective count W²/Σw² (0 when Σw == 0)."""
        return self.weight * self.weight / self.w2 if self.weight > 0 else 0.0

    @property
    def binary(self) -> bool:
        """Whether every score is 0 or 1."""
        return self.nonbinary == 0


def merge_strata(parts: Iterable[StratumSummary]) -> list[StratumSummary]:
    """Merge summaries sharing a key (first-seen order): a row's strata from its cells' summaries."""
    merged: dict[Hashable, StratumSummary] = {}
    for part in parts:
        have = merged.get(part.key)
        merged[part.key] = part if have is None else have.merge(part)
    return list(merged.values())


@dataclass(frozen=True)
class RowInterval:
    """One row's point estimate with its interval and the pieces that explain it.

    ``n_eff`` is the effective sample size the Wilson interval used; ``n_kish`` the design-only one;
    ``se`` = sqrt(V); ``df`` the t degrees of freedom (None: normal critical value).
    """

    average: Average
    point: float
    interval: Interval
    confidence: float
    n: int
    n_eff: float
    n_kish: float
    se: float
    df: float | None
    method: str
    strata: int
    singletons: int
    binary: bool
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowIntervals:
    """The three averages of one row."""

    micro: RowInterval
    macro: RowInterval
    weighted: RowInterval

    def get(self, average: Average) -> RowInterval:
        """The interval of ``average``."""
        return {"micro": self.micro, "macro": self.macro, "weighted": self.weighted}[average]

    def ci(self) -> dict[str, list[float]]:
        """The report's ``"ci"`` entry: ``{"micro": [lo, hi], "macro": [lo, hi], "weighted": [lo, hi]}``."""
        return {avg: [self.get(avg).interval.lo, self.get(avg).interval.hi] for avg in AVERAGES}


def summarize(samples: Iterable[Sample]) -> list[StratumSummary]:
    """Group ``(score, weight, stratum)`` samples by stratum (first-seen order) and summarize each."""
    groups: dict[Hashable, tuple[list[float], list[float]]] = {}
    for score, weight, key in samples:
        group = groups.get(key)
        if group is None:
            group = groups[key] = ([], [])
        group[0].append(score)
        group[1].append(weight)
    return [StratumSummary.of(key, s, w) for key, (s, w) in groups.items()]


def row_interval(samples: Iterable[Sample], average: Average, *, confidence: float = 0.95,
                 binary: bool | None = None, conservative: bool = False, exact: bool = False,
                 population_sizes: Mapping[Any, int] | None = None) -> RowInterval:
    """The interval of one average of one row (see :func:`interval_of`)."""
    return interval_of(summarize(samples), average, confidence=confidence, binary=binary,
                       conservative=conservative, exact=exact, population_sizes=population_sizes)


def row_intervals(samples: Iterable[Sample], *, confidence: float = 0.95, binary: bool | None = None,
                  conservative: bool = False, exact: bool = False,
                  population_sizes: Mapping[Any, int] | None = None) -> RowIntervals:
    """Intervals for micro, macro and weighted of one row, summarizing its samples once."""
    strata = summarize(samples)
    made = {avg: interval_of(strata, avg, confidence=confidence, binary=binary, conservative=conservative,
                             exact=exact, population_sizes=population_sizes) for avg in AVERAGES}
    return RowIntervals(made["micro"], made["macro"], made["weighted"])


def interval_of(strata: Sequence[StratumSummary], average: Average, *, confidence: float = 0.95,
                binary: bool | None = None, conservative: bool = False, exact: bool = False,
                population_sizes: Mapping[Any, int] | None = None) -> RowInterval:
    """Interval for ``average`` over a row's stratum summaries.

    ``binary``: treat scores as 0/1 (default: detected). ``conservative``: cap n_eff at the Kish n for
    fractional rows too. ``exact``: Clopper–Pearson instead of Wilson for 0/1 micro rows.
    ``population_sizes``: stratum sizes N_g turning on the finite-population correction on stratified
    rows (valid only for reproducible scoring); off by default.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if not strata:
        raise ValueError("a row needs at least one sample")
    is_binary = all(s.binary for s in strata) if binary is None else binary
    if average == "weighted" and math.fsum(s.weight for s in strata) == 0.0:
        average_used: Average = "micro"  # aggregate falls back to micro when the weights sum to 0
    else:
        average_used = average
    if average_used == "micro":
        row = _micro(strata, is_binary, confidence, conservative, exact)
    else:
        row = _stratified(strata, average_used, is_binary, confidence, conservative, population_sizes)
    if average_used != average:
        return replace(row, average=average, warnings=row.warnings + ("weights sum to 0: the micro interval",))
    return row


def _micro(strata: Sequence[StratumSummary], binary: bool, confidence: float, conservative: bool,
           exact: bool) -> RowInterval:
    n = sum(s.n for s in strata)
    total = math.fsum(s.total for s in strata)
    mean = total / n
    crit = normal_quantile(1.0 - (1.0 - confidence) / 2.0)
    if binary:
        x = round(total)
        interval = clopper_pearson(x, n, confidence) if exact else wilson(mean, n, crit)
        return RowInterval("micro", mean, interval, confidence, n, float(n), float(n),
                           math.sqrt(mean * (1.0 - mean) / n), None, "clopper-pearson" if exact else "wilson",
                           len(strata), 0, True)
    ss = math.fsum(s.ss + s.n * (s.mean - mean) ** 2 for s in strata)
    unit = ss / (n - 1) if n > 1 else None
    part = Part("all", 1.0, mean, unit, float(n), n - 1, n, _FRACTIONAL_FALLBACK_VAR)
    return _finish("micro", [part], n, binary, confidence, conservative)


def _stratified(strata: Sequence[StratumSummary], average: Average, binary: bool, confidence: float,
                conservative: bool, population_sizes: Mapping[Any, int] | None) -> RowInterval:
    n = sum(s.n for s in strata)
    equal_weights = average == "macro" or abs(strata[0].kish - strata[0].n) <= 1e-9 * strata[0].n
    if len(strata) == 1 and binary and equal_weights and not population_sizes:
        # One stratum of equally weighted 0/1 scores: exactly the micro row (plain Wilson on x, n).
        return replace(_micro(strata, True, confidence, conservative, False), average=average)
    parts: list[Part] = []
    total_weight = math.fsum(s.weight for s in strata)
    dispersion = None if binary else _pooled_dispersion(strata, average)
    for s in strata:
        fpc = 1.0
        if population_sizes is not None and s.key in population_sizes:
            fpc = max(0.0, 1.0 - s.n / population_sizes[s.key])
        if average == "macro":
            unit = s.ss / (s.n - 1) if s.n > 1 else None
            if unit is not None and dispersion is not None:
                unit = _borrow_dispersion(unit, s.n - 1, dispersion, s.total, float(s.n))
            parts.append(Part(s.key, 1.0 / len(strata), s.mean, unit, float(s.n), s.n - 1, s.n,
                              _fallback(s, binary), fpc))
        elif s.weight > 0:
            m = s.weighted_n
            unit = s.wss * m / (m - 1) * s.kish if m > 1 else None
            if unit is not None and dispersion is not None:
                unit = _borrow_dispersion(unit, m - 1, dispersion, s.wmean * s.kish, s.kish)
            parts.append(Part(s.key, s.weight / total_weight, s.wmean, unit, s.kish, m - 1, s.n,
                              _fallback(s, binary), fpc))
    return _finish(average, parts, n, binary, confidence, conservative)


def _finish(average: Average, parts: Sequence[Part], n: int, binary: bool, confidence: float,
            conservative: bool) -> RowInterval:
    s = spread(parts)
    interval, n_eff, df, method = effective_interval(s, binary=binary, confidence=confidence,
                                                     conservative=conservative)
    warnings = list(s.warnings)
    if average != "micro":
        if s.n_kish < 0.5 * n:
            warnings.append(f"effective n {s.n_kish:.1f} is under half of the {n} samples (unequal shares)")
        for p in parts:
            if p.share >= 0.2 and p.samples < 30 and len(parts) > 1:
                warnings.append(f"stratum {_label(p.key)} carries share {p.share:.2f} with {p.samples} sample(s)")
    return RowInterval(average, s.point, interval, confidence, n, n_eff, s.n_kish, math.sqrt(s.var), df,
                       method, len(parts), s.singletons, binary, tuple(warnings))


def _pooled_dispersion(strata: Sequence[StratumSummary], average: Average) -> float | None:
    """The row's pooled ratio of within-stratum variance to the Bernoulli bound m(1-m), from two or more
    strata of two or more samples (a single stratum has nothing to borrow from)."""
    num = den = 0.0
    sources = 0
    for s in strata:
        if average == "macro" and s.n > 1:
            num += s.ss
            den += (s.n - 1) * s.mean * (1.0 - s.mean)
            sources += 1
        elif average == "weighted" and s.weighted_n > 1 and s.weight > 0:
            m = s.weighted_n
            num += s.wss * m * s.kish
            den += (m - 1) * s.wmean * (1.0 - s.wmean)
            sources += 1
    return num / den if den > 0 and sources >= 2 else None


def _borrow_dispersion(var: float, df: int, dispersion: float, total: float, count: float) -> float:
    """A fractional stratum's variance shrunk toward the row's pooled dispersion at its own mean.

    A small stratum of skewed [0, 1] scores that misses its rare low (or high) scores shows a variance
    that is too small exactly when its mean is off; DISPERSION_PRIOR pseudo-df of the variance its mean
    predicts under the row's pooled dispersion temper that, as singletons borrow the pooled variance.
    """
    m = (total + 0.5) / (count + 1.0)
    return (df * var + DISPERSION_PRIOR * dispersion * m * (1.0 - m)) / (df + DISPERSION_PRIOR)


def _fallback(s: StratumSummary, binary: bool) -> float:
    if not binary:
        return _FRACTIONAL_FALLBACK_VAR
    p = (s.total + 0.5) / (s.n + 1.0)
    return p * (1.0 - p)


def _label(key: Hashable) -> str:
    return "/".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
