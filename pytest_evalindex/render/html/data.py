"""The HTML report's data: runs read from their folders, turned into plain view models for the template and
one compact JSON payload (samples as rows of columns) for the page's drill-down script."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_evalindex.core.results import Status
from pytest_evalindex.metrics.aggregate import LEVELS
from pytest_evalindex.render.html.details import DETAIL_FIELDS, read_details, text_limit
from pytest_evalindex.runs.reader import read_report_file

STATUSES: tuple[Status, ...] = ("correct", "partial", "incorrect", "excluded", "error")
SAMPLE_COLUMNS = ("node_id", "dataset", "subset", "tags", "status", "score", "extracted", "latency",
                  "input_tokens", "output_tokens", "baseline_status")
"""The columns of each sample row in the payload (dataset, subset, tags and statuses as indices into tables)."""
_PERCENTILES = (50, 90, 95, 99)


@dataclass
class Run:
    """One run as the report reads it: its report JSON and, per sample, its detail texts."""

    file: Path
    data: dict[str, Any]
    details: list[list[str] | None] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The run folder's name (``20261201_171300``) and the model."""
        run_dir = self.file.parent.parent.parent
        return f"{run_dir.name} · {self.data.get('model') or '?'}"

    @property
    def samples(self) -> list[dict[str, Any]]:
        samples = self.data.get("samples")
        return samples if isinstance(samples, list) else []


def load_run(path: Path, *, with_details: bool = True) -> Run:
    """Read a run folder (or its ``evalindex_report.json``); raises ``BaselineError`` with a one-line message."""
    file, data = read_report_file(path, what="run")
    run = Run(file=file, data=data)
    if with_details:
        run.details = read_details(file, run.samples, limit=text_limit(len(run.samples)))
    return run


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
    """Latency percentiles, token counts and throughput from what every answered sample recorded."""
    samples = [s for s in run.samples if s.get("status") != "error"]
    timed = [s for s in samples if isinstance(s.get("latency"), (int, float))]
    fresh = [s for s in timed if not s.get("cached")]
    latencies = sorted(float(s["latency"]) for s in (fresh or timed))
    usage = [s.get("usage") or {} for s in samples]
    tokens_in = sum(int(u.get("input_tokens") or 0) for u in usage)
    tokens_out = sum(int(u.get("output_tokens") or 0) for u in usage)
    timed_out = sum(int((s.get("usage") or {}).get("output_tokens") or 0) for s in (fresh or timed))
    busy = sum(latencies)
    return {
        "answered": len(samples), "timed": len(latencies), "cached": sum(1 for s in samples if s.get("cached")),
        "latency": {f"p{p}": _percentile(latencies, p) for p in _PERCENTILES} | {
            "mean": busy / len(latencies) if latencies else None, "min": latencies[0] if latencies else None,
            "max": latencies[-1] if latencies else None},
        "input_tokens": tokens_in, "output_tokens": tokens_out,
        "mean_output_tokens": tokens_out / len(samples) if samples else None,
        "output_tokens_per_second": timed_out / busy if busy > 0 else None,
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
    if not values:
        return []
    low, high = values[0], values[-1]
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / width), bins - 1)] += 1
    return counts


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


def sample_payload(run: Run, baseline_status: dict[str, str]) -> dict[str, Any]:
    """The drill-down's data: sample rows of :data:`SAMPLE_COLUMNS` with lookup tables, and the detail texts
    in a separate list (parsed only when a sample is opened)."""
    datasets: dict[str, int] = {}
    subsets: dict[str, int] = {}
    tags: dict[str, int] = {}
    status_index: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
    rows = []
    for sample in run.samples:
        usage = sample.get("usage") or {}
        before = baseline_status.get(str(sample.get("node_id")))
        rows.append([
            str(sample.get("node_id", "")),
            datasets.setdefault(str(sample.get("dataset_name", "")), len(datasets)),
            subsets.setdefault(str(sample.get("subset_name", "")), len(subsets)),
            [tags.setdefault(str(t), len(tags)) for t in sample.get("tags") or []],
            status_index.get(str(sample.get("status")), len(STATUSES) - 1),
            sample.get("score"),
            sample.get("extracted") if sample.get("status") != "error" else sample.get("error"),
            sample.get("latency"),
            usage.get("input_tokens"), usage.get("output_tokens"),
            status_index.get(before, -1) if before is not None else -1,
        ])
    return {"columns": list(SAMPLE_COLUMNS), "statuses": list(STATUSES), "datasets": list(datasets),
            "subsets": list(subsets), "tags": list(tags), "rows": rows, "detail_fields": list(DETAIL_FIELDS)}
