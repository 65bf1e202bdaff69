"""What each report row cost, at the prices per million tokens the run was given."""

from __future__ import annotations

from pytest_evalindex.metrics.aggregate import Report


def attach_costs(report: Report, price_input: float, price_output: float) -> None:
    """Set every row's ``cost`` (USD, rounded to micro-dollars) from its tokens; nothing when no price is given."""
    if not (price_input or price_output):
        return
    for rows in report.levels.values():
        for row in rows:
            row.cost = round((row.input_tokens * price_input + row.output_tokens * price_output) / 1_000_000, 6)
