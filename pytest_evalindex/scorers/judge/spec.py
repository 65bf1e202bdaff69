"""What a judged benchmark sends the judge and how its verdicts become metrics (EvalScope 1.14.1's definitions).

A :class:`JudgeSpec` turns one sample (:class:`JudgeInput`) into the judge requests it needs
(:class:`JudgeCase`: rendered messages, verdict schema, placement) and folds the verdicts back
into metrics. ``policy`` is EvalScope's scoring policy: ``judge_only`` (no rule score exists),
``judge_default`` (judged under ``auto``, the rule score stands in when the verdict is unusable) or
``rule_default`` (the generic judge of any other benchmark, used under ``llm`` / ``llm_recall``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pytest_evalindex.scorers.judge.contract import Verdict, VerdictSchema
from pytest_evalindex.scorers.judge.templates import Template

PROTOCOL_VERSION = "1"
"""Bumped whenever a built-in template or schema changes: part of every judge cache key."""

Policy = str  # judge_only | judge_default | rule_default


@dataclass(frozen=True)
class JudgeInput:
    """What the judge is told about one sample."""

    question: str  # the prompt as EvalScope's input_text renders it (or the dataset's own question field)
    target: str
    prediction: str  # the answer after the benchmark's own extraction
    completion: str  # the raw answer
    metadata: Mapping[str, Any] = field(default_factory=dict)
    targets: tuple[str, ...] = ()  # the target's items when it is a list (cl_bench's rubrics)
    conversation: tuple[tuple[str, str], ...] = ()  # the prompt's (role, text) messages (prbench's judge reads them)
    answers: tuple[str, ...] = ()  # a multi-turn sample's answer to each turn (the last one is ``completion``)


@dataclass(frozen=True)
class JudgeCase:
    """One judge request of a sample."""

    case_id: str
    placement: str
    messages: list[dict[str, str]]
    schema: VerdictSchema
    template: str  # which template rendered it (its source is recorded with the verdict)


CaseBuilder = Callable[["JudgeSpec", JudgeInput, Mapping[str, Template]], list[JudgeCase]]
Reducer = Callable[[Sequence[Verdict], JudgeInput], dict[str, float]]


@dataclass(frozen=True)
class JudgeSpec:
    """A judged benchmark: policy, main metric, requests and the verdict → metrics rule."""

    name: str
    policy: Policy
    metric: str
    schema: VerdictSchema
    build: CaseBuilder
    reduce: Reducer
    extract: Callable[[str], str] = field(default=lambda text: text)
    # Extra score metadata from the sample and its usable verdicts (hle's confidence, health_bench's tag scores).
    finalize: Callable[[JudgeInput, Sequence[Verdict]], dict[str, Any]] | None = None
    question_key: str | None = None  # metadata field holding the question, instead of the rendered prompt
    # Pairwise benchmarks: whether the placements' verdicts agreed (1.0) or not (0.0), for the judge summary.
    position_consistency: Callable[[Sequence[Verdict]], float] | None = None
    # A sample scored without asking the judge (cl_bench's empty answer): its metrics, else None.
    skip: Callable[[JudgeInput], dict[str, float] | None] | None = None
    # The main metric's range when it is not 0–1 (mt_bench's 1–10): the default mode rescales it (outcome.py).
    scale: tuple[float, float] | None = None

    @property
    def judge_only(self) -> bool:
        return self.policy == "judge_only"


def fill_values(sample: JudgeInput, question: str | None = None) -> dict[str, str]:
    """Every placeholder name a template may use, filled from ``sample``."""
    q = sample.question if question is None else question
    t, p = sample.target, sample.prediction
    return {"question": q, "problem": q, "instruction": q, "target": t, "gold": t, "correct_answer": t,
            "answer_1": t, "prediction": p, "pred": p, "predicted_answer": p, "response": p, "answer_2": p,
            "output_1": t, "output_2": p, "rubric": "", "conversation": "",
            "max_points": "", **_turn_values(sample)}


def _turn_values(sample: JudgeInput) -> dict[str, str]:
    """``turn_i``, ``reply_i``, ``reference_i`` (i = 1, 2) of a two-turn sample; empty where it has none."""
    turns, references = sample.metadata.get("turns"), sample.metadata.get("references")
    values: dict[str, str] = {}
    for i in (1, 2):
        values[f"turn_{i}"] = _item(turns, i - 1)
        values[f"reply_{i}"] = sample.answers[i - 1] if len(sample.answers) >= i else ""
        values[f"reference_{i}"] = _item(references, i - 1)
    return values


def _item(values: Any, index: int) -> str:
    return str(values[index]) if isinstance(values, list) and len(values) > index else ""


def messages_for(template: Template, values: Mapping[str, str], schema: VerdictSchema) -> list[dict[str, str]]:
    """The chat messages of one request: the template's system text, then its user text and the schema sentence."""
    system, user = template.render(values)
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": user + schema.instruction()})
    return messages


def single_case(case_id: str, template_name: str | None = None) -> CaseBuilder:
    """A builder of one request from the template named ``template_name`` (default: the spec's name)."""

    def build(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
        name = template_name or spec.name
        values = fill_values(sample)
        return [JudgeCase(case_id, "original", messages_for(templates[name], values, spec.schema), spec.schema, name)]

    return build


def label_metrics(mapping: Mapping[str, Mapping[str, float]], key: str = "verdict") -> Reducer:
    """A reducer mapping the first verdict's label to its metrics."""

    def reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
        return dict(mapping[str(verdicts[0][key])])

    return reduce


def jsonable(value: Any) -> Any:
    """A pydantic object as plain JSON data (anything else unchanged)."""
    return value.model_dump() if isinstance(value, BaseModel) else value
