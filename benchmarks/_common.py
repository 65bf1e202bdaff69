"""Shared pieces of the benchmark scripts: synthetic suites, a loopback mock model, timed pytest runs."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest"]


def write_suite(path: Path, n: int) -> dict[str, str]:
    """A collection of ``n`` exact-match samples; returns the mock script's answers (all correct)."""
    answers: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            question = f"Question {i}: reply with the word w{i}."
            line = {"index": i, "prompt": {"input": [{"role": "user", "content": question}], "target": f"w{i}"},
                    "tags": ["en"], "categories": ["bench_index", f"group{i % 4}"], "task_type": "qa",
                    "weight": 1.0 / n, "dataset_name": "exact", "subset_name": f"s{i % 8}"}
            f.write(json.dumps(line) + "\n")
            answers[question] = f"w{i}"
    return answers


def write_script(path: Path, answers: dict[str, str], latency: float) -> None:
    path.write_text(json.dumps({"model": "bench-model", "latency": latency, "default": "?", "answers": answers}))


def run_pytest(args: Sequence[str], cwd: Path) -> tuple[float, str]:
    """Wall seconds and output of one pytest run (which must succeed)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    started = time.perf_counter()
    proc = subprocess.run([*PYTEST, "-p", "no:cacheprovider", "-q", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"pytest failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return wall, proc.stdout


def children_peak_rss_mb() -> float:
    """Peak RSS of the largest child process waited for so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
