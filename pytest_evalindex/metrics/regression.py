"""The regression gate's decision over many rows: Holm-adjusted one-sided p-values and the max-drop margin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pytest_evalindex.metrics.paired import PairedResult


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (valid under any dependence), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


@dataclass(frozen=True)
class RegressionVerdict:
    """One gated row: its drop (baseline minus candidate), one-sided p, Holm-adjusted p and the decision."""

    row: str
    drop: float
    p_drop: float
    p_adjusted: float
    exceeds_margin: bool
    significant: bool

    @property
    def fails(self) -> bool:
        """A regression: the drop is larger than the margin and significant after Holm."""
        return self.exceeds_margin and self.significant


def regression_gate(results: Mapping[str, PairedResult], *, max_drop: float, alpha: float = 0.05
                    ) -> list[RegressionVerdict]:
    """Verdicts for the gated rows: fail only on a drop > ``max_drop`` with Holm-adjusted ``p_drop <= alpha``.

    Holm runs over exactly the rows passed in, so pass only the pre-declared gated rows.
    """
    if max_drop < 0 or not 0.0 < alpha < 1.0:
        raise ValueError("need max_drop >= 0 and alpha in (0, 1)")
    names = list(results)
    adjusted = holm([results[name].p_drop for name in names])
    return [RegressionVerdict(name, -results[name].diff, results[name].p_drop, p_adj,
                              -results[name].diff > max_drop, p_adj <= alpha)
            for name, p_adj in zip(names, adjusted)]
