"""Chart geometry for the HTML report's inline SVG (the template draws it, escaping every label): bars with
interval whiskers for a level's rows, columns for a latency histogram. No script and no library."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BAR_HEIGHT = 18
LABEL_WIDTH = 240
PLOT_WIDTH = 380
MAX_BARS = 40


def bars(rows: Sequence[dict[str, Any]], metric: str) -> dict[str, Any] | None:
    """A horizontal bar per row (value in [0, 1]) with its interval as a whisker; ``None`` without values."""
    drawn = [r for r in rows if isinstance(r.get(metric), (int, float))][:MAX_BARS]
    if not drawn:
        return None
    items = []
    for position, row in enumerate(drawn):
        value = _clamp(float(row[metric]))
        interval = row.get(f"ci_{metric}")
        whisker = None
        if interval:
            low, high = _clamp(interval[0]), _clamp(interval[1])
            whisker = {"x1": _x(low), "x2": _x(high), "low": low, "high": high}
        y = position * (BAR_HEIGHT + 4) + 4
        items.append({"label": str(row.get("name", "")), "value": value, "width": _x(value) - LABEL_WIDTH,
                      "y": y, "mid": y + BAR_HEIGHT / 2, "whisker": whisker})
    return {"bars": items, "height": len(items) * (BAR_HEIGHT + 4) + 24, "x0": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT, "plot_width": PLOT_WIDTH, "width": LABEL_WIDTH + PLOT_WIDTH + 70,
            "ticks": [{"x": _x(t / 4), "label": f"{t / 4:g}"} for t in range(5)],
            "more": max(0, sum(1 for r in rows if isinstance(r.get(metric), (int, float))) - MAX_BARS)}


def histogram(counts: Sequence[int], low: float | None, high: float | None) -> dict[str, Any] | None:
    """Columns for a histogram of ``counts`` over [low, high]."""
    if not counts or low is None or high is None or max(counts) == 0:
        return None
    width, height = 600, 120
    step = width / len(counts)
    top = max(counts)
    columns = [{"x": i * step, "width": max(step - 1, 1), "height": c / top * height, "y": height - c / top * height,
                "count": c} for i, c in enumerate(counts)]
    return {"columns": columns, "width": width, "height": height, "low": low, "high": high}


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _x(value: float) -> float:
    return round(LABEL_WIDTH + value * PLOT_WIDTH, 1)
