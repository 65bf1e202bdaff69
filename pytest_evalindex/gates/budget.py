"""The error-budget gate: the share of samples that ended in an error."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.text import sanitize
from pytest_evalindex.gates.outcome import (
    GateOutcome,
    error_budget_gate_name,
    format_value,
    limit_text,
)


def evaluate_error_budget(results: Sequence[SampleResult], max_error_rate: float) -> GateOutcome:
    """Gate ``error_rate<=F``: the share of samples that ended in an error (never a wrong answer)."""
    if not 0.0 <= max_error_rate <= 1.0:
        raise ValueError(f"max error rate must be between 0 and 1, got {max_error_rate}")
    errors = [r for r in results if r.status == "error"]
    rate = len(errors) / len(results) if results else 0.0
    limit = limit_text(max_error_rate)
    message = f"{len(errors)} of {len(results)} samples errored (rate {format_value(rate)}), needs <= {limit}"
    details = [sanitize(f"{r.node_id}: {r.error or 'error'}") for r in errors[:5]]
    if len(errors) > 5:
        details.append(f"... and {len(errors) - 5} more errors")
    return GateOutcome(error_budget_gate_name(max_error_rate), rate <= max_error_rate, message, details,
                       rate, max_error_rate)
