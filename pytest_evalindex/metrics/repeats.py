"""Repeats (K answers per sample): per-sample means, unbiased pass@k, stability classes, variance parts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Stability = Literal["stable-correct", "flaky", "stable-wrong"]
STABILITY: tuple[Stability, ...] = ("stable-correct", "flaky", "stable-wrong")


def sample_mean(answers: Sequence[float | None]) -> float | None:
    """Mean of one sample's scored answers (None answers are excluded); None when none was scored."""
    scored = [float(a) for a in answers if a is not None]
    return math.fsum(scored) / len(scored) if scored else None


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chen et al.'s unbiased pass@k for ``c`` correct of ``n`` answers: ``1 - C(n-c, k) / C(n, k)``."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    # Stable product form of the ratio of binomial coefficients.
    return 1.0 - math.prod(1.0 - k / j for j in range(n - c + 1, n + 1))


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k, all ``k`` answers correct: ``C(c, k) / C(n, k)``."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    return math.comb(c, k) / math.comb(n, k)


def _correct(answers: Sequence[float | None], full_marks: float) -> tuple[int, int]:
    scored = [a for a in answers if a is not None]
    return len(scored), sum(1 for a in scored if a >= full_marks)


def pass_at_k_scores(answers: Sequence[float | None], *, max_k: int | None = None, full_marks: float = 1.0
                     ) -> dict[int, float]:
    """Per-sample pass@k for k = 1..min(max_k, scored answers); an answer counts correct at ``full_marks``."""
    n, c = _correct(answers, full_marks)
    top = n if max_k is None else min(max_k, n)
    return {k: pass_at_k(n, c, k) for k in range(1, top + 1)}


def stability(answers: Sequence[float | None], *, full_marks: float = 1.0) -> Stability | None:
    """stable-correct (every scored answer at full marks), stable-wrong (none), flaky (some); None if unscored."""
    n, c = _correct(answers, full_marks)
    if n == 0:
        return None
    return "stable-correct" if c == n else "stable-wrong" if c == 0 else "flaky"


def stability_counts(samples: Iterable[Sequence[float | None]], *, full_marks: float = 1.0) -> dict[Stability, int]:
    """How many samples fall in each stability class (unscored samples are not counted)."""
    counts = Counter(s for s in (stability(a, full_marks=full_marks) for a in samples) if s is not None)
    return {name: counts.get(name, 0) for name in STABILITY}


@dataclass(frozen=True)
class VarianceParts:
    """Miller's split of the per-sample-mean variance: ``between = Var(x) + within/K``.

    ``within`` estimates E[σ²] (answer noise), ``item`` Var(x) (difficulty spread); ``suggested_k`` is the
    smallest K with ``within / K <= 0.1 · item`` (None when item variance is not positive).
    """

    between: float
    within: float
    item: float
    repeats: float
    suggested_k: int | None


def variance_parts(samples: Sequence[Sequence[float | None]]) -> VarianceParts:
    """Variance components from samples answered K >= 2 times (samples with < 2 scored answers are skipped)."""
    means: list[float] = []
    within: list[float] = []
    counts: list[int] = []
    for answers in samples:
        scored = [float(a) for a in answers if a is not None]
        if len(scored) < 2:
            continue
        m = math.fsum(scored) / len(scored)
        means.append(m)
        within.append(math.fsum((a - m) ** 2 for a in scored) / (len(scored) - 1))
        counts.append(len(scored))
    if len(means) < 2:
        raise ValueError("need at least two samples with two or more scored answers")
    grand = math.fsum(means) / len(means)
    between = math.fsum((m - grand) ** 2 for m in means) / (len(means) - 1)
    sigma2 = math.fsum(within) / len(within)
    k_harmonic = len(counts) / math.fsum(1.0 / k for k in counts)
    item = between - sigma2 / k_harmonic
    suggested = math.ceil(sigma2 / (0.1 * item)) if item > 0 else None
    return VarianceParts(between, sigma2, item, k_harmonic, max(1, suggested) if suggested is not None else None)
