"""Coverage simulation for the row intervals (statistics.md §4): coverage and mean width per scenario.

Each scenario draws a fixed finite population per leaf (Beta(μκ, (1-μ)κ) item difficulties), then
R times samples n_l items per leaf without replacement, scores them, and checks whether the row's 95%
interval (pytest_evalindex.metrics.intervals) covers the population truth. Beside it: a Wald interval
and an independent numpy/scipy re-implementation of the reference's effective-n Wilson (§6). Rules
(exit 1 otherwise): coverage >= 93%; above 97% a note says why and the width is no larger than the
reference's; opt-in modes are shown for contrast only. Ends with Wilson's exact coverage at small n
and the speed check: every row of a 100,000-sample collection.

    .venv/bin/python benchmarks/interval_coverage.py [--runs 2000] [--only S8]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import zlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interval_speed import speed_check

from pytest_evalindex.metrics.intervals import Average, StratumSummary, interval_of
from pytest_evalindex.metrics.repeats import pass_at_k

KAPPA = 2.0


@dataclass
class Design:
    """Leaves: population sizes, sample sizes, leaf weights and means."""

    N: list[int]
    n: list[int]
    W: list[float]
    mu: list[float]


DESIGNS: dict[str, Design] = {
    "S1": Design([5000] * 8, [50] * 8, [1.0] * 8, list(np.linspace(0.5, 0.9, 8))),
    "S2": Design([3000] * 10, [150, 100, 75, 50, 40, 30, 25, 15, 10, 5],
                 [.30, .20, .15, .10, .08, .06, .05, .03, .02, .01], [.85, .7, .6, .9, .4, .75, .8, .5, .95, .65]),
    "S3": Design([10000, 5000, 2000, 1000, 500, 300, 150, 80, 40, 30], [157, 78, 31, 16, 8, 5, 2, 1, 1, 1],
                 [1.0] * 10, [.6, .7, .8, .5, .9, .75, .65, .85, .55, .95]),
    "S4": Design([500] * 12, [1, 1, 2, 2, 3, 3, 5, 5, 10, 20, 40, 100], [1.0] * 12,
                 [.7, .8, .6, .9, .75, .85, .7, .8, .65, .75, .7, .8]),
    "S5": Design([2000] * 8, [20] * 8, [1.0] * 8, [.97, .98, .99, .995, .96, .99, .98, .97]),
    "S6": Design([2000] * 8, [20] * 8, [1.0] * 8, [.01, .02, .03, .005, .04, .01, .02, .03]),
    "S7": Design([20, 30, 40, 2000, 2000, 2000], [20, 30, 40, 50, 50, 50], [1.0] * 6, [.7, .6, .8, .75, .65, .85]),
    "S8": Design([3000] * 6, [10, 100, 100, 100, 100, 100], [.5, .1, .1, .1, .1, .1], [.8, .7, .6, .9, .75, .85]),
    "S9": Design([1000], [20], [1.0], [.9]),
    "S10": Design([1000], [10], [1.0], [.7]),
    "P164": Design([2000], [164], [1.0], [.5]),
    "M60": Design([3000, 300, 100], [0, 0, 0], [1.0] * 3, [.6, .8, .4]),  # one leaf, 3 pooled subsets
}


@dataclass
class Scenario:
    """A design, a score type and the average checked; ``note`` explains coverage above 97%."""

    name: str
    design: str
    score: str  # det | sto | frac | judge | rep4 | pass1 | pass5
    average: Average
    pooled_n: int = 0  # M-designs: n drawn from the pooled leaf
    fpc: bool = False
    note: str = ""
    conservative: bool = False  # opt-in: n_eff capped at the Kish n (the Bernoulli bound)
    exact: bool = False  # opt-in: Clopper-Pearson for 0/1 micro rows
    opt_in: bool = False  # an opt-in mode shown for contrast: exempt from the 93-97% rules
    results: dict[str, list[float]] = field(default_factory=dict)


SCENARIOS = [
    Scenario("S1 8x50 balanced, det", "S1", "det", "weighted"),
    Scenario("S1 8x50 balanced, stochastic", "S1", "sto", "weighted"),
    Scenario("S1 micro, det", "S1", "det", "micro"),
    Scenario("S2 weighted sampler, unequal W", "S2", "det", "weighted"),
    Scenario("S2 micro (single-pool Wilson)", "S2", "det", "micro"),
    Scenario("S3 stratified sampler, tiny strata", "S3", "det", "weighted",
             note="n=1 strata carry equal shares: pooled variance and Kish cap are conservative"),
    Scenario("S3 stochastic", "S3", "sto", "weighted", note="as S3 det"),
    Scenario("S3 macro", "S3", "det", "macro", note="as S3 det (macro = weighted here)"),
    Scenario("S4 tiny strata n=1,1,2,2,3,...", "S4", "det", "weighted",
             note="n=1..3 strata at equal share: pooled variance, Kish cap"),
    Scenario("S4 stochastic", "S4", "sto", "weighted", note="as S4 det"),
    Scenario("S5 near ceiling", "S5", "det", "weighted", note="strata at 20/20 have s2=0: the Kish cap"),
    Scenario("S6 near floor", "S6", "det", "weighted", note="strata at 0/20 have s2=0: the Kish cap"),
    Scenario("S7 census strata, FPC off", "S7", "det", "weighted",
             note="half the strata are censuses: no sampling error there without FPC"),
    Scenario("S7 census strata, FPC on (det)", "S7", "det", "weighted", fpc=True),
    Scenario("S7 census strata, stochastic, FPC off", "S7", "sto", "weighted",
             note="census strata carry only answer noise"),
    Scenario("S8 share .5 on an n=10 stratum", "S8", "det", "weighted",
             note="the n=10 stratum holds half the share: Kish cap (n_Kish = 37 of 510)"),
    Scenario("S8 stochastic", "S8", "sto", "weighted", note="as S8 det"),
    Scenario("S9 single leaf n=20, mu=.9", "S9", "det", "micro", note="Wilson at n=20 oscillates (95.7% at p=.9)"),
    Scenario("S10 single leaf n=10, mu=.7", "S10", "det", "micro", note="Wilson at n=10 oscillates above 95%"),
    Scenario("S10 exact (Clopper-Pearson, opt-in)", "S10", "det", "micro", exact=True, opt_in=True,
             note="exact: never below 95%, wider"),
    Scenario("S1 fractional", "S1", "frac", "weighted"),
    Scenario("S3 fractional", "S3", "frac", "weighted", note="as S3 det"),
    Scenario("S4 fractional", "S4", "frac", "weighted", note="as S4 det"),
    Scenario("S5 fractional", "S5", "frac", "weighted"),
    Scenario("S8 fractional", "S8", "frac", "weighted"),
    Scenario("S8 fractional, conservative (opt-in)", "S8", "frac", "weighted", conservative=True, opt_in=True,
             note="Bernoulli-bound cap, by design"),
    Scenario("S9 fractional", "S9", "frac", "micro"),
    Scenario("S9 fractional, conservative (opt-in)", "S9", "frac", "micro", conservative=True, opt_in=True,
             note="Bernoulli-bound cap, by design"),
    Scenario("S10 fractional", "S10", "frac", "micro"),
    Scenario("S1 judge", "S1", "judge", "weighted"),
    Scenario("S3 judge", "S3", "judge", "weighted", note="as S3 det"),
    Scenario("S4 judge", "S4", "judge", "weighted"),
    Scenario("S5 judge", "S5", "judge", "weighted"),
    Scenario("S8 judge", "S8", "judge", "weighted"),
    Scenario("S10 judge", "S10", "judge", "micro"),
    Scenario("S1 repeats K=4 (per-sample means)", "S1", "rep4", "weighted"),
    Scenario("S8 repeats K=4 (per-sample means)", "S8", "rep4", "weighted"),
    Scenario("S8 repeats K=4, conservative (opt-in)", "S8", "rep4", "weighted", conservative=True, opt_in=True,
             note="Bernoulli-bound cap, by design"),
    Scenario("pass@1 N=164 K=10", "P164", "pass1", "micro"),
    Scenario("pass@5 N=164 K=10", "P164", "pass5", "micro"),
    Scenario("macro, 3 pooled subsets (3000,300,100), n=60", "M60", "det", "macro", pooled_n=60,
             note="the 100-item subset draws ~2 samples: pooled variance, Kish cap"),
    Scenario("macro, 3 pooled subsets, n=200", "M60", "det", "macro", pooled_n=200,
             note="the n=100-item subset is sampled heavily: no FPC"),
]


def population(design: Design, rng: np.random.Generator, score: str) -> list[dict[str, np.ndarray]]:
    """Per leaf: item solve probabilities ``p`` and fixed values for the deterministic score types."""
    leaves = []
    for N, mu in zip(design.N, design.mu):
        p = rng.beta(mu * KAPPA, (1 - mu) * KAPPA, size=N)
        leaf = {"p": p, "det": (rng.random(N) < p).astype(float),
                "frac": rng.binomial(5, p) / 5.0,
                "judge": rng.beta(20 * mu, 20 * (1 - mu), size=N)}
        leaves.append(leaf)
    return leaves


def item_truth(leaf: dict[str, np.ndarray], score: str) -> np.ndarray:
    """The per-item value whose population mean is the estimand."""
    if score in ("det", "frac", "judge"):
        return leaf[score]
    if score in ("sto", "rep4", "pass1"):
        return leaf["p"]
    k = int(score[4:])
    return 1.0 - (1.0 - leaf["p"]) ** k


def draw_scores(leaf: dict[str, np.ndarray], idx: np.ndarray, score: str, rng: np.random.Generator) -> np.ndarray:
    """Scores of the drawn items for one run."""
    if score in ("det", "frac", "judge"):
        return np.asarray(leaf[score][idx], float)
    p = leaf["p"][idx]
    if score == "sto":
        return np.asarray(rng.random(len(idx)) < p, float)
    if score == "rep4":
        return np.asarray((rng.random((len(idx), 4)) < p[:, None]).mean(axis=1), float)
    k = int(score[4:])
    correct = (rng.random((len(idx), 10)) < p[:, None]).sum(axis=1)
    return np.array([pass_at_k(10, int(c), k) for c in correct])


def reference_interval(groups: list[np.ndarray], shares: np.ndarray, binary: bool, fpcs: np.ndarray,
                       level: float = 0.95, cap: bool = False) -> tuple[float, float]:
    """statistics.md §6 written afresh with numpy/scipy (Kish cap on 0/1 rows or ``cap``; t on Satterthwaite df)."""
    n = np.array([len(g) for g in groups], float)
    means = np.array([g.mean() for g in groups])
    theta = float(shares @ means)
    var = np.array([g.var(ddof=1) if len(g) > 1 else np.nan for g in groups])
    multi = n >= 2
    if multi.any():
        pooled = float(((n[multi] - 1) * var[multi]).sum() / (n[multi] - 1).sum())
    elif binary:
        pooled = np.nan
    else:
        pooled = 0.25
    for i in np.flatnonzero(~multi):
        if np.isnan(pooled):
            pt = (groups[i].sum() + 0.5) / (n[i] + 1)
            var[i] = pt * (1 - pt)
        else:
            var[i] = pooled
    terms = shares ** 2 * fpcs * var / n
    V = float(terms.sum())
    design = float((shares ** 2 * fpcs / n).sum())
    n_kish = 1 / design if design > 0 else math.inf
    n_eff = theta * (1 - theta) / V if V > 0 and 0 < theta < 1 else n_kish
    if binary or cap:
        n_eff = min(n_eff, n_kish)
    if binary:
        crit = stats.norm.ppf(1 - (1 - level) / 2)
    else:
        df_terms = terms[multi] ** 2 / (n[multi] - 1)
        borrowed = terms[~multi].sum() if multi.any() else 0.0
        den = float(df_terms.sum()) + (borrowed ** 2 / (n[multi] - 1).sum() if borrowed > 0 else 0.0)
        crit = stats.t.ppf(1 - (1 - level) / 2, max(1.0, V * V / den)) if den > 0 else stats.norm.ppf(0.975)
    if math.isinf(n_eff):
        return theta, theta
    z2 = crit * crit / n_eff
    centre = (theta + z2 / 2) / (1 + z2)
    half = crit * math.sqrt(theta * (1 - theta) / n_eff + z2 / (4 * n_eff)) / (1 + z2)
    return max(0.0, centre - half), min(1.0, centre + half)


def one_run(sc: Scenario, design: Design, pop: list[dict[str, np.ndarray]], rng: np.random.Generator
            ) -> tuple[float, tuple[float, float], tuple[float, float], tuple[float, float]]:
    """Truth, our interval, the reference's and Wald's for one simulated run."""
    groups: list[np.ndarray] = []
    truths: list[float] = []
    sizes: list[int] = []
    if sc.pooled_n:  # one leaf pooling subsets: the subsets are post-strata with random n_g
        total = sum(design.N)
        picked = rng.permutation(total)[: sc.pooled_n]
        edges = np.cumsum([0] + design.N)
        for g, leaf in enumerate(pop):
            idx = picked[(picked >= edges[g]) & (picked < edges[g + 1])] - edges[g]
            if len(idx):
                groups.append(draw_scores(leaf, idx, sc.score, rng))
                truths.append(float(item_truth(leaf, sc.score).mean()))
                sizes.append(design.N[g])
    else:
        for leaf, N, size in zip(pop, design.N, design.n):
            idx = rng.permutation(N)[:size]
            groups.append(draw_scores(leaf, idx, sc.score, rng))
            truths.append(float(item_truth(leaf, sc.score).mean()))
            sizes.append(N)
    n = np.array([len(g) for g in groups], float)
    if sc.average == "micro":
        shares = n / n.sum()
    elif sc.average == "macro" or sc.pooled_n:
        shares = np.full(len(groups), 1 / len(groups))
    else:
        W = np.array(design.W, float)
        shares = W / W.sum()
    truth = float(shares @ np.array(truths))
    weights = shares / n  # per-line weight W_l / n_l, as EvalScope's
    summaries = [StratumSummary.of(g, list(map(float, vals)), [float(weights[g])] * len(vals))
                 for g, vals in enumerate(groups)]
    pops: dict[Hashable, int] | None = {g: N for g, N in enumerate(sizes)} if sc.fpc else None
    row = interval_of(summaries, sc.average, population_sizes=pops, conservative=sc.conservative, exact=sc.exact)
    binary = row.binary
    fpcs = np.array([max(0.0, 1 - len(g) / N) if sc.fpc else 1.0 for g, N in zip(groups, sizes)])
    if sc.average == "micro":
        ref_groups, ref_shares, ref_fpcs = [np.concatenate(groups)], np.array([1.0]), np.array([1.0])
    else:
        ref_groups, ref_shares, ref_fpcs = groups, shares, fpcs
    ref = reference_interval(ref_groups, ref_shares, binary, ref_fpcs, cap=sc.conservative)
    allv = np.concatenate(groups)
    point = float(shares @ np.array([g.mean() for g in groups]))
    wald_var = float((shares ** 2 * fpcs * np.array([g.var(ddof=1) if len(g) > 1 else 0.0 for g in groups])
                      / n).sum()) if sc.average != "micro" else float(allv.var(ddof=1) / len(allv))
    half = 1.96 * math.sqrt(wald_var)
    return truth, (row.interval.lo, row.interval.hi), ref, (point - half, point + half)


def run(sc: Scenario, runs: int) -> dict[str, float]:
    """Coverage, miss sides and mean widths of one scenario."""
    design = DESIGNS[sc.design]
    # One population per design and score type (shared by its variants); runs seeded by scenario name.
    pop = population(design, np.random.default_rng(zlib.crc32(f"{sc.design}/{sc.score}".encode())), sc.score)
    rng = np.random.default_rng(zlib.crc32(sc.name.encode()))
    cov = ref_cov = wald_cov = low = high = 0
    width = ref_width = 0.0
    for _ in range(runs):
        truth, ours, ref, wald = one_run(sc, design, pop, rng)
        eps = 1e-12
        cov += ours[0] - eps <= truth <= ours[1] + eps
        low += ours[0] - eps > truth
        high += ours[1] + eps < truth
        ref_cov += ref[0] - eps <= truth <= ref[1] + eps
        wald_cov += wald[0] - eps <= truth <= wald[1] + eps
        width += ours[1] - ours[0]
        ref_width += ref[1] - ref[0]
    return {"cov": cov / runs, "lo_miss": low / runs, "hi_miss": high / runs, "width": width / runs,
            "ref_cov": ref_cov / runs, "ref_width": ref_width / runs, "wald_cov": wald_cov / runs}


def wilson_exact(n: int, p: float) -> float:
    """Exact coverage of our 95% Wilson micro interval for Binomial(n, p) (no simulation error)."""
    total = 0.0
    for x in range(n + 1):
        row = interval_of([StratumSummary.of("leaf", [1.0] * x + [0.0] * (n - x), [1.0] * n)], "micro")
        if row.interval.contains(p):
            total += float(stats.binom.pmf(x, n, p))
    return total


def wilson_table() -> None:
    """Wilson's coverage oscillation at small n, by exact enumeration over p in [0.5, 0.99]."""
    grid = np.round(np.arange(0.50, 0.991, 0.01), 2)
    print("\nexact Wilson (micro, 0/1) coverage over p in [0.50, 0.99]:")
    for n in (10, 20, 50, 100):
        cov = [wilson_exact(n, float(p)) for p in grid]
        print(f"  n={n:3}: min {min(cov):.1%} (p={grid[int(np.argmin(cov))]}), mean {np.mean(cov):.1%}, "
              f"p=.69 {wilson_exact(n, 0.69):.1%}, p=.70 {wilson_exact(n, 0.70):.1%}, p=.90 {wilson_exact(n, 0.9):.1%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--only", default="", help="run scenarios whose name contains this")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if args.only in s.name]
    print(f"{'scenario':48} {'avg':8} {'cover':>6} {'lo>t':>5} {'hi<t':>5} {'width':>6} "
          f"{'ref cov':>7} {'ref w':>6} {'w/ref':>5} {'wald':>5}  note")
    failures: list[str] = []
    start = time.perf_counter()
    for sc in chosen:
        r = run(sc, args.runs)
        flag = ""
        if sc.opt_in:
            pass
        elif r["cov"] < 0.93:
            failures.append(f"{sc.name}: coverage {r['cov']:.3f} < 0.93")
            flag = "LOW "
        if r["cov"] > 0.97 and r["width"] > r["ref_width"] + 1e-9 and not sc.opt_in:
            failures.append(f"{sc.name}: wider than the reference ({r['width']:.4f} > {r['ref_width']:.4f})")
        if r["cov"] > 0.97 and not sc.note and not sc.opt_in:
            failures.append(f"{sc.name}: coverage {r['cov']:.3f} > 0.97 without a note")
        print(f"{sc.name:48} {sc.average:8} {r['cov']:6.1%} {r['lo_miss']:5.1%} {r['hi_miss']:5.1%} "
              f"{r['width']:6.3f} {r['ref_cov']:7.1%} {r['ref_width']:6.3f} {r['width'] / r['ref_width']:5.2f} "
              f"{r['wald_cov']:5.1%}  "
              f"{flag}{sc.note if r['cov'] > 0.97 else ''}", flush=True)
    print(f"\n{len(chosen)} scenarios x {args.runs} runs in {time.perf_counter() - start:.0f} s")
    if not args.only:
        wilson_table()
    elapsed = speed_check() if not args.only else 0.0
    if elapsed > 1.0:
        failures.append(f"speed: {elapsed:.2f} s for 100,000 samples")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0



if __name__ == "__main__":
    raise SystemExit(main())
