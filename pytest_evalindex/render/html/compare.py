"""The HTML report's comparison views: a run against its baseline (flips first, then row deltas) and several
runs side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_evalindex.gates.baseline import BaselineComparison, compare
from pytest_evalindex.metrics.aggregate import LEVELS
from pytest_evalindex.render.html.data import Run, main_metric
from pytest_evalindex.runs.reader import baseline_from, results_from


def with_baseline(current: Run, baseline: Run) -> dict[str, Any]:
    """``current`` against ``baseline`` over their common samples (matched by content, never by position)."""
    source = baseline_from(baseline.file, baseline.data)  # both reports are in memory already
    results = results_from(current.file, current.data)
    settings = current.data.get("settings") or {}
    comparison = compare(results, source, max_drop=0.0, allow_mismatch=True, compat=bool(current.data.get("compat")),
                         pool_subsets_by_name=settings.get("compat") == "evalscope-legacy")
    data = comparison.to_dict()
    view = _flips_view(baseline.label, data)
    view["levels"] = _deltas(comparison, _paired(data))
    return view


def stored(current: Run) -> dict[str, Any] | None:
    """The comparison the run itself made (``--eval-baseline``), as its report recorded it."""
    data = current.data.get("baseline_comparison")
    if not isinstance(data, dict):
        return None
    label = f"{data.get('baseline_model') or '?'} (the run's --eval-baseline)"
    view = _flips_view(label, data)
    view["levels"] = _stored_deltas(_paired(data))
    return view


def _flips_view(label: str, data: dict[str, Any]) -> dict[str, Any]:
    drops = sorted((d for d in data.get("drops") or [] if isinstance(d, dict)), key=lambda d: -float(d.get("drop", 0)))
    return {"label": label, "common": data.get("common", 0), "only_current": data.get("only_current", 0),
            "only_baseline": data.get("only_baseline", 0),
            "regressions": [f for f in data.get("regressions") or [] if isinstance(f, dict)],
            "improvements": [f for f in data.get("improvements") or [] if isinstance(f, dict)],
            "drops": drops, "levels": [], "alpha": _number(data.get("alpha"), 0.05),
            "confidence": _number(data.get("confidence"), 0.95), "tests": data.get("tests") or 0}


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _paired(data: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The paired test of each (level, row, metric) a comparison ran, by key."""
    return {(str(p.get("level")), str(p.get("row")), str(p.get("metric"))): p
            for p in data.get("paired") or [] if isinstance(p, dict)}


def _tested(row: dict[str, Any], test: dict[str, Any] | None) -> dict[str, Any]:
    """``row`` with the paired test's interval of the delta and its Holm-adjusted p-value (one-sided: worse)."""
    ci = (test or {}).get("ci")
    interval = [float(ci[0]), float(ci[1])] if isinstance(ci, list) and len(ci) == 2 and all(
        isinstance(v, (int, float)) for v in ci) else None
    p_holm = (test or {}).get("p_holm")
    return {**row, "ci": interval, "p_holm": p_holm if isinstance(p_holm, (int, float)) else None}


def _deltas(comparison: BaselineComparison, paired: dict[tuple[str, str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for level in LEVELS:
        metric = main_metric(level)
        before = {row.name: row for row in comparison.baseline_report.levels.get(level, [])}
        rows = []
        for row in comparison.current_report.levels.get(level, []):
            old = before.get(row.name)
            was = getattr(old, metric) if old is not None else None
            now = getattr(row, metric)
            delta = round(now - was, 4) if was is not None and now is not None else None
            rows.append(_tested({"name": row.name, "baseline": was, "current": now, "delta": delta,
                                 "count": row.count}, paired.get((level, row.name, f"{metric}_avg"))))
        rows.sort(key=lambda r: (r["delta"] if r["delta"] is not None else 0.0, r["name"]))
        out.append({"name": level, "metric": metric, "rows": rows})
    return out


def _stored_deltas(paired: dict[tuple[str, str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Each level's rows as the run's own comparison tested them (its report keeps no baseline levels)."""
    out = []
    for level in LEVELS:
        metric = f"{main_metric(level)}_avg"
        rows = []
        for (row_level, name, row_metric), test in paired.items():
            if row_level != level or row_metric != metric:
                continue
            was, now = test.get("baseline"), test.get("current")
            delta = round(now - was, 4) if isinstance(was, (int, float)) and isinstance(now, (int, float)) else None
            rows.append(_tested({"name": name, "baseline": was, "current": now, "delta": delta,
                                 "count": test.get("n")}, test))
        if rows:
            rows.sort(key=lambda r: (r["delta"] if r["delta"] is not None else 0.0, r["name"]))
            out.append({"name": level, "metric": main_metric(level), "rows": rows})
    return out


def baseline_statuses(view: dict[str, Any] | None) -> dict[str, str]:
    """Node id → the baseline's status, for every flipped sample (the drill-down's "changed" filter)."""
    if view is None:
        return {}
    return {str(f.get("node_id")): str(f.get("baseline_status"))
            for f in [*view["regressions"], *view["improvements"]]}


def side_by_side(runs: Sequence[Run], reference: Run) -> dict[str, Any]:
    """Each level's rows (union over the runs) with each run's main value and its delta against ``reference``."""
    labels = [run.label for run in runs]
    levels_out = []
    for level in LEVELS:
        metric = main_metric(level)
        names: dict[str, None] = {}
        values: list[dict[str, float | None]] = []
        for run in runs:
            rows = {str(r.get("name")): r.get(metric) for r in (run.data.get("levels") or {}).get(level) or []}
            names.update(dict.fromkeys(rows))
            values.append(rows)
        ref = {str(r.get("name")): r.get(metric) for r in (reference.data.get("levels") or {}).get(level) or []}
        table = []
        for name in names:
            cells = []
            for rows in values:
                value, base = rows.get(name), ref.get(name)
                delta = round(value - base, 4) if isinstance(value, (int, float)) and isinstance(base, (int, float)) \
                    else None
                cells.append({"value": value, "delta": delta})
            table.append({"name": name, "cells": cells})
        levels_out.append({"name": level, "metric": metric, "rows": table})
    index = [run.data.get("index", {}) or {} for run in runs]
    return {"labels": labels, "reference": reference.label, "levels": levels_out,
            "index": [i.get("weighted") for i in index]}
