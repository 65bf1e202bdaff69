"""Code execution beside the requests: N humaneval-style samples whose programs each take --program-seconds.

The model answers after --latency seconds; every program runs in the --eval-code-exec sandbox. Prints the wall
time (minus the run's fixed start-up: the same configuration with N=1) against the larger of the two bounds a
perfect overlap would reach:

  request bound   = N × latency / (processes × K)
  nominal bound   = N × --program-seconds / pool size      (the programs' own time, nothing of the sandbox)

Target: (wall - start-up) ≤ 1.2 × max(request bound, nominal bound), so the sandbox's own cost per program
(its bubblewrap and interpreter start, the supervision) must be hidden or small. Also printed: the measured
execution bound (Σ program times as the pool saw them, hand-over included / pool size) and the machine's load
average beside each run, since 2 shared cores make every ratio depend on it.

    python benchmarks/code_exec_throughput.py              # N=500, 200 ms model, 100 ms programs, -n 2, K=16, bwrap
    python benchmarks/code_exec_throughput.py --repeat 1   # one run (quieter moments on a shared machine)
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from _common import median, run_pytest

from pytest_evalindex.model.mock import MockServer

PROMPT = 'def add(a: int, b: int) -> int:\n    """Return the sum of a and b."""\n'
TEST = "def check(candidate):\n    assert candidate(2, 3) == 5\n"


def write_code_suite(path: Path, n: int, program_seconds: float) -> dict[str, str]:
    answers = {}
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            question = f"Task {i}: write add."
            meta = {"task_id": f"bench/{i}", "prompt": PROMPT, "test": TEST, "entry_point": "add"}
            f.write(json.dumps({"index": i, "prompt": {"input": question, "target": "", "metadata": meta},
                                "tags": ["code"], "categories": ["code_index"], "task_type": "code",
                                "weight": 1.0, "dataset_name": "humaneval", "subset_name": "default"}) + "\n")
            answers[question] = f"    import time\n    time.sleep({program_seconds})\n    return a + b\n"
    return answers


def run_once(work: Path, url: str, suite: Path, workers: int, k: int, mode: str) -> tuple[float, dict[str, float]]:
    out = work / "out"
    run = run_pytest(["--eval-collection", str(suite), "--eval-model", "bench-model", "--eval-api-url", url,
                      "--eval-batch-size", str(k), "-n", str(workers), "--eval-code-exec", mode,
                      "--eval-output-dir", str(out)], work)
    report = json.loads(sorted(out.glob("*/reports/*/evalindex_report.json"))[-1].read_text())
    counters = report["settings"]["engine_counters"].values()
    totals = {"programs": sum(c.get("programs", 0) for c in counters),
              "program_seconds": sum(c.get("program_seconds", 0.0) for c in counters),
              "pool": sum(c.get("sandbox_workers", 0) for c in counters),
              "processes": len(counters)}
    return run.wall, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--program-seconds", type=float, default=0.1)
    parser.add_argument("-n", dest="workers", type=int, default=2)
    parser.add_argument("-K", type=int, default=16)
    parser.add_argument("--mode", default="bwrap", choices=("bwrap", "unsafe"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite, one = work / "suite.jsonl", work / "one.jsonl"
        answers = write_code_suite(suite, args.N, args.program_seconds)
        write_code_suite(one, 1, args.program_seconds)
        with MockServer({"model": "bench-model", "latency": args.latency, "answers": answers}) as server:
            startup = median([run_once(work, server.url, one, args.workers, args.K, args.mode)[0]
                              for _ in range(args.repeat)])
            runs = []
            for _ in range(args.repeat):
                load = os.getloadavg()[0]
                runs.append((*run_once(work, server.url, suite, args.workers, args.K, args.mode), load))
    walls = [wall for wall, _, _ in runs]
    nominal_ratios, measured_ratios = [], []
    for wall, totals, load in runs:
        request_bound = args.N * args.latency / (totals["processes"] * args.K)
        nominal_bound = args.N * args.program_seconds / max(1, totals["pool"])
        execution_bound = totals["program_seconds"] / max(1, totals["pool"])
        nominal_ratios.append((wall - startup) / max(request_bound, nominal_bound))
        measured_ratios.append((wall - startup) / max(request_bound, execution_bound))
        print(f"wall {wall:.2f} s (start-up {startup:.2f} s), {int(totals['programs'])} programs, pool "
              f"{int(totals['pool'])}, mean program {totals['program_seconds'] / max(1, totals['programs']):.3f} s; "
              f"request bound {request_bound:.2f} s, nominal bound {nominal_bound:.2f} s "
              f"(measured execution bound {execution_bound:.2f} s): {nominal_ratios[-1]:.2f} x nominal; "
              f"load average {load:.1f}")
    print(f"median wall {median(walls):.2f} s; median (wall - start-up) / max(request, nominal bound) = "
          f"{median(nominal_ratios):.2f} (target <= 1.2); vs the measured execution bound {median(measured_ratios):.2f}; "
          f"load average now {os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main()
