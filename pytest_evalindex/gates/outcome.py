"""GateOutcome: one gate's verdict, and the one spelling of numbers and limits in gate names and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GateOutcome:
    """The verdict of one gate: shown as one synthetic test result named :attr:`name`."""

    name: str
    passed: bool
    message: str
    details: list[str] = field(default_factory=list)
    value: float | None = None
    limit: float | None = None
    warnings: list[str] = field(default_factory=list)  # shown under the gate line (e.g. the margin is below the MDE)
    stats: dict[str, Any] = field(default_factory=dict)  # compared quantity, interval, MDE: recorded in the report

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form."""
        return {"name": self.name, "passed": self.passed, "message": self.message,
                "details": list(self.details), "value": self.value, "limit": self.limit,
                **({"warnings": list(self.warnings)} if self.warnings else {}), **self.stats}


def format_value(value: float | None, metric: str = "") -> str:
    """A number as the report prints it (``0.3556``, ``1.0``; counts as integers; ``None`` as ``-``)."""
    if value is None:
        return "-"
    if metric == "count":
        return str(int(value))
    return str(round(value, 4))


def limit_text(limit: float) -> str:
    """A gate limit as written in gate names (``0``, ``0.05``): one spelling on every path."""
    return format(limit, "g")


def baseline_gate_name(max_drop: float, alpha: float | None = None) -> str:
    """The regression gate's test name (``,alpha=A`` when a drop must also be significant)."""
    significance = "" if alpha is None else f",alpha={limit_text(alpha)}"
    return f"gate[baseline:max_drop<={limit_text(max_drop)}{significance}]"


def error_budget_gate_name(max_error_rate: float) -> str:
    """The error-budget gate's test name."""
    return f"gate[error_rate<={limit_text(max_error_rate)}]"
