"""``perf_metrics`` of EvalScope's v2 report (what its viewer's Performance panel reads): per-request latency and
token statistics in EvalScope 1.14's shape (``summary``, ``coverage``, ``metric_semantics``), from what every
answered sample recorded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pytest_evalindex.core.results import SampleResult

_PERCENTILES = ((0.25, "25%"), (0.5, "50%"), (0.75, "75%"), (0.9, "90%"), (0.99, "99%"))


def _semantics(semantic_id: str, name: str, kind: str, direction: str, unit: str | None,
               precision: int) -> dict[str, Any]:
    return {"semantic_id": semantic_id, "metric_name": name, "display_name": None, "kind": kind,
            "direction": direction, "raw_unit": unit, "value_range": None, "display_kind": "number",
            "display_multiplier": None, "display_unit": unit, "display_precision": precision}


def _count(name: str) -> dict[str, Any]:
    return _semantics("diagnostic.count.items", name, "diagnostic", "none", None, 0)


# EvalScope's semantics of the fields its summary has (the viewer formats values with them).
SEMANTICS: dict[str, dict[str, Any]] = {
    "n_samples": _count("Samples"),
    "latency": _semantics("perf.latency.seconds", "Latency", "quality", "lower_is_better", "s", 3),
    "throughput.avg_output_tps": _semantics("perf.throughput.tokens_per_second", "Output Throughput", "quality",
                                            "higher_is_better", "tok/s", 2),
    "throughput.avg_req_ps": _semantics("perf.throughput.requests_per_second", "Request Throughput", "quality",
                                        "higher_is_better", "req/s", 2),
    "usage.input_tokens": _count("Input Tokens"),
    "usage.output_tokens": _count("Output Tokens"),
    "usage.total_tokens": _count("Total Tokens"),
}


def perf_metrics(results: Sequence[SampleResult]) -> dict[str, Any]:
    """The report's ``perf_metrics``: a summary over the requests that recorded a latency (EvalScope records one
    per request with timings), the coverage, and the semantics of the summary's fields."""
    timed = [r for r in results if r.latency is not None]
    coverage = {"requests_with_metrics": len(timed), "total_requests": len(results)}
    if not timed:
        return {"coverage": coverage}
    latencies = [float(r.latency or 0.0) for r in timed]
    inputs = [float(r.usage.input_tokens) for r in timed]
    outputs = [float(r.usage.output_tokens) for r in timed]
    totals = [i + o for i, o in zip(inputs, outputs)]
    mean_latency = sum(latencies) / len(latencies)
    mean_output = sum(outputs) / len(outputs)
    summary = {
        "n_samples": len(timed),
        "latency": stats(latencies),
        "throughput": {"avg_output_tps": round(mean_output / mean_latency, 2) if mean_latency > 0 else 0.0,
                       "avg_req_ps": round(1.0 / mean_latency, 4) if mean_latency > 0 else 0.0},
        "usage": {"input_tokens": stats(inputs), "output_tokens": stats(outputs), "total_tokens": stats(totals),
                  "total_input_tokens": int(sum(inputs)), "total_output_tokens": int(sum(outputs)),
                  "total_tokens_count": int(sum(totals))},
    }
    return {"summary": summary, "coverage": coverage, "metric_semantics": dict(SEMANTICS)}


def stats(values: Sequence[float]) -> dict[str, float | None]:
    """pandas ``describe`` of ``values`` as EvalScope keeps it: mean, std (ddof 1; ``None`` for one value), min,
    the 25/50/75/90/99th percentiles (linear interpolation), max, each rounded to 6 places."""
    ordered = sorted(values)
    n = len(ordered)
    mean = sum(ordered) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in ordered) / (n - 1)) if n > 1 else None
    out: dict[str, float | None] = {"mean": round(mean, 6), "std": None if std is None else round(std, 6),
                                    "min": round(ordered[0], 6)}
    for q, key in _PERCENTILES:
        position = (n - 1) * q
        low = math.floor(position)
        high = min(low + 1, n - 1)
        out[key] = round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 6)
    out["max"] = round(ordered[-1], 6)
    return out
