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


BARE_CONFTEST = '''
import json
import pytest


class BareItem(pytest.Item):
    def runtest(self):
        pass


class BareFile(pytest.File):
    def collect(self):
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                data = json.loads(line)
                yield BareItem.from_parent(self, name=f"{data['dataset_name']}/{data['subset_name']}/{data['index']}")


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".jsonl":
        return BareFile.from_parent(parent, path=file_path)
'''


def bare_run(work: Path, suite: Path) -> float:
    """Wall seconds of plain pytest collecting the same JSONL into trivial custom items."""
    bare = work / "bare"
    bare.mkdir(exist_ok=True)
    (bare / "conftest.py").write_text(BARE_CONFTEST)
    (bare / "pytest.ini").write_text("[pytest]\n")
    target = bare / suite.name
    if not target.exists():
        target.symlink_to(suite)
    wall, _ = run_pytest(["-p", "no:evalindex", "-p", "no:xdist", str(target)], bare)
    return wall


def fill_cache(cache_dir: Path, suite: Path, model: str, base_url: str) -> None:
    """Store a correct answer for every sample, as a finished run would have."""
    from pytest_evalindex.cache import AnswerCache
    from pytest_evalindex.completion import Completion, request_fingerprint
    from pytest_evalindex.dataset import load_collection

    cache = AnswerCache(cache_dir, writer="bench")
    for entry in load_collection(suite).entries:
        messages = entry.openai_messages()
        fingerprint = request_fingerprint(model, base_url, messages, None, {"temperature": 0.0})
        cache.put(fingerprint, Completion(text=str(entry.prompt.target), finish_reason="stop"))
    cache.close()
