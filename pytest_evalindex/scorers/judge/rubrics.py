"""EvalScope 1.14.1's rubric-graded benchmarks: one judge request per rubric item, met/not met, weighted points.

health_bench: each item of ``metadata.rubrics`` (``criterion``, ``points``, ``tags``) is judged against the
prompt's conversation (``metadata.prompt``) followed by the raw answer; ``overall_score`` = points of the items
met / the sum of the positive points, and one metric per ``axis:<name>`` tag computed the same way over that
tag's items (left out when they carry no positive points). prbench: each criterion of ``metadata.rubrics``
(``title``, ``weight``) is judged against the prompt's messages followed by the answer stripped of reasoning
blocks; ``clipped_score`` = weight met / positive weight, ``normalized_score`` shifts both by the negative
weight. Neither clips a sample's score: EvalScope clips the dataset's mean (0..1 for health_bench's
``clipped_mean``, at 0 for prbench's ``clipped_score``) in its own report only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_evalindex.scorers.judge.contract import Verdict, VerdictField, VerdictSchema
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput, JudgeSpec, fill_values, messages_for
from pytest_evalindex.scorers.judge.templates import Template

RUBRIC_GRADE = VerdictSchema("RubricGrade", (VerdictField("criteria_met", kind="bool"),), reason_key="explanation")
"""One rubric item's verdict: ``criteria_met`` (a boolean) and an optional ``explanation``."""


def _items(sample: JudgeInput) -> list[Mapping[str, Any]]:
    rubrics = sample.metadata.get("rubrics")
    return [item for item in rubrics if isinstance(item, Mapping)] if isinstance(rubrics, list) else []


def _rubric_cases(name: str, sample: JudgeInput, conversation: str, items: Sequence[str],
                  spec: JudgeSpec, templates: Mapping[str, Template]) -> list[JudgeCase]:
    cases = []
    for index, item in enumerate(items):
        values = dict(fill_values(sample), conversation=conversation, rubric=item)
        cases.append(JudgeCase(f"rubric_{index}", "original", messages_for(templates[name], values, spec.schema),
                               spec.schema, name))
    return cases


def _share(points: Sequence[float], met: Sequence[bool]) -> float | None:
    """Points of the items met over the positive points (``None`` when no item carries positive points)."""
    possible = sum(p for p in points if p > 0)
    if possible == 0:
        return None
    return sum(p for p, hit in zip(points, met) if hit) / possible


# -- health_bench ----------------------------------------------------------------------------------------

def _health_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    prompt = sample.metadata.get("prompt")
    turns = [m for m in prompt if isinstance(m, Mapping)] if isinstance(prompt, list) else []
    turns.append({"role": "assistant", "content": sample.completion})
    conversation = "\n\n".join(f"{m.get('role')}: {m.get('content')}" for m in turns)
    items = [f"[{item.get('points')}] {item.get('criterion')}" for item in _items(sample)]
    return _rubric_cases("health_bench", sample, conversation, items, spec, templates)


def _health_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    items = _items(sample)
    points = [float(item.get("points", 0)) for item in items]
    met = [bool(v["criteria_met"]) for v in verdicts]
    metrics: dict[str, Any] = {"overall_score": _share(points, met)}
    tagged: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        for tag in item.get("tags") or []:
            tagged.setdefault(str(tag), []).append(index)
    for tag, indexes in tagged.items():
        score = _share([points[i] for i in indexes], [met[i] for i in indexes])
        if score is not None and tag.startswith("axis:"):
            metrics[tag.split(":")[1]] = score
    return metrics


def _health_meta(sample: JudgeInput) -> dict[str, Any]:
    return {"rubric_count": len(_items(sample))}


# -- prbench ---------------------------------------------------------------------------------------------

_REASONING_BLOCK = re.compile(r"<(think|thinking|reasoning|reason)>.*?</\1>", re.DOTALL | re.IGNORECASE)


def prbench_extract(completion: str) -> str:
    """The answer without its reasoning blocks, runs of blank lines collapsed to one, stripped."""
    return re.sub(r"\n\s*\n\s*\n", "\n\n", _REASONING_BLOCK.sub("", completion)).strip()


def _prbench_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    turns = [*sample.conversation, ("assistant", sample.prediction)]
    conversation = "\n".join(f"{role}: {text}" for role, text in turns).strip()
    items = [str(item.get("title", "")) for item in _items(sample)]
    return _rubric_cases("prbench", sample, conversation, items, spec, templates)


def _prbench_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    weights = [float(item["weight"]) for item in _items(sample)]
    met = [bool(v["criteria_met"]) for v in verdicts]
    points = sum(w for w, hit in zip(weights, met) if hit)
    positive = sum(w for w in weights if w > 0)
    negative = sum(w for w in weights if w < 0)
    if positive <= 0:
        raise ValueError("prbench needs at least one rubric with a positive weight")
    return {"clipped_score": points / positive, "normalized_score": (points - negative) / (positive - negative)}


RUBRIC_SPECS: dict[str, JudgeSpec] = {
    "health_bench": JudgeSpec("health_bench", "judge_only", "overall_score", RUBRIC_GRADE, _health_cases,
                              _health_reduce, finalize=_health_meta),
    "prbench": JudgeSpec("prbench", "judge_only", "clipped_score", RUBRIC_GRADE, _prbench_cases, _prbench_reduce,
                         extract=prbench_extract),
}
"""The rubric-graded benchmarks by EvalScope name."""
