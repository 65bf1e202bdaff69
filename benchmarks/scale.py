"""Scale: 100,000 samples in one process (-n0), answers from the cache; wall / bare pytest, and the
controller's peak RSS.

    python benchmarks/scale.py              # N=100,000 (several minutes)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import (
    bare_run,
    cached_run_args,
    fill_cache,
    median,
    run_pytest,
    write_suite,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = work / "suite.jsonl"
        write_suite(suite, opts.N)
        fill_cache(work / "cache", suite)
        bare_runs = [bare_run(work, suite) for _ in range(opts.repeat)]
        runs = [run_pytest(cached_run_args(work, suite), work) for _ in range(opts.repeat)]
        bare, ours = median([r.wall for r in bare_runs]), median([r.wall for r in runs])
        print(f"N={opts.N}: bare pytest {bare:.1f} s (peak RSS {max(r.peak_rss_mb for r in bare_runs):.0f} MB), "
              f"pytest-evalindex {ours:.1f} s → {ours / bare:.2f} × bare; "
              f"controller peak RSS {max(r.peak_rss_mb for r in runs):.0f} MB")


if __name__ == "__main__":
    main()
