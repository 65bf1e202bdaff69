"""Run folders for the HTML report tests: a mixed run whose model and collection text is hostile (script tags,
event handlers, ``javascript:`` links), and a baseline of the same samples with other scores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from helpers_results import make_result

from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.tables import render_tables
from pytest_evalindex.runs.writer import make_run_dir, write_outputs

MODEL = "org/html-model"
HOSTILE_ANSWER = ('<script>window.__pwned = "answer"</script><img src="x" onerror="window.__pwned = \'img\'">'
                  ' ANSWER: B')
HOSTILE_SUBSET = '<script>window.__pwned = "subset"</script>'
HOSTILE_TAG = '<b onmouseover="window.__pwned = \'tag\'">en</b>'
HOSTILE_LINK = 'javascript:window.__pwned = "link"'
HOSTILE_EXTRACTED = '"><svg onload="window.__pwned = \'extracted\'">'
LONG_PROMPT = "Consider the following passage. " * 200
SUBSETS = ("ARC-Easy", HOSTILE_SUBSET)


def _scores(variant: str) -> list[tuple[str, str, float | None, str | None]]:
    """(dataset, subset, score, status override) per sample; ``baseline`` moves some scores."""
    rows: list[tuple[str, str, float | None, str | None]] = []
    for i in range(24):
        dataset = "arc" if i < 16 else "gsm8k"
        subset = SUBSETS[i % 2] if dataset == "arc" else "main"
        score: float | None = 1.0 if i % 3 else 0.0
        status = None
        if i == 5:
            score, status = 0.5, "partial"
        if i == 7:
            score, status = None, "excluded"
        if i == 11:
            score, status = None, "error"
        if variant == "baseline" and i in (1, 2, 4):  # correct now, incorrect then: improvements
            score = 0.0
        if variant == "baseline" and i in (3, 6):  # incorrect now, correct then: regressions
            score = 1.0
        rows.append((dataset, subset, score, status))
    return rows


def hostile_results(variant: str = "current") -> list[SampleResult]:
    """24 samples over arc (two subsets, one named with a script tag) and gsm8k, every status represented."""
    results = []
    for i, (dataset, subset, score, status) in enumerate(_scores(variant)):
        result = make_result(i, dataset, subset, score, status=status,  # type: ignore[arg-type]
                             tags=["en", HOSTILE_TAG] if i % 4 == 0 else ["en"],
                             categories=["html_index", "math" if dataset == "gsm8k" else "reasoning"],
                             weight=1 / 24)
        if result.status == "error":
            result.error = "HTTP 500 after 3 retries <script>window.__pwned = 'error'</script>"
            results.append(result)
            continue
        hostile = i % 3 == 0
        result.completion = HOSTILE_ANSWER if hostile else f"Because reasons {i}.\nANSWER: A"
        result.extracted = HOSTILE_EXTRACTED if hostile else "A"
        result.usage = Usage(input_tokens=100 + i, output_tokens=10 + i, total_tokens=110 + 2 * i)
        result.latency = 0.1 + i / 100
        results.append(result)
    return results


def entry_for(result: SampleResult) -> Entry:
    data: dict[str, Any] = {
        "index": result.index,
        "prompt": {"input": [{"role": "user", "content": f"Question {result.index}: <i>which</i>? {LONG_PROMPT}"}],
                   "choices": ["a", "b", "c", "d"], "target": "A",
                   "metadata": {"link": HOSTILE_LINK, "html": f'<a href="{HOSTILE_LINK}">click</a>'}},
        "tags": result.tags, "categories": result.categories, "task_type": result.task_type,
        "weight": result.weight, "dataset_name": result.dataset_name, "subset_name": result.subset_name,
    }
    if result.dataset_name == "gsm8k":
        del data["prompt"]["choices"]
        data["prompt"]["target"] = "42"
    return Entry.model_validate(data)


def write_run(base: Path, variant: str = "current", *, extra: dict[str, Any] | None = None,
              stamp: datetime | None = None) -> Path:
    """A run folder written by the real writer; returns the run folder."""
    results = hostile_results(variant)
    report = aggregate(results)
    run_dir = make_run_dir(base, stamp or datetime(2026, 8, 1, 12, 0, 0))
    write_outputs(run_dir, report=report, results=results, entries={r.node_id: entry_for(r) for r in results},
                  settings={"model": MODEL, "api_url": "http://127.0.0.1:8000/v1", "api_key": "sk-html-secret-1234"},
                  log_text=render_tables(report), extra=extra)
    return run_dir
