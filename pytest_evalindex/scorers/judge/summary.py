"""EvalScope 1.14.1's ``JudgeSummary``: one per judged sample (in its review line) and one per run (in the report).

One judge, one repeat: a sample has one *observation* (all its judge cases together), usable or not. A usable
one agrees with itself (spread 0, agreement 1, entropy -0.0, as EvalScope writes it); pairwise benchmarks also
report whether their placements agreed. Unusable verdicts count as ``parse_error`` failures; a judge transport
failure is an error of the sample here, so it never reaches a summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

UNUSABLE = "no judge produced a usable verdict"
_SAME = {"std": 0.0, "range": 0.0}
_AGREE = {"agreement_ratio": 1.0, "vote_entropy": -0.0}


def sample_summary(*, status: str, judge_model: str, metrics: Mapping[str, float] | None,
                   categorical_keys: Sequence[str], position_consistency: float | None = None) -> dict[str, Any]:
    """A judged sample's summary; ``metrics`` is ``None`` when its verdict was unusable. ``categorical_keys``:
    ``pairwise/<metric>`` for a pairwise benchmark, else the cases whose verdict has a ``verdict`` label."""
    usable = metrics is not None
    disagreement: dict[str, Any] = {}
    if metrics is not None:
        disagreement = {
            "numeric": {"all_observations": {name: dict(_SAME) for name in metrics}, "repeats": {},
                        "cross_judge": {name: dict(_SAME) for name in metrics}},
            "categorical": {key: {**_AGREE, "repeats": {}, "cross_judge": dict(_AGREE)} for key in categorical_keys},
            "position_consistency": position_consistency,
            "swap_flip_count": 1 if position_consistency == 0.0 else 0,
        }
    return {"status": status, "scored": int(usable), "total": 1, "coverage": float(usable),
            "judge_models": [judge_model], "valid_observations": int(usable), "total_observations": 1,
            "failures": {} if usable else {"parse_error": 1}, "disagreement": disagreement,
            "error": None if usable else UNUSABLE}


def with_status(summary: Any, status: str) -> Any:
    """The summary carried over to a rule-score fallback, with the final status."""
    return {**summary, "status": status} if isinstance(summary, dict) else summary


def run_summary(summaries: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The run's summary over its judged samples' summaries (``None`` when nothing was judged)."""
    rows = list(summaries)
    if not rows:
        return None
    usable = [row for row in rows if row.get("status") in ("success", "degraded", "fallback")]
    failures: dict[str, int] = {}
    models: list[str] = []
    for row in rows:
        for name, count in (row.get("failures") or {}).items():
            failures[name] = failures.get(name, 0) + int(count)
        models.extend(m for m in row.get("judge_models") or [] if m not in models)
    status = ("excluded" if not usable else
              "degraded" if len(usable) != len(rows) or any(r.get("status") != "success" for r in rows) else "success")
    return {"status": status, "scored": len(usable), "total": len(rows), "coverage": len(usable) / len(rows),
            "judge_models": models, "valid_observations": sum(int(r.get("valid_observations", 0)) for r in rows),
            "total_observations": sum(int(r.get("total_observations", 0)) for r in rows),
            "failures": failures, "disagreement": _disagreement([r.get("disagreement") or {} for r in rows]),
            "error": None}


def _disagreement(details: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    numeric: dict[str, dict[str, list[float]]] = {}
    categorical: dict[str, dict[str, list[float]]] = {}
    positions: list[float] = []
    flips = 0
    for detail in details:
        for name, values in (detail.get("numeric") or {}).get("all_observations", {}).items():
            for key in ("std", "range"):
                if key in values:
                    numeric.setdefault(name, {"std": [], "range": []})[key].append(float(values[key]))
        for name, values in (detail.get("categorical") or {}).items():
            for key in ("agreement_ratio", "vote_entropy"):
                if key in values:
                    categorical.setdefault(name, {"agreement_ratio": [], "vote_entropy": []})[key].append(
                        float(values[key]))
        if detail.get("position_consistency") is not None:
            positions.append(float(detail["position_consistency"]))
        flips += int(detail.get("swap_flip_count", 0))
    return {
        "numeric": {name: {"mean_std": _mean(v["std"]), "max_range": max(v["range"]) if v["range"] else 0.0,
                           "samples": max(len(v["std"]), len(v["range"]))} for name, v in numeric.items()},
        "categorical": {name: {"mean_agreement_ratio": _mean(v["agreement_ratio"]),
                               "mean_vote_entropy": _mean(v["vote_entropy"]),
                               "samples": max(len(v["agreement_ratio"]), len(v["vote_entropy"]))}
                        for name, v in categorical.items()},
        "position_consistency": {"mean": sum(positions) / len(positions) if positions else None,
                                 "samples": len(positions), "swap_flip_count": flips},
    }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
