"""Judge pipeline throughput: N judged samples against two loopback servers (model and judge) with fixed latencies.

Prints wall time against the ideal N × (model latency + judge latency) / (processes × K) plus the run's fixed
start-up (the wall of a run of one sample per process in the same configuration, minus its requests), the span from the
first model request to the last verdict (against the ideal: the pipeline alone, whatever the load does to
start-up), and the requests each server saw. A judge pass run
after the model pass would take about as long as the ideal; a pipeline where each sample's judge call starts
when its answer arrives keeps both servers busy at once. Medians of --repeat runs.

    python benchmarks/judge_pipeline.py        # N=1000, model 200 ms, judge 300 ms, -n 2, K=16 for both
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _common import median, run_pytest

from pytest_evalindex.model.mock import MockServer


def write_judged_suite(path: Path, n: int) -> dict[str, str]:
    """``n`` simple_qa samples (judged); returns the model's answers by prompt."""
    answers: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            question = f"Question {i}: what is the code word?"
            line = {"index": i, "prompt": {"input": [{"role": "user", "content": question}], "target": f"w{i}"},
                    "tags": ["en"], "categories": ["judged_index"], "task_type": "qa", "weight": 1.0 / n,
                    "dataset_name": "simple_qa", "subset_name": "default"}
            f.write(json.dumps(line) + "\n")
            answers[question] = f"The code word is w{i}."
    return answers


@dataclass
class Measured:
    """Medians over the repeats: wall, and the span from the first model request to the last verdict."""

    wall: float
    span: float
    overlap: float  # share of the judge requests sent before the model's last request
    line: str


def measure(work: Path, model: MockServer, judge: MockServer, suite: Path, workers: int, k: int, repeat: int,
            judge_latency: float) -> Measured:
    args = ["--eval-collection", str(suite), "--eval-model", "bench-model", "--eval-api-url", model.url,
            "--eval-judge-model", "bench-judge", "--eval-judge-api-url", judge.url, "--eval-batch-size", str(k),
            "--eval-judge-batch-size", str(k), "-n", str(workers), "--eval-output-dir", str(work / "out")]
    walls, spans, overlaps, line = [], [], [], ""
    for _ in range(repeat):
        model.reset_stats()
        judge.reset_stats()
        run = run_pytest(args, work)
        walls.append(run.wall)
        first, last = model.stats()["arrivals"], judge.stats()["arrivals"]
        spans.append(max(last) + judge_latency - min(first) if first and last else 0.0)
        overlaps.append(sum(t < max(first) for t in last) / len(last) if first and last else 0.0)
        found = re.search(r"evalindex: \d+ process.*", run.stdout)
        line = found.group(0) if found else ""
    return Measured(median(walls), median(spans), median(overlaps), line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=1000)
    parser.add_argument("--model-latency", type=float, default=0.2)
    parser.add_argument("--judge-latency", type=float, default=0.3)
    parser.add_argument("-n", "--workers", type=int, default=2)
    parser.add_argument("-K", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--startup-repeat", type=int, default=3,
                        help="runs of one sample per process whose median is the start-up")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        answers = write_judged_suite(work / "suite.jsonl", opts.N)
        # Start-up: a run with one sample per process, so that every process starts its engines (importing the
        # SDK in each worker at once is most of it); one sample in all would leave the other workers idle.
        processes = max(opts.workers, 1)
        write_judged_suite(work / "one.jsonl", processes)
        model_script = {"model": "bench-model", "latency": opts.model_latency, "answers": answers}
        judge_script = {"model": "bench-judge", "latency": opts.judge_latency,
                        "rules": [{"contains": "code word is", "answer": '{"verdict": "A"}'}]}
        with MockServer(model_script) as model, MockServer(judge_script) as judge:
            startup = measure(work, model, judge, work / "one.jsonl", opts.workers, opts.K, opts.startup_repeat,
                              opts.judge_latency)
            run = measure(work, model, judge, work / "suite.jsonl", opts.workers, opts.K, opts.repeat,
                          opts.judge_latency)
            model_stats, judge_stats = model.stats(), judge.stats()
        ideal = opts.N * (opts.model_latency + opts.judge_latency) / (processes * opts.K)
        fixed = startup.wall - startup.span  # what a run costs besides its requests (start-up and finish)
        print(f"N={opts.N}, model {opts.model_latency * 1000:.0f} ms, judge {opts.judge_latency * 1000:.0f} ms, "
              f"-n {opts.workers}, K={opts.K} for both, medians of {opts.repeat} runs "
              f"(start-up: {opts.startup_repeat} runs of N={processes}); load average {os.getloadavg()[0]:.1f}")
        print(f"wall {run.wall:.2f} s, ideal {ideal:.2f} s + start-up {fixed:.2f} s → ratio "
              f"{run.wall / (ideal + fixed):.3f}  (wall/ideal alone {run.wall / ideal:.2f})")
        print(f"requests span {run.span:.2f} s (first model request to last verdict) → span/ideal "
              f"{run.span / ideal:.3f}; the rest of the wall {run.wall - run.span:.2f} s is start-up and finish")
        print(f"model requests {model_stats['requests']} (peak {model_stats['max_in_flight']} in flight), "
              f"judge requests {judge_stats['requests']} (peak {judge_stats['max_in_flight']} in flight); "
              f"{run.overlap:.0%} of the judge requests were sent while model requests were still to come")
        print(f"    {run.line}")


if __name__ == "__main__":
    main()
