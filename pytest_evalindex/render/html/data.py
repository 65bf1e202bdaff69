"""The HTML report's data: runs read from their folders, turned into plain view models for the template."""

from __future__ import annotations

import gc
import math
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_evalindex.metrics.aggregate import LEVELS
from pytest_evalindex.render.html.columns import SampleColumns, sample_columns
from pytest_evalindex.render.html.details import read_details
from pytest_evalindex.render.html.page_texts import texts_from_page
from pytest_evalindex.runs.reader import read_report_file

_PERCENTILES = (50, 90, 95, 99)


@dataclass
class Run:
    """One run as the report reads it: its report JSON and, per sample, its detail texts."""

    file: Path
    data: dict[str, Any]
    details: list[list[str] | None] = field(default_factory=list)
    texts_packed: str | None = None
    """The sample texts already packed for a page (taken from the run's own page), instead of ``details``."""
    texts: list[list[str]] | None = None
    """The sample texts as one list per detail field (a finishing run's, from memory), instead of ``details``."""
    known_columns: SampleColumns | None = field(default=None, repr=False, compare=False)
    """The samples' columns when known without ``data["samples"]`` (a finishing run's, from its results)."""

    @property
    def label(self) -> str:
        """The run folder's name (``20261201_171300``) and the model."""
        run_dir = self.file.parent.parent.parent
        return f"{run_dir.name} · {self.data.get('model') or '?'}"

    @property
    def samples(self) -> list[dict[str, Any]]:
        samples = self.data.get("samples")
        return samples if isinstance(samples, list) else []

    @property
    def columns(self) -> SampleColumns:
        """The samples' shared columns, read once (the samples are not changed while a page is made)."""
        if self.known_columns is None:
            self.known_columns = sample_columns(self.samples)
        return self.known_columns


def load_run(path: Path, *, with_details: bool = True) -> Run:
    """Read a run folder (or its ``evalindex_report.json``); raises ``BaselineError`` with a one-line message."""
    with paused_gc():
        file, data = read_report_file(path, what="run")
        run = Run(file=file, data=data)
        if with_details:
            run.texts_packed = texts_from_page(file)
            if run.texts_packed is None:
                run.details = read_details(file, run.samples)
    return run


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: reading or building a few million small containers (none of them
    in a cycle) otherwise triggers collections that walk all of them again and again (2x the time at 100,000)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def headline(run: Run) -> dict[str, Any]:
    """The index with its interval, the verdict, the run's state and totals."""
    data = run.data
    index = data.get("index") if isinstance(data.get("index"), dict) else None
    gates = [g for g in data.get("gates") or [] if isinstance(g, dict)]
    failed = [g for g in gates if not g.get("passed")]
    if data.get("partial") and not gates:
        verdict, verdict_class = "NO VERDICT (partial run)", "warn"
    elif data.get("incomplete") and not gates:
        verdict, verdict_class = "NO VERDICT (interrupted)", "warn"
    elif not gates:
        verdict, verdict_class = "no gates", "neutral"
    elif failed:
        verdict, verdict_class = f"FAIL ({len(failed)} of {len(gates)} gates)", "bad"
    else:
        verdict, verdict_class = f"PASS ({len(gates)} gates)", "good"
    state = "incomplete" if data.get("incomplete") else "partial" if data.get("partial") else "complete"
    interval = _interval(index, "weighted") if index else None
    return {"label": run.label, "model": str(data.get("model") or "?"), "index": index,
            "index_value": index.get("weighted") if index else None, "interval": interval,
            "confidence": data.get("confidence"), "verdict": verdict, "verdict_class": verdict_class,
            "state": state, "totals": data.get("totals") or {}, "selection": data.get("selection"),
            "gates": gates, "warnings": [str(w) for w in data.get("warnings") or [] if isinstance(w, str)]}


def _interval(row: dict[str, Any] | None, metric: str) -> list[float] | None:
    ci = (row or {}).get("ci")
    if not isinstance(ci, dict):
        return None
    pair = ci.get(metric)
    if isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(v, (int, float)) for v in pair):
        return [float(pair[0]), float(pair[1])]
    return None


def levels(run: Run) -> list[dict[str, Any]]:
    """The five levels: their rows with values, counts and intervals (when the report has them)."""
    out = []
    stored = run.data.get("levels") or {}
    for level in LEVELS:
        rows = []
        for row in stored.get(level) or []:
            rows.append({**row, "ci_micro": _interval(row, "micro"), "ci_macro": _interval(row, "macro"),
                         "ci_weighted": _interval(row, "weighted")})
        out.append({"name": level, "rows": rows, "main": main_metric(level),
                    "show_counts": any(r.get("excluded") or r.get("errors") for r in rows),
                    "show_tokens": any((r.get("tokens") or {}).get("total") for r in rows),
                    "show_cost": any(isinstance(r.get("cost"), (int, float)) for r in rows)})
    return out


def main_metric(level: str) -> str:
    """The metric a level's chart draws: subsets have only a micro average, the others their weighted one."""
    return "micro" if level == "subset_level" else "weighted"


def performance(run: Run) -> dict[str, Any]:
    """Latency percentiles, token counts and throughput from what every answered sample recorded (answers from
    a cache are left out of the timings when any request was timed fresh)."""
    columns = run.columns
    answered = [i for i, v in enumerate(columns.status) if v != "error"]
    every = len(answered) == len(columns.status)
    pick = (lambda values: values) if every else (lambda values: [values[i] for i in answered])
    inputs = [v if type(v) is int else 0 for v in pick(columns.input_tokens)]
    outputs = [v if type(v) is int else 0 for v in pick(columns.output_tokens)]
    cached = [bool(v) for v in pick(columns.cached)]
    seconds = pick(columns.latency)
    timed = [i for i, v in enumerate(seconds) if type(v) is int or (type(v) is float and v - v == 0)]
    fresh = [i for i in timed if not cached[i]] if any(cached) else timed
    chosen = fresh or timed
    latencies = sorted([float(seconds[i]) for i in chosen])
    busy = sum(latencies)
    tokens_out = sum(outputs)
    return {
        "answered": len(answered), "timed": len(latencies), "cached": sum(cached),
        "latency": {f"p{p}": _percentile(latencies, p) for p in _PERCENTILES} | {
            "mean": busy / len(latencies) if latencies else None, "min": latencies[0] if latencies else None,
            "max": latencies[-1] if latencies else None},
        "input_tokens": sum(inputs), "output_tokens": tokens_out,
        "mean_output_tokens": tokens_out / len(answered) if answered else None,
        "output_tokens_per_second": (sum(outputs) if len(chosen) == len(outputs) else sum([outputs[i] for i in chosen]))
        / busy if busy > 0 else None,
        "histogram": _histogram(latencies),
    }


def _percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    position = (len(values) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _histogram(values: Sequence[float], bins: int = 20) -> list[int]:
    """Counts of the sorted ``values`` in ``bins`` equal bins (found by bisection: a bin index only grows)."""
    if not values:
        return []
    low, high = values[0], values[-1]
    width = (high - low) / bins or 1.0

    def bin_of(v: float) -> int:
        return min(int((v - low) / width), bins - 1)

    edges = [bisect_left(values, k, key=bin_of) for k in range(bins)] + [len(values)]
    return [edges[k + 1] - edges[k] for k in range(bins)]


def settings_view(run: Run) -> list[tuple[str, str]]:
    """The run settings as written (already redacted by the writer), flattened to key/value text."""
    settings = run.data.get("settings") or {}
    skip = {"collections", "engine_counters"}
    return [(str(k), _plain(v)) for k, v in settings.items() if k not in skip and v not in (None, "", [], {})]


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return str(value)
