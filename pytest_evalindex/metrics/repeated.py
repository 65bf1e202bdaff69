"""Samples answered K times (``--eval-repeats``): one result per sample, its answers expanded, per-row pass@k.

A sample's K answers are averaged before any row is computed (Miller 2024: pooling the n·K answers as
independent undercovers), so a flaky sample scores e.g. 2/3 and is ``partial``. Rows then gain, over their
scored samples, Chen et al.'s unbiased pass@k for k = 1…K (micro, macro over the row's (dataset, subset)
children, weighted by the lines' weights, as the row's averages are) and how many samples were
stable-correct, flaky or stable-wrong. An answer counts as correct at full marks (score 1).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from pytest_evalindex.core.results import SampleResult, Status, Usage
from pytest_evalindex.metrics.repeats import STABILITY, pass_at_k_scores, stability

# The answer's own fields, kept per repeat (the sample's identity and metadata are shared).
_ANSWER_FIELDS = ("status", "score", "metric", "metrics", "extracted", "completion", "reasoning", "finish_reason",
                  "explanation", "score_metadata", "latency", "cached")


def status_of(score: float | None) -> Status:
    """``correct`` at 1, ``incorrect`` at 0, ``partial`` between, ``excluded`` when unscored."""
    if score is None:
        return "excluded"
    return "correct" if score >= 1.0 else ("incorrect" if score <= 0.0 else "partial")


def _answer(result: SampleResult) -> dict[str, Any]:
    data = {name: getattr(result, name) for name in _ANSWER_FIELDS}
    u = result.usage
    data["usage"] = {"input_tokens": u.input_tokens, "output_tokens": u.output_tokens, "total_tokens": u.total_tokens}
    return data


def combine_repeats(answers: Sequence[SampleResult]) -> SampleResult:
    """One sample's result from the results of its answers (repeat order): the mean of the scored answers
    (every metric averaged alike), the answer fields of repeat 0 and every answer's outcome in ``repeats``."""
    if len(answers) == 1:
        return answers[0]
    first = answers[0]
    scored = [a for a in answers if a.score is not None and a.status != "error"]
    mean = math.fsum(float(a.score) for a in scored if a.score is not None) / len(scored) if scored else None
    metrics: dict[str, float] | None = None
    if scored and all(a.metrics for a in scored):
        names = [n for n in (scored[0].metrics or {}) if all(n in (a.metrics or {}) for a in scored)]
        metrics = {n: math.fsum((a.metrics or {})[n] for a in scored) / len(scored) for n in names}
    usage = Usage(*(sum(getattr(a.usage, f) for a in answers) for f in ("input_tokens", "output_tokens",
                                                                         "total_tokens")))
    return dataclasses.replace(first, status=status_of(mean), score=mean, metrics=metrics, usage=usage,
                               cached=all(a.cached for a in answers), repeats=[_answer(a) for a in answers])


def expand_repeats(result: SampleResult) -> list[SampleResult]:
    """The sample's answers as results of their own (one per repeat; the result itself without repeats)."""
    if not result.repeats:
        return [result]
    out = []
    for answer in result.repeats:
        fields = {k: v for k, v in answer.items() if k in _ANSWER_FIELDS}
        out.append(dataclasses.replace(result, **fields, usage=Usage(**answer.get("usage", {})), repeats=None))
    return out


def answer_scores(result: SampleResult) -> list[float | None]:
    """The scores of a sample's answers (one entry without repeats)."""
    if not result.repeats:
        return [result.score]
    return [a.get("score") if a.get("status") not in ("error", "excluded") else None for a in result.repeats]


def repeat_summary(scored: Sequence[SampleResult], child: Callable[[SampleResult], tuple[str, ...]] | None
                   ) -> dict[str, Any] | None:
    """A row's repeat statistics over its scored samples, or ``None`` when none was answered more than once.

    ``{"k": K, "pass@k": {"1": {"micro", "macro", "weighted"}, …}, "stability": {class: count}}``; pass@k
    for a k averages the samples with at least k scored answers; values rounded to 4 places.
    """
    if not any(r.repeats for r in scored):
        return None
    per_sample = [(r, pass_at_k_scores(answer_scores(r))) for r in scored]
    top = max((max(g, default=0) for _, g in per_sample), default=0)
    passes: dict[str, dict[str, float | None]] = {}
    for k in range(1, top + 1):
        values = [(r, g[k]) for r, g in per_sample if k in g]
        passes[str(k)] = _averages(values, child)
    counts = dict.fromkeys(STABILITY, 0)
    for r in scored:
        cls = stability(answer_scores(r))
        if cls is not None:
            counts[cls] += 1
    return {"k": max(len(r.repeats or ()) for r in scored), "pass@k": passes, "stability": counts}


def _averages(values: Sequence[tuple[SampleResult, float]], child: Callable[[SampleResult], tuple[str, ...]] | None
              ) -> dict[str, float | None]:
    if not values:
        return {"micro": None, "macro": None, "weighted": None}
    micro = math.fsum(v for _, v in values) / len(values)
    total = math.fsum(r.weight for r, _ in values)
    weighted = math.fsum(r.weight * v for r, v in values) / total if total else micro
    macro = micro
    if child is not None:
        groups: dict[tuple[str, ...], list[float]] = {}
        for r, v in values:
            groups.setdefault(child(r), []).append(v)
        macro = math.fsum(math.fsum(g) / len(g) for g in groups.values()) / len(groups)
    return {"micro": round(micro, 4), "macro": round(macro, 4), "weighted": round(weighted, 4)}
