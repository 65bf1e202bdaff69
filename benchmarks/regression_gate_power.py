"""False-alarm rate and power of the paired regression gate (statistics.md §3f, §4.1 step 6).

Two models share each item's latent difficulty ``d ~ N(0, 1.5²)``; model M solves an item iff
``c_M - d + e > 0`` with ``e ~ N(0, 1)``, ``c_M = Φ⁻¹(μ_M)·sqrt(1 + 1.5²)`` so its mean accuracy is μ_M.
Items are drawn afresh every run. The gate (pytest_evalindex.metrics.regression) fails a row only on a
drop larger than ``--eval-max-drop`` that is significant at α = 0.05 after Holm over the gated rows.
Printed beside it: the legacy point-estimate gate (fail on any drop > max-drop).

    .venv/bin/python benchmarks/regression_gate_power.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_evalindex.metrics.paired import PairedResult, paired_compare
from pytest_evalindex.metrics.regression import regression_gate

SPREAD = 1.5


@dataclass
class Collection:
    """Leaves (n, weight, baseline accuracy) and the rows the gate covers."""

    name: str
    n: list[int]
    W: list[float]
    mu: list[float]
    gated: dict[str, list[int]]  # row name -> leaves in it (the index is all leaves)


COLLECTIONS = [
    Collection("1 leaf, n=400 (micro, exact McNemar)", [400], [1.0], [0.70], {"index": [0]}),
    Collection("8 leaves x 50, unequal W, index only (weighted, sign-flip)", [50] * 8,
               [.3, .2, .15, .1, .1, .05, .05, .05], [.85, .7, .6, .9, .4, .75, .8, .5], {"index": list(range(8))}),
    Collection("8 leaves x 50, unequal W, index + 4 groups (Holm over 5)", [50] * 8,
               [.3, .2, .15, .1, .1, .05, .05, .05], [.85, .7, .6, .9, .4, .75, .8, .5],
               {"index": list(range(8)), "g1": [0, 1], "g2": [2, 3], "g3": [4, 5], "g4": [6, 7]}),
]


def threshold(mu: float) -> float:
    """c_M giving mean accuracy mu."""
    return float(stats.norm.ppf(mu)) * math.sqrt(1 + SPREAD ** 2)


def one_run(col: Collection, drop: float, rng: np.random.Generator, resamples: int) -> dict[str, PairedResult]:
    """Paired results of every gated row for one fresh draw of items."""
    base: list[float] = []
    cand: list[float] = []
    weights: list[float] = []
    leaves: list[int] = []
    for leaf, (n, w, mu) in enumerate(zip(col.n, col.W, col.mu)):
        d = rng.normal(0, SPREAD, n)
        base += (threshold(mu) - d + rng.normal(0, 1, n) > 0).astype(float).tolist()
        cand += (threshold(mu - drop) - d + rng.normal(0, 1, n) > 0).astype(float).tolist()
        weights += [w / n] * n
        leaves += [leaf] * n
    results = {}
    for row, members in col.gated.items():
        keep = [i for i, leaf in enumerate(leaves) if leaf in members]
        results[row] = paired_compare([cand[i] for i in keep], [base[i] for i in keep], [weights[i] for i in keep],
                                      [leaves[i] for i in keep], average="weighted", seed=0, resamples=resamples)
    return results


def simulate(col: Collection, drop: float, runs: int, max_drops: tuple[float, ...], resamples: int
             ) -> dict[str, float]:
    """Share of runs in which any gated row fails, per max-drop, for the paired and the legacy gate."""
    rng = np.random.default_rng(zlib.crc32(f"{col.name}/{drop}".encode()))
    fired = {m: 0 for m in max_drops}
    legacy = {m: 0 for m in max_drops}
    for _ in range(runs):
        results = one_run(col, drop, rng, resamples)
        for m in max_drops:
            fired[m] += any(v.fails for v in regression_gate(results, max_drop=m, alpha=0.05))
            legacy[m] += any(-r.diff > m for r in results.values())
    out = {f"gate@{m}": fired[m] / runs for m in max_drops}
    out.update({f"legacy@{m}": legacy[m] / runs for m in max_drops})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--resamples", type=int, default=2000, help="sign-flip resamples per test")
    args = parser.parse_args(argv)
    max_drops = (0.0, 0.02)
    failures = []
    start = time.perf_counter()
    print(f"{'collection':60} {'true drop':>9} " + " ".join(f"{'gate md=' + str(m):>12}" for m in max_drops)
          + " " + " ".join(f"{'legacy md=' + str(m):>13}" for m in max_drops))
    for col in COLLECTIONS:
        runs = args.runs if len(col.n) == 1 else max(args.runs // 2, 1)
        for drop in (0.0, 0.05):
            r = simulate(col, drop, runs, max_drops, args.resamples)
            label = "false alarm" if drop == 0 else "power"
            se = math.sqrt(max(r["gate@0.0"] * (1 - r["gate@0.0"]), 1e-12) / runs)
            print(f"{col.name:60} {drop:9.2f} " + " ".join(f"{r[f'gate@{m}']:12.2%}" for m in max_drops) + " "
                  + " ".join(f"{r[f'legacy@{m}']:13.1%}" for m in max_drops)
                  + f"   ({label}, {runs} runs, MC SE {se:.2%})", flush=True)
            if drop == 0 and r["gate@0.0"] > 0.05:
                failures.append(f"{col.name}: false-alarm rate {r['gate@0.0']:.1%} > 5%")
            if drop > 0 and col.name.startswith("1 leaf") and r["gate@0.02"] <= 0.5:
                failures.append(f"{col.name}: power {r['gate@0.02']:.1%} at a 5-point drop is not a majority")
    print(f"\n{time.perf_counter() - start:.0f} s")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
