"""Throughput: N samples against a loopback OpenAI-compatible server with fixed latency.

Prints wall time / ideal, where ideal = N × latency / (processes × K) plus the run's fixed start-up
(collection, worker start), measured with N=1 in the same configuration. Medians of --repeat runs.

    python benchmarks/throughput.py            # N=2000, 200 ms, -n 2 K=16 and -n0 K=32
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from _common import median, run_pytest, write_script, write_suite

from pytest_evalindex.model.mock import MockServer, load_script


def measure(workdir: Path, server_url: str, suite: Path, workers: int, k: int, repeat: int,
            extra: list[str]) -> tuple[float, str]:
    args = ["--eval-collection", str(suite), "--eval-model", "bench-model", "--eval-api-url", server_url,
            "--eval-batch-size", str(k), "-n", str(workers), "--eval-output-dir", str(workdir / "out"), *extra]
    walls = []
    line = ""
    for _ in range(repeat):
        run = run_pytest(args, workdir)
        walls.append(run.wall)
        found = re.search(r"evalindex: \d+ process.*", run.stdout)
        line = found.group(0) if found else ""
    return median(walls), line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dist", default=None, help="xdist --dist mode for the -n 2 runs (default: xdist's)")
    opts = parser.parse_args()
    configs = [(2, 16), (0, 32)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        answers = write_suite(work / "suite.jsonl", opts.N)
        write_suite(work / "one.jsonl", 1)
        write_script(work / "script.json", answers, opts.latency)
        extra = ["--dist", opts.dist] if opts.dist else []
        with MockServer(load_script(work / "script.json")) as server:
            print(f"N={opts.N}, server latency {opts.latency * 1000:.0f} ms, medians of {opts.repeat} runs")
            for workers, k in configs:
                processes = max(workers, 1)
                startup, _ = measure(work, server.url, work / "one.jsonl", workers, k, opts.repeat,
                                     extra if workers else [])
                wall, line = measure(work, server.url, work / "suite.jsonl", workers, k, opts.repeat,
                                     extra if workers else [])
                ideal = opts.N * opts.latency / (processes * k)
                print(f"-n {workers} K={k}: wall {wall:.2f} s, ideal {ideal:.2f} s + start-up {startup:.2f} s "
                      f"→ ratio {wall / (ideal + startup):.3f}  (wall/ideal alone {wall / ideal:.2f})")
                print(f"    {line}")


if __name__ == "__main__":
    main()
