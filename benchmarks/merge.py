"""Merge time: N samples in S shard run folders merged by `evalindex merge`, against writing one run's outputs.

Prints the merge's wall time, the time to aggregate and write the same run's outputs (its files and HTML page, as
a finishing run writes them) in one process, their ratio
(target <= 1.2) and each process's peak RSS. Run folders are written with the real writer from synthetic answers
(no model, no pytest): `python benchmarks/merge.py -n 100000 --shards 10`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_suite

from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.core.settings import Shard
from pytest_evalindex.dataset.loader import load_collection
from pytest_evalindex.dataset.outcome import result_for
from pytest_evalindex.dataset.select import in_shard
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.html import write_run_page
from pytest_evalindex.render.tables import render_tables
from pytest_evalindex.runs.shards import ShardRecord, collection_fingerprint
from pytest_evalindex.runs.writer import make_run_dir, report_document, write_outputs

MODEL = "bench-model"


def _settings(suite: Path, shard: str | None) -> dict[str, Any]:
    return {"model": MODEL, "api_url": "http://127.0.0.1:9/v1", "generation_config": {"temperature": 0.0},
            "compat": "corrected", "strict": False, "limit": None, "shuffle": False, "seed": 42, "shard": shard,
            "collections": [{"path": str(suite), "fingerprint": "-"}], "engine_counters": {}, "incomplete": False}


def _write_run(base: Path, suite: Path, shard: Shard | None) -> float:
    """One run folder of ``suite`` (or of its ``shard``) from synthetic correct answers; returns the seconds spent
    aggregating and writing it."""
    collection = load_collection(suite)
    chosen = in_shard(collection.entries, shard)
    entries = {f"{suite.name}::{e.node_name}": e for _, e in chosen}
    results: list[SampleResult] = [
        result_for(e, node_id=f"{suite.name}::{e.node_name}", ordinal=o, file=str(suite), status="correct",
                   score=1.0, extracted=e.prompt.target_text, completion=e.prompt.target_text,
                   usage=Usage(12, 1, 13), latency=0.01)
        for o, e in chosen]
    started = time.perf_counter()
    report = aggregate(results)
    extra: dict[str, Any] = {"incomplete": False, "partial": False,
                             "selection": {"ran": len(results), "selected": len(results), "total": len(results),
                                           "partial": False, "why": []}}
    if shard is not None:
        extra["shard"] = ShardRecord(index=shard.index, count=shard.count, samples=len(results),
                                     collection=collection_fingerprint([collection.fingerprint], limit=None,
                                                                       shuffle=False, seed=42),
                                     collection_samples=len(collection.entries)).to_dict()
    run_dir = make_run_dir(base)
    settings = _settings(suite, shard.label if shard else None)
    write_outputs(run_dir, report=report, results=results, entries=entries, settings=settings,
                  log_text=render_tables(report), extra=extra)
    # A run writes its HTML page too (as the merge does), from the report it just wrote.
    write_run_page(run_dir, report_document(report, results, settings=settings, extra=extra), results, entries)
    return time.perf_counter() - started


def _child(args: list[str]) -> tuple[dict[str, Any], float]:
    """Run this script as a child; its JSON line and its own peak RSS in MB."""
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"child {args} failed with exit {process.returncode}")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=10)
    parser.add_argument("--phase", choices=["whole", "shard", "merge"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "whole":
        print(json.dumps({"seconds": _write_run(args.dir / "whole", args.dir / "suite.jsonl", None)}))
        return
    if args.phase == "shard":
        shard = Shard(args.index, args.shards)
        print(json.dumps({"seconds": _write_run(args.dir / "shards" / str(args.index), args.dir / "suite.jsonl", shard)}))
        return
    if args.phase == "merge":
        from pytest_evalindex.cli.main import main as evalindex

        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                code = evalindex(["merge", str(args.dir / "shards"), "-o", str(args.dir / "merged")])
            finally:
                sys.stdout = stdout
        print(json.dumps({"seconds": time.perf_counter() - started, "exit": code}))
        return

    with tempfile.TemporaryDirectory(prefix="evalindex-merge-bench-") as tmp:
        base = Path(tmp)
        write_suite(base / "suite.jsonl", args.n)
        whole, whole_rss = _child(["--phase", "whole", "--dir", str(base), "-n", str(args.n)])
        shard_rss = 0.0
        for index in range(1, args.shards + 1):
            _, rss = _child(["--phase", "shard", "--dir", str(base), "--index", str(index), "--shards", str(args.shards)])
            shard_rss = max(shard_rss, rss)
        merged, merge_rss = _child(["--phase", "merge", "--dir", str(base)])
        assert merged["exit"] == 0, merged
        ratio = merged["seconds"] / whole["seconds"]
        print(f"N={args.n:,} in {args.shards} shards: merge {merged['seconds']:.2f} s (reading the shards, aggregating, "
              f"writing) vs {whole['seconds']:.2f} s to aggregate and write one run's outputs → {ratio:.2f} × "
              f"(target <= 1.2)")
        print(f"peak RSS: merge process {merge_rss:.0f} MB, one-run writer {whole_rss:.0f} MB, "
              f"largest shard writer {shard_rss:.0f} MB")


if __name__ == "__main__":
    main()
