"""Overhead: pytest-evalindex on N samples whose answers need no network, against a bare pytest run.

The bare run collects the same JSONL into trivial custom items (json.loads per line, an empty
runtest). Two ways of needing no network: answers from the cache (--eval-use-cache, filled up front)
and an instant loopback server. Prints wall / bare, medians of --repeat runs, each ratio with the machine's
load (/proc/loadavg: 1-minute average before and after) and the CPU seconds of both runs (less noisy than
wall time on a shared machine). The runs are timed with PYTHONDONTWRITEBYTECODE=1, so the package's bytecode
is compiled once first: otherwise every run would compile each module changed since its last import.

    python benchmarks/overhead.py            # N=10,000
"""

from __future__ import annotations

import argparse
import compileall
import tempfile
from pathlib import Path

from _common import (
    ROOT,
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
    compileall.compile_dir(ROOT / "pytest_evalindex", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = work / "suite.jsonl"
        answers = write_suite(suite, opts.N)
        fill_cache(work / "cache", suite)
        load_before = load()
        bare_runs = [bare_run(work, suite) for _ in range(opts.repeat)]
        bare, bare_cpu = median([r.wall for r in bare_runs]), median([r.cpu for r in bare_runs])
        print(f"N={opts.N}, medians of {opts.repeat} runs; bare pytest (custom items): {bare:.2f} s "
              f"({bare_cpu:.2f} s CPU)")

        cached_runs = [run_pytest(cached_run_args(work, suite), work) for _ in range(opts.repeat)]
        cached, cached_cpu = median([run.wall for run in cached_runs]), median([run.cpu for run in cached_runs])
        print(f"cached answers, -n0: {cached:.2f} s → {cached / bare:.2f} × bare; CPU {cached_cpu:.2f} s → "
              f"{cached_cpu / bare_cpu:.2f} × bare (peak RSS {max(run.peak_rss_mb for run in cached_runs):.0f} MB)"
              f"; load {load_before} → {load()}")

        if not opts.no_server:
            write_script(work / "script.json", answers, 0.0)
            with MockServer(load_script(work / "script.json")) as server:
                served_args = ["--eval-collection", str(suite), "--eval-model", "bench-model",
                               "--eval-api-url", server.url, "--eval-batch-size", "32",
                               "--eval-output-dir", str(work / "out"), "-n", "0"]
                served = median([run_pytest(served_args, work).wall for _ in range(opts.repeat)])
            print(f"instant loopback server, -n0 K=32: {served:.2f} s → {served / bare:.2f} × bare; load {load()}")


def load() -> str:
    """The 1-minute load average (/proc/loadavg; "?" where there is none): ratios above 1 core's worth are noisy."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
