"""EvalScope 1.14.1's rubric-graded benchmarks: one judge request per rubric item, met/not met, weighted points.

health_bench: each item of ``metadata.rubrics`` (``criterion``, ``points``, ``tags``) is judged against the
prompt's conversation (``metadata.prompt``) followed by the raw answer; ``overall_score`` = points of the items
met / the sum of the positive points, and one metric per ``axis:<name>`` tag computed the same way over that
tag's items (left out when they carry no positive points), and every tag's score so computed in the metadata's
``rubric_tag_scores``. prbench: each criterion of ``metadata.rubrics``
(``title``, ``weight``) is judged against the prompt's messages followed by the answer stripped of reasoning
blocks; ``clipped_score`` = weight met / positive weight, ``normalized_score`` shifts both by the negative
weight. one_million_bench: all the rubrics of the sample's target (a JSON list of ``rubric_number``,
``rubric_detail``, ``rubric_weight``) in one request answered hit/miss per rubric id; ``expert_score`` = weight
hit / positive weight clipped to 0..1, ``pass_rate`` = 1 when that is at least 0.7. health_bench and prbench do
not clip a sample's score: EvalScope clips the dataset's mean (0..1 for health_bench's
``clipped_mean``, at 0 for prbench's ``clipped_score``) in its own report only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from pytest_evalindex.scorers.judge.contract import Verdict, VerdictField, VerdictSchema
from pytest_evalindex.scorers.judge.plawbench import PLAWBENCH
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput, JudgeSpec, fill_values, messages_for
from pytest_evalindex.scorers.judge.templates import Template

RUBRIC_GRADE = VerdictSchema("RubricGrade", (VerdictField("criteria_met", kind="bool"),), reason_key="explanation")
"""One rubric item's verdict: ``criteria_met`` (a boolean) and an optional ``explanation``."""


NO_POSITIVE = ("{name}: the sample has no {what}, so it has no score (EvalScope fails on it too); "
               "fix the sample's rubrics in the collection")


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
    rubrics = _items(sample)
    if not any(float(item.get("points", 0)) > 0 for item in rubrics):
        raise ValueError(NO_POSITIVE.format(name="health_bench", what="rubric item with positive points"))
    for number, item in enumerate(rubrics, 1):
        tags = [str(tag) for tag in item.get("tags") or []]
        if len(set(tags)) != len(tags):  # EvalScope fails such a sample after judging it; here, before
            twice = next(tag for tag in tags if tags.count(tag) > 1)
            raise ValueError(f"health_bench: rubric item {number} lists the tag {twice!r} twice")
    items = [f"[{item.get('points')}] {item.get('criterion')}" for item in rubrics]
    return _rubric_cases("health_bench", sample, conversation, items, spec, templates)


def _health_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    points = [float(item.get("points", 0)) for item in _items(sample)]
    metrics: dict[str, Any] = {"overall_score": _share(points, [bool(v["criteria_met"]) for v in verdicts])}
    for tag, score in _health_tag_scores(verdicts, sample).items():
        if tag.startswith("axis:"):
            metrics[tag.split(":")[1]] = score
    return metrics


def _health_tag_scores(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    """Each rubric tag's score over the items carrying it, as ``overall_score`` is over all items (tags whose items
    carry no positive points left out), in the order the tags first appear."""
    items = _items(sample)
    points = [float(item.get("points", 0)) for item in items]
    met = [bool(v["criteria_met"]) for v in verdicts]
    tagged: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        for tag in (str(t) for t in item.get("tags") or []):
            tagged.setdefault(tag, []).append(index)
    scores = {tag: _share([points[i] for i in indexes], [met[i] for i in indexes])
              for tag, indexes in tagged.items()}
    return {tag: score for tag, score in scores.items() if score is not None}


def _health_meta(sample: JudgeInput, verdicts: Sequence[Verdict]) -> dict[str, Any]:
    return {"rubric_count": len(_items(sample)), "rubric_tag_scores": _health_tag_scores(verdicts, sample)}


# -- prbench ---------------------------------------------------------------------------------------------

_REASONING_BLOCK = re.compile(r"<(think|thinking|reasoning|reason)>.*?</\1>", re.DOTALL | re.IGNORECASE)


def prbench_extract(completion: str) -> str:
    """The answer without its reasoning blocks, runs of blank lines collapsed to one, stripped."""
    return re.sub(r"\n\s*\n\s*\n", "\n\n", _REASONING_BLOCK.sub("", completion)).strip()


def _prbench_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    turns = [*sample.conversation, ("assistant", sample.prediction)]
    conversation = "\n".join(f"{role}: {text}" for role, text in turns).strip()
    if not any(float(item["weight"]) > 0 for item in _items(sample)):
        raise ValueError(NO_POSITIVE.format(name="prbench", what="rubric with a positive weight"))
    items = [str(item.get("title", "")) for item in _items(sample)]
    return _rubric_cases("prbench", sample, conversation, items, spec, templates)


def _prbench_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    weights = [float(item["weight"]) for item in _items(sample)]
    met = [bool(v["criteria_met"]) for v in verdicts]
    points = sum(w for w, hit in zip(weights, met) if hit)
    positive = sum(w for w in weights if w > 0)
    negative = sum(w for w in weights if w < 0)
    if positive <= 0:
        raise ValueError(NO_POSITIVE.format(name="prbench", what="rubric with a positive weight"))
    return {"clipped_score": points / positive, "normalized_score": (points - negative) / (positive - negative)}


# -- one_million_bench -----------------------------------------------------------------------------------

_HIT = frozenset({"是", "Yes", "yes", "Y", "YES", "true", "True", "命中"})
_STATUS = Literal["是", "否", "Yes", "No", "yes", "no", "Y", "N", "YES", "NO", "true", "false", "True", "False",
                  "命中", "未命中"]
PASS_MARK = 0.7


class RubricJudgment(BaseModel):
    """one_million_bench's verdict on one rubric item."""

    rubric_id: int
    status: _STATUS
    justification: str


def _million_rubrics(sample: JudgeInput) -> list[dict[str, Any]]:
    rubrics = json.loads(sample.target)
    if not isinstance(rubrics, list):
        raise ValueError("one_million_bench needs its target to be a JSON list of rubrics")
    return rubrics


def _million_schema(ids: Sequence[int]) -> VerdictSchema:
    expected = sorted(set(ids))

    def check(verdict: BaseModel) -> str | None:
        given = [item["rubric_id"] for item in verdict.model_dump()["results"]]
        if len(given) != len(set(given)):
            return "results: rubric_id values must be unique"
        if sorted(set(given)) != expected:
            return f"results: rubric_id values must be exactly {expected}"
        return None

    results = VerdictField("results", kind="model", annotation=list[RubricJudgment],
                           description='a list with one {"rubric_id": <integer>, "status": "是" or "否", '
                                       f'"justification": <text>}} per rubric, rubric ids {expected}')
    return VerdictSchema("GradingResult", (results,), reason_key=None, check=check)


def _million_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    rubrics = _million_rubrics(sample)
    if not any(r["rubric_weight"] > 0 for r in rubrics):
        raise ValueError(NO_POSITIVE.format(name="one_million_bench", what="rubric with a positive weight"))
    schema = _million_schema([int(r["rubric_number"]) for r in rubrics])
    listed = "\n\n".join(f"Rubric {r['rubric_number']} (weight {int(r['rubric_weight']):+d}): {r['rubric_detail']}"
                          for r in rubrics)
    question = str(sample.metadata.get("question", sample.question))
    values = dict(fill_values(sample, question=question), response=sample.completion, rubric=listed)
    return [JudgeCase("rubrics", "original", messages_for(templates["one_million_bench"], values, schema), schema,
                      "one_million_bench")]


def _million_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    rubrics = _million_rubrics(sample)
    status = {int(item["rubric_id"]): item["status"] for item in verdicts[0]["results"]}
    positive = sum(int(r["rubric_weight"]) for r in rubrics if r["rubric_weight"] > 0)
    if positive <= 0:
        raise ValueError(NO_POSITIVE.format(name="one_million_bench", what="rubric with a positive weight"))
    raw = sum(int(r["rubric_weight"]) for r in rubrics if status[int(r["rubric_number"])] in _HIT)
    expert = min(max(raw / positive, 0.0), 1.0)
    return {"expert_score": expert, "pass_rate": float(expert >= PASS_MARK)}


RUBRIC_SPECS: dict[str, JudgeSpec] = {
    "health_bench": JudgeSpec("health_bench", "judge_only", "overall_score", RUBRIC_GRADE, _health_cases,
                              _health_reduce, finalize=_health_meta),
    "prbench": JudgeSpec("prbench", "judge_only", "clipped_score", RUBRIC_GRADE, _prbench_cases, _prbench_reduce,
                         extract=prbench_extract),
    "one_million_bench": JudgeSpec("one_million_bench", "judge_only", "expert_score", _million_schema([]),
                                   _million_cases, _million_reduce),
    "plawbench": PLAWBENCH,
}
"""The rubric-graded benchmarks by EvalScope name."""
