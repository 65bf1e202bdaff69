"""Power for gates: the minimum detectable effect at 80% power and the 'margin below MDE' warning."""

from __future__ import annotations

import math

from pytest_evalindex.metrics.distributions import normal_quantile
from pytest_evalindex.metrics.intervals import RowInterval


def mde(se: float, *, alpha: float = 0.05, power: float = 0.8, two_sided: bool = True) -> float:
    """Minimum detectable effect ``(z_{1-α/2} + z_power) · se`` (Miller 2024, Eq. 10); 2.80·se by default."""
    if se < 0 or not 0.0 < alpha < 1.0 or not 0.0 < power < 1.0:
        raise ValueError("need se >= 0, alpha and power in (0, 1)")
    tail = alpha / 2.0 if two_sided else alpha
    return (normal_quantile(1.0 - tail) + normal_quantile(power)) * se


def row_se(row: RowInterval, at: float | None = None) -> float:
    """The row's standard error, or the one it would have if its value were ``at``.

    Uses the binomial shape on the row's effective n, ``sqrt(p(1-p)/n_eff)``, which equals ``row.se``
    at the row's own value whenever ``n_eff = θ(1-θ)/V``.
    """
    p = row.point if at is None else at
    if at is None and not row.binary and row.se > 0:
        return row.se
    if math.isinf(row.n_eff):
        return 0.0
    if row.n_eff <= 0:
        return math.inf
    return math.sqrt(max(p * (1.0 - p), 0.0) / row.n_eff)


def row_mde(row: RowInterval, *, threshold: float | None = None, power: float = 0.8) -> float:
    """MDE of a gated row at its confidence level, with the SE taken at ``threshold`` when given.

    A gate on a bound at confidence c is a one-sided test at (1 - c)/2, i.e. two-sided at 1 - c.
    """
    return mde(row_se(row, threshold), alpha=1.0 - row.confidence, power=power)


def samples_needed(effect: float, p: float, *, alpha: float = 0.05, power: float = 0.8,
                   design_effect: float = 1.0) -> int:
    """Samples needed to detect ``effect`` around ``p`` (Miller Eq. 9 with a binomial variance)."""
    if effect <= 0:
        raise ValueError("effect must be > 0")
    z = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power)
    return math.ceil(z * z * p * (1.0 - p) * design_effect / (effect * effect))


def margin_warning(row: RowInterval, threshold: float, *, power: float = 0.8) -> str | None:
    """A warning when the row's margin to ``threshold`` is below its MDE, else None."""
    effect = row_mde(row, threshold=threshold, power=power)
    margin = abs(row.point - threshold)
    if margin >= effect:
        return None
    return (f"this gate cannot tell {threshold:.2f} from {row.point:.2f} with {row.n} sample{'' if row.n == 1 else 's'}: the margin "
            f"{margin:.3f} is below the minimum detectable effect {effect:.3f} at {power:.0%} power")
