"""Scale: 100,000 samples in one process (-n0), answers from the cache; wall / bare pytest, and the
controller's peak RSS.

    python benchmarks/scale.py              # N=100,000 (several minutes)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import bare_run, children_peak_rss_mb, fill_cache, median, run_pytest, write_suite

UNREACHABLE = "http://127.0.0.1:9/v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = work / "suite.jsonl"
        write_suite(suite, opts.N)
        fill_cache(work / "cache", suite, "bench-model", UNREACHABLE)
        bare = median([bare_run(work, suite) for _ in range(opts.repeat)])
        bare_rss = children_peak_rss_mb()
        args = ["--eval-collection", str(suite), "--eval-model", "bench-model", "--eval-api-url", UNREACHABLE,
                "--eval-use-cache", str(work / "cache"), "--eval-output-dir", str(work / "out"), "-n", "0"]
        ours = median([run_pytest(args, work)[0] for _ in range(opts.repeat)])
        print(f"N={opts.N}: bare pytest {bare:.1f} s (peak RSS {bare_rss:.0f} MB), pytest-evalindex {ours:.1f} s "
              f"→ {ours / bare:.2f} × bare; controller peak RSS {children_peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
