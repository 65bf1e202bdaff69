"""Scale with shards: N samples as S shard runs (each a -n0 pytest run over its share, answers from its own cache,
as S CI jobs would run them) and `evalindex merge` of them, against one process evaluating all N.

Prints each phase's wall time and peak RSS (every process measured alone with wait4): the largest shard run, all
shard runs together, the merge, and (unless N is too large for one process, or --no-single) the single run.

    python benchmarks/scale_shards.py -N 100000 --shards 10
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import UNREACHABLE, PytestRun, cached_run_args, fill_cache, run_pytest, write_suite

MODEL = "bench-model"


def _fill_shard_cache(cache_dir: Path, suite: Path, index: int, count: int) -> None:
    """A cache holding only shard ``index``'s answers: what that shard's CI job would have kept."""
    from pytest_evalindex.core.hashing import request_fingerprint
    from pytest_evalindex.core.settings import Shard
    from pytest_evalindex.dataset.loader import load_collection
    from pytest_evalindex.dataset.select import in_shard
    from pytest_evalindex.model.api import Completion
    from pytest_evalindex.model.store import AnswerCache

    cache = AnswerCache(cache_dir, writer="bench")
    for _, entry in in_shard(load_collection(suite).entries, Shard(index, count)):
        fingerprint = request_fingerprint(MODEL, UNREACHABLE, entry.openai_messages(), None, {"temperature": 0.0})
        cache.put(fingerprint, Completion(text=str(entry.prompt.target), finish_reason="stop"))
    cache.close()


def _merge(shards: Path, out: Path) -> tuple[float, float]:
    """``evalindex merge`` as its own process: (wall seconds, peak RSS MB)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "pytest_evalindex.cli.main", "merge", str(shards), "-o",
                                str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"merge failed: {process.stderr.read() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=10)
    parser.add_argument("--no-single", action="store_true", help="skip the one-process run")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evalindex-scale-") as tmp:
        work = Path(tmp)
        suite = work / "suite.jsonl"
        write_suite(suite, opts.N)
        single: PytestRun | None = None
        if not opts.no_single:
            fill_cache(work / "cache", suite)
            single = run_pytest(cached_run_args(work, suite), work)
        runs: list[PytestRun] = []
        for index in range(1, opts.shards + 1):
            folder = work / f"shard{index}"
            folder.mkdir()
            _fill_shard_cache(folder / "cache", suite, index, opts.shards)
            args = [*cached_run_args(folder, suite), "--eval-shard", f"{index}/{opts.shards}",
                    "--eval-output-dir", str(work / "shards" / str(index))]
            runs.append(run_pytest(args, folder))
        merge_wall, merge_rss = _merge(work / "shards", work / "merged")
        print(f"N={opts.N:,}, {opts.shards} shards of ~{opts.N // opts.shards:,}: largest shard run "
              f"{max(r.wall for r in runs):.1f} s, peak RSS {max(r.peak_rss_mb for r in runs):.0f} MB; all shard runs "
              f"{sum(r.wall for r in runs):.1f} s one after another; merge {merge_wall:.1f} s, peak RSS "
              f"{merge_rss:.0f} MB")
        if single is not None:
            print(f"N={opts.N:,} in one process (-n0): {single.wall:.1f} s, peak RSS {single.peak_rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
