"""Overhead: pytest-evalindex on N samples whose answers need no network, against a bare pytest run.

The bare run collects the same JSONL into trivial custom items (json.loads per line, an empty
runtest). Two ways of needing no network: answers from the cache (--eval-use-cache, filled up front)
and an instant loopback server. Prints wall / bare, medians of --repeat runs.

    python benchmarks/overhead.py            # N=10,000
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
    write_script,
    write_suite,
)

from pytest_evalindex.model.mock import MockServer, load_script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-server", action="store_true", help="only the cached-answers mode")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = work / "suite.jsonl"
        answers = write_suite(suite, opts.N)
        fill_cache(work / "cache", suite)
        bare = median([bare_run(work, suite).wall for _ in range(opts.repeat)])
        print(f"N={opts.N}, medians of {opts.repeat} runs; bare pytest (custom items): {bare:.2f} s")

        cached_runs = [run_pytest(cached_run_args(work, suite), work) for _ in range(opts.repeat)]
        cached = median([run.wall for run in cached_runs])
        print(f"cached answers, -n0: {cached:.2f} s → {cached / bare:.2f} × bare "
              f"(peak RSS {max(run.peak_rss_mb for run in cached_runs):.0f} MB)")

        if not opts.no_server:
            write_script(work / "script.json", answers, 0.0)
            with MockServer(load_script(work / "script.json")) as server:
                served_args = ["--eval-collection", str(suite), "--eval-model", "bench-model",
                               "--eval-api-url", server.url, "--eval-batch-size", "32",
                               "--eval-output-dir", str(work / "out"), "-n", "0"]
                served = median([run_pytest(served_args, work).wall for _ in range(opts.repeat)])
            print(f"instant loopback server, -n0 K=32: {served:.2f} s → {served / bare:.2f} × bare")


if __name__ == "__main__":
    main()
