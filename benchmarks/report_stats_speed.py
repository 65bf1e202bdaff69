"""Run-time cost of the statistics on a whole report: every row's intervals, and the paired baseline comparison.

Synthetic results (40 datasets x 5 subsets, 6 tags, 8 category groups, unequal leaf weights, 0/1 scores);
the baseline differs from the candidate on 5% of the samples.

    .venv/bin/python benchmarks/report_stats_speed.py            # N = 10,000 and 100,000
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.metrics.paired_rows import paired_rows
from pytest_evalindex.metrics.row_ci import attach_intervals


def results(n: int, seed: int = 7) -> list[SampleResult]:
    rng = random.Random(seed)
    leaf_weight = {d: rng.uniform(0.5, 2.0) for d in range(40)}
    out = []
    for i in range(n):
        d, s = rng.randrange(40), rng.randrange(5)
        score = float(rng.random() < 0.7)
        out.append(SampleResult(
            node_id=f"suite.jsonl::d{d}/s{s}/{i}", ordinal=i, file="suite.jsonl", line=i + 1, index=i,
            dataset_name=f"d{d}", subset_name=f"s{s}", task_type=f"t{d % 4}", tags=[f"tag{rng.randrange(6)}"],
            categories=["index", f"g{d % 8}"], weight=leaf_weight[d] / n, sample_hash=f"{i:016x}",
            status="correct" if score else "incorrect", score=score))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, nargs="*", default=[10_000, 100_000])
    for n in parser.parse_args().N:
        now = results(n)
        rng = random.Random(1)
        then = [dataclasses.replace(r, score=1.0 - (r.score or 0.0)) if rng.random() < 0.05 else r for r in now]
        start = time.perf_counter()
        report = aggregate(now)
        aggregated = time.perf_counter() - start
        start = time.perf_counter()
        attach_intervals(report, now, confidence=0.95)
        intervals = time.perf_counter() - start
        rows = sum(len(level) for level in report.levels.values())
        start = time.perf_counter()
        paired = paired_rows(now, then, compat=False, pool_subsets_by_name=False, confidence=0.95, seed=42)
        compared = time.perf_counter() - start
        tests = len({p.test for p in paired})
        print(f"N={n:,}: aggregate {aggregated:.3f} s; intervals on all {rows} rows {intervals:.3f} s; "
              f"paired comparison of {len(paired)} row metrics ({tests} distinct tests) {compared:.3f} s")


if __name__ == "__main__":
    main()
