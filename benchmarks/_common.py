"""Shared pieces of the benchmark scripts: synthetic suites, a loopback mock model, timed pytest runs, run folders."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PytestRun:
    """One finished pytest run: wall seconds, its output, its own peak RSS (MB) and CPU seconds (user + system)."""

    wall: float
    stdout: str
    peak_rss_mb: float
    cpu: float = 0.0


def run_pytest(args: Sequence[str], cwd: Path) -> PytestRun:
    """Run pytest once (it must succeed); the peak RSS is this process's alone (``wait4``)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([*PYTEST, "-p", "no:cacheprovider", "-q", *args], cwd=cwd, env=env,
                                stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"pytest failed ({proc.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return PytestRun(wall, stdout, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)  # Linux: KiB


UNREACHABLE = "http://127.0.0.1:9/v1"
"""An API URL that is never contacted: in the cached runs every answer comes from the cache."""


def cached_run_args(work: Path, suite: Path) -> list[str]:
    """pytest-evalindex arguments for a -n0 run whose answers all come from ``fill_cache(work / "cache", …)``."""
    return ["--eval-collection", str(suite), "--eval-model", "bench-model", "--eval-api-url", UNREACHABLE,
            "--eval-use-cache", str(work / "cache"), "--eval-output-dir", str(work / "out"), "-n", "0"]


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


def bare_run(work: Path, suite: Path) -> PytestRun:
    """Plain pytest collecting the same JSONL into trivial custom items."""
    bare = work / "bare"
    bare.mkdir(exist_ok=True)
    (bare / "conftest.py").write_text(BARE_CONFTEST)
    (bare / "pytest.ini").write_text("[pytest]\n")
    target = bare / suite.name
    if not target.exists():
        target.symlink_to(suite)
    return run_pytest(["-p", "no:evalindex", "-p", "no:xdist", str(target)], bare)


def fill_cache(cache_dir: Path, suite: Path, model: str = "bench-model", base_url: str = UNREACHABLE) -> None:
    """Store a correct answer for every sample, as a finished run would have."""
    from pytest_evalindex.core.hashing import request_fingerprint
    from pytest_evalindex.dataset.loader import load_collection
    from pytest_evalindex.model.api import Completion
    from pytest_evalindex.model.store import AnswerCache

    cache = AnswerCache(cache_dir, writer="bench")
    for entry in load_collection(suite).entries:
        messages = entry.openai_messages()
        fingerprint = request_fingerprint(model, base_url, messages, None, {"temperature": 0.0})
        cache.put(fingerprint, Completion(text=str(entry.prompt.target), finish_reason="stop"))
    cache.close()


def free_port() -> int:
    """A loopback TCP port free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_mock(script: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """The built-in mock model serving ``script`` on ``port`` (its output in ``log``), returned once it
    listens; exits with the log's tail if it dies first."""
    with log.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "pytest_evalindex.model.mock", "--script", str(script),
                                 "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise SystemExit(f"mock model exited (exit {proc.returncode}):\n{tail}") from None
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit(f"mock model did not listen on port {port}")


def only_run_dir(base: Path) -> Path:
    """The one run folder under ``base`` (exits naming what it found otherwise)."""
    runs = sorted(p for p in base.iterdir() if p.is_dir())
    if len(runs) != 1:
        raise SystemExit(f"expected one run folder in {base}, found {[p.name for p in runs]}")
    return runs[0]


def evalscope_env() -> dict[str, str]:
    """The environment EvalScope runs in here: offline, with NLTK's ``punkt_tab`` made locally (the sentence
    splitter ifeval, ifbench and ROUGE-scored benchmarks need, which EvalScope would otherwise download)."""
    from pytest_evalindex.scorers.ifeval import ensure_punkt_tab

    return dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                NLTK_DATA=str(ensure_punkt_tab()))
