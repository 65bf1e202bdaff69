"""plawbench (EvalScope 1.14.1): Chinese legal answers graded on expert rubrics, as points awarded by the judge.

The sample's ``metadata.judge_type`` picks the judge: ``case_analysis`` reports points per part (结论, 案件事实,
推理过程, 法条依据) and each part's maximum comes from the rubric (``metadata.rubrics``, a JSON list of parts with
``tags`` and ``points``); ``legal_qa`` and ``document_generation`` report one total out of ``metadata.max_points``.
The judge sees ``user: <metadata.prompt>`` and ``assistant: <raw answer>``. Awarded points are clipped to
``[0, maximum]``; ``acc`` = points / maximum (0 when the maximum is 0), and case analysis adds one ``*_acc``
per part its rubric scores. A verdict missing a part the rubric scores is an error of the sample, as in EvalScope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from pytest_evalindex.scorers.judge.contract import Verdict, VerdictField, VerdictSchema
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput, JudgeSpec, fill_values, messages_for
from pytest_evalindex.scorers.judge.templates import Template

CASE_ANALYSIS = "case_analysis"
_PART_OF_TAG = {"结论得分": "结论", "案情简述得分": "案件事实", "分析过程得分": "推理过程", "法条依据得分": "法条依据"}
_METRIC_OF_PART = {"结论": "conclusion_acc", "案件事实": "fact_acc", "推理过程": "reasoning_acc", "法条依据": "law_acc"}


class SectionScore(BaseModel):
    """The points the judge awards one part of a case analysis."""

    total_points: float


CASE_GRADE = VerdictSchema("CaseAnalysisGrade", (
    VerdictField("score_details", kind="model", annotation=dict[str, SectionScore],
                 description='an object mapping each part (结论, 法条依据, 案件事实, 推理过程) to '
                             '{"total_points": <number>}'),
), reason_key=None)
TOTAL_GRADE = VerdictSchema("TotalPointsGrade", (
    VerdictField("total_points", kind="float"),
    VerdictField("max_points", kind="model", annotation=float | None, default=None, description="a number"),
), reason_key=None)


def points(value: Any) -> float:
    """A reported number as a float: booleans and anything without a number are 0."""
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = re.search(r"-?\d+(?:\.\d+)?", value)
        if match:
            return float(match.group(0))
    return 0.0


def _sections(sample: JudgeInput) -> list[dict[str, Any]]:
    sections = json.loads(str(sample.metadata.get("rubrics", "")))
    if not isinstance(sections, list):
        raise ValueError("plawbench: a case_analysis rubric must be a JSON list")
    return sections


def _cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    kind = str(sample.metadata.get("judge_type", ""))
    if kind == CASE_ANALYSIS:
        rubric, schema = json.dumps(_sections(sample), ensure_ascii=False, indent=2), CASE_GRADE
    else:
        rubric, schema = str(sample.metadata.get("rubrics", "")), TOTAL_GRADE
    name = f"plawbench_{kind}"
    if name not in templates:
        raise ValueError(f"plawbench: unknown judge_type {kind!r} (case_analysis, legal_qa, document_generation)")
    conversation = f"user: {sample.metadata.get('prompt', '')}\n\nassistant: {sample.completion}\n\n"
    values = dict(fill_values(sample), conversation=conversation, rubric=rubric,
                  max_points=str(sample.metadata.get("max_points", "")))
    return [JudgeCase("rubric", "original", messages_for(templates[name], values, schema), schema, name)]


def _reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    if str(sample.metadata.get("judge_type")) != CASE_ANALYSIS:
        maximum = float(sample.metadata["max_points"])
        awarded = min(max(points(verdicts[0]["total_points"]), 0.0), maximum)
        return {"acc": awarded / maximum if maximum > 0 else 0.0}
    details = verdicts[0]["score_details"]
    maxima: dict[str, float] = {}
    for section in _sections(sample):
        part = _PART_OF_TAG.get(section.get("tags", ""))
        if part is not None:
            maxima[part] = maxima.get(part, 0.0) + points(section.get("points"))
    missing = [part for part in maxima if part not in details]
    if missing:
        raise ValueError(f"plawbench: the judge's score_details lack the parts {missing}")
    metrics = {"acc": 0.0}
    awarded_sum = maximum_sum = 0.0
    for part, maximum in maxima.items():
        awarded = min(max(points(details[part]["total_points"]), 0.0), maximum)
        awarded_sum += awarded
        maximum_sum += maximum
        metrics[_METRIC_OF_PART[part]] = awarded / maximum if maximum > 0 else 0.0
    metrics["acc"] = awarded_sum / maximum_sum if maximum_sum > 0 else 0.0
    return metrics


PLAWBENCH = JudgeSpec("plawbench", "judge_only", "acc", TOTAL_GRADE, _cases, _reduce)
"""plawbench's judge (its schema depends on the sample's judge type)."""
