"""HTML report at scale: a run folder of N samples (written by the real writer, prompts ~400 and answers ~300
characters), then the report's write time as `evalindex report` does it (read back from the folder, reviews
included, and rendered; wall and CPU time), its file size, and the time to first render in headless Chromium
(navigation start to the sample list filled).

    python benchmarks/html_report.py              # N=100,000
    python benchmarks/html_report.py -N 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.html import REPORT_HTML, load_run, write_report
from pytest_evalindex.runs.writer import make_run_dir, write_outputs

DATASETS = [("arc", ["ARC-Easy", "ARC-Challenge"]), ("ceval", ["logic", "law", "physics"]), ("gsm8k", ["main"]),
            ("mmlu", [f"subject_{i}" for i in range(57)])]
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


def make_run(base: Path, n: int) -> Path:
    rng = random.Random(7)
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
            completion=f"Let me think about question {i}. " * 8 + ("ANSWER: A" if score else "ANSWER: B"),
            usage=Usage(120 + i % 50, 60 + i % 40, 180 + i % 90), latency=0.2 + (i % 100) / 100)
        results.append(result)
        entries[node] = Entry.model_validate({
            "index": i, "prompt": {"input": [{"role": "user", "content": f"Question {i}: " + "context words " * 28}],
                                   "choices": ["a", "b", "c", "d"], "target": "A"},
            "tags": result.tags, "categories": result.categories, "task_type": "reasoning", "weight": 1.0 / n,
            "dataset_name": dataset, "subset_name": subset})
    run_dir = make_run_dir(base, datetime(2026, 8, 1, 12, 0, 0))
    write_outputs(run_dir, report=aggregate(results), results=results, entries=entries,
                  settings={"model": "bench-model"}, log_text="")
    return run_dir


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-N", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = make_run(Path(tmp), opts.N)
        out = run_dir / "reports" / REPORT_HTML
        writes, cpu = [], []
        for _ in range(opts.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            write_report(out, [load_run(run_dir)])
            writes.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        size_mb = out.stat().st_size / 1e6
        line = (f"N={opts.N}: write {statistics.median(writes):.2f} s (CPU {statistics.median(cpu):.2f} s), "
                f"file {size_mb:.1f} MB")
        if not opts.no_browser:
            renders = [first_render_seconds(out) for _ in range(opts.repeat)]
            line += f", first render in headless Chromium {statistics.median(renders):.2f} s"
        print(line)


if __name__ == "__main__":
    main()
