"""HTML report at scale: a run folder of N samples written by the real writer (prompts ~400 and answers ~300
characters of varied words, as hard to compress as prose), then

* the run's own page, written as a finishing run writes it (``<run>/reports/report.html``: the report and the
  sample texts from memory),
* ``evalindex report RUN -o FILE`` on that folder (the report read back; the sample texts taken from the run's
  page, which was made from the same files),

each with its wall and CPU time and file size, and the time to first render of the run's page in headless
Chromium (navigation start to the first page of the sample list in the DOM, as the page measures it).

    python benchmarks/html_report.py              # N=100,000
    python benchmarks/html_report.py -N 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pytest_evalindex.cli.main import main as evalindex
from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.core.secrets import secret_values
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.metrics.aggregate import Report, aggregate
from pytest_evalindex.render.html import write_run_page
from pytest_evalindex.runs.writer import make_run_dir, report_document, write_outputs

DATASETS = [("arc", ["ARC-Easy", "ARC-Challenge"]), ("ceval", ["logic", "law", "physics"]), ("gsm8k", ["main"]),
            ("mmlu", [f"subject_{i}" for i in range(57)])]
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
SETTINGS = {"model": "bench-model", "api_key": "sk-bench-secret-0001"}


class Words:
    """Varied text: 4,000 made-up words drawn with Zipf frequencies (gzip shrinks it about as much as prose)."""

    def __init__(self, rng: random.Random) -> None:
        letters = "etaoinshrdlcumwfgypbvkjxqz"
        weights = [13, 9, 8, 8, 7, 7, 6, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
        words = {"".join(rng.choices(letters, weights, k=rng.randint(2, 9))) for _ in range(6000)}
        self.words = sorted(words)[:4000]
        self.cum = list(itertools.accumulate(1 / rank for rank in range(1, len(self.words) + 1)))
        self.rng = rng

    def text(self, chars: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cum, k=chars // 6))


def make_run(base: Path, n: int) -> tuple[Path, Report, list[SampleResult], dict[str, Entry]]:
    rng = random.Random(7)
    words = Words(rng)
    results, entries = [], {}
    for i in range(n):
        dataset, subsets = DATASETS[i % len(DATASETS)]
        subset = subsets[rng.randrange(len(subsets))]
        score = float(rng.random() < 0.7)
        node = f"suite.jsonl::{dataset}/{subset}/{i}"
        result = SampleResult(
            node_id=node, ordinal=i, file="suite.jsonl", line=i + 1, index=i, dataset_name=dataset,
            subset_name=subset, task_type="reasoning", tags=["en"] if i % 3 else ["en", "zh"],
            categories=["bench_index", dataset], weight=1.0 / n, sample_hash=f"{i:016x}",
            status="correct" if score else "incorrect", score=score, extracted="A" if score else "B",
            completion=words.text(290) + (" ANSWER: A" if score else " ANSWER: B"),
            usage=Usage(120 + i % 50, 60 + i % 40, 180 + i % 90), latency=0.2 + (i % 100) / 100)
        results.append(result)
        entries[node] = Entry.model_validate({
            "index": i, "prompt": {"input": [{"role": "user", "content": f"Question {i}: " + words.text(390)}],
                                   "choices": ["a", "b", "c", "d"], "target": "A"},
            "tags": result.tags, "categories": result.categories, "task_type": "reasoning", "weight": 1.0 / n,
            "dataset_name": dataset, "subset_name": subset})
    run_dir = make_run_dir(base, datetime(2026, 8, 1, 12, 0, 0))
    report = aggregate(results)
    write_outputs(run_dir, report=report, results=results, entries=entries, settings=SETTINGS, log_text="")
    return run_dir, report, results, entries


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``action``."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), statistics.median(cpus)


def first_render_seconds(path: Path) -> float:
    from playwright.sync_api import sync_playwright

    executable = next(c for c in CHROMIUM if Path(c).is_file())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        page = browser.new_page()
        page.goto(path.resolve().as_uri(), wait_until="commit")
        page.wait_for_selector("#sample-rows tr.sample")
        # navigation start → the first page of the sample list in the DOM, as the page itself measured it
        seconds = float(page.evaluate("performance.now()")) / 1000
        browser.close()
    return seconds


def _load() -> str:
    """The machine's load averages over 1, 5 and 15 minutes (/proc/loadavg), beside each number."""
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir, report, results, entries = make_run(Path(tmp), opts.N)
        page = run_dir / "reports" / "report.html"

        def run_page() -> None:  # as a finishing run does it, once its files are written
            document = report_document(report, results, settings=SETTINGS, with_samples=False)
            write_run_page(run_dir, document, results, entries, secret_values(SETTINGS))

        wall, cpu = timed(run_page, opts.repeat)
        lines = [f"N={opts.N}:",
                 f"  the run's page: write {wall:.2f} s (CPU {cpu:.2f} s), file {page.stat().st_size / 1e6:.1f} MB "
                 f"(load {_load()})"]
        out = Path(tmp) / "report.html"
        with contextlib.redirect_stdout(io.StringIO()):  # the command prints the file's path
            wall, cpu = timed(lambda: evalindex(["report", str(run_dir), "-o", str(out)]), opts.repeat)
        lines.append(f"  evalindex report RUN: write {wall:.2f} s (CPU {cpu:.2f} s), file {out.stat().st_size / 1e6:.1f} MB "
                     f"(load {_load()})")
        if not opts.no_browser:
            renders = [first_render_seconds(page) for _ in range(opts.repeat)]
            lines.append(f"  first render in headless Chromium {statistics.median(renders):.2f} s (load {_load()})")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
