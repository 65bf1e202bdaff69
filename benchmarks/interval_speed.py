"""Speed check for the row intervals: every row of a 100,000-sample collection, micro/macro/weighted.

    .venv/bin/python benchmarks/interval_speed.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_evalindex.metrics.intervals import AVERAGES, StratumSummary, interval_of, merge_strata, row_intervals


def speed_check(n: int = 100_000) -> float:
    """Seconds to compute micro/macro/weighted intervals for every row of an n-sample collection.

    Two ways: each row summarized from its own samples, and each (leaf, tag, task, group) cell
    summarized once with rows merged from their cells (``merge_strata``). Returns the faster.
    """
    rng = np.random.default_rng(12)
    ds = rng.integers(0, 40, n).tolist()
    sub = rng.integers(0, 5, n).tolist()
    scores = (rng.random(n) < 0.7).astype(float).tolist()
    weights = (rng.random(n) + 0.5).tolist()
    tags = rng.integers(0, 6, n).tolist()

    def row_keys(i: int) -> tuple[tuple[str, ...], ...]:
        return (("subset", f"d{ds[i]}", f"s{sub[i]}"), ("dataset", f"d{ds[i]}"), ("task", f"t{ds[i] % 4}"),
                ("tag", f"tag{tags[i]}"), ("category", "index"), ("category", "index", f"g{ds[i] % 8}"))

    start = time.perf_counter()
    rows: dict[tuple[str, ...], list[tuple[float, float, tuple[str, str]]]] = {}
    for i in range(n):
        sample = (scores[i], weights[i], (f"d{ds[i]}", f"s{sub[i]}"))
        for key in row_keys(i):
            rows.setdefault(key, []).append(sample)
    for samples in rows.values():
        row_intervals(samples)
    per_row = time.perf_counter() - start

    start = time.perf_counter()
    cells: dict[tuple[int, int, int], tuple[list[float], list[float]]] = {}
    for i in range(n):  # a cell = one leaf x one combination of row memberships
        cell = cells.get((ds[i], sub[i], tags[i]))
        if cell is None:
            cell = cells[(ds[i], sub[i], tags[i])] = ([], [])
        cell[0].append(scores[i])
        cell[1].append(weights[i])
    by_row: dict[tuple[str, ...], list[StratumSummary]] = {}
    for (d, s, t), (ys, ws) in cells.items():
        summary = StratumSummary.of((f"d{d}", f"s{s}"), ys, ws)
        for key in (("subset", f"d{d}", f"s{s}"), ("dataset", f"d{d}"), ("task", f"t{d % 4}"), ("tag", f"tag{t}"),
                    ("category", "index"), ("category", "index", f"g{d % 8}")):
            by_row.setdefault(key, []).append(summary)
    for parts in by_row.values():
        strata = merge_strata(parts)
        for avg in AVERAGES:
            interval_of(strata, avg)
    per_cell = time.perf_counter() - start
    print(f"\nspeed, {len(rows)} rows x 3 averages over {n:,} samples "
          f"({sum(map(len, rows.values())):,} row memberships): each row from its samples {per_row:.3f} s; "
          f"rows merged from {len(cells)} cell summaries {per_cell:.3f} s (both include grouping)")
    return min(per_row, per_cell)


if __name__ == "__main__":
    raise SystemExit(0 if speed_check() < 1.0 else 1)
