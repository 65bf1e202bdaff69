"""EvalScope 1.14.1's judged benchmarks that run with a chat API: schemas, label mappings, inputs, rule fallbacks."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.judge.contract import Verdict, label_schema
from pytest_evalindex.scorers.judge.spec import (
    JudgeCase,
    JudgeInput,
    JudgeSpec,
    Reducer,
    fill_values,
    label_metrics,
    messages_for,
    single_case,
)
from pytest_evalindex.scorers.judge.templates import LONGMEMEVAL_RUBRICS, Template

_ABC = label_metrics({
    "A": {"is_correct": 1.0, "is_incorrect": 0.0, "is_not_attempted": 0.0},
    "B": {"is_correct": 0.0, "is_incorrect": 1.0, "is_not_attempted": 0.0},
    "C": {"is_correct": 0.0, "is_incorrect": 0.0, "is_not_attempted": 1.0},
})


def _one(label: str, metric: str, key: str = "verdict") -> Reducer:
    """A reducer: ``metric`` is 1.0 when the verdict is ``label``, else 0.0."""

    def reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
        return {metric: 1.0 if verdicts[0][key] == label else 0.0}

    return reduce


# -- frames: "the answer is" extraction, and its rule score (normalised exact match) ------------

def frames_extract(completion: str) -> str:
    """The text after the last "the answer is" (any case) up to the end of its line, stripped of dots."""
    text = completion.replace("*", "")
    found = list(re.finditer(r"(?i)the answer is", text))
    if not found:
        return ""
    match = re.match(r"[\s:]*([^\n]*)", text[found[-1].end():])
    return (match.group(1) if match else "").strip().strip(".").strip()


def _normalise(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def frames_rule(sample: ScoreInput) -> Score:
    """frames without a judge: normalised exact match of the extracted answer."""
    extracted = frames_extract(sample.completion)
    gold, pred = _normalise(sample.target), _normalise(extracted)
    value = 1.0 if pred and gold.strip() == pred.strip() else 0.0
    return Score(value=value, extracted=extracted, metric="acc")


# -- hle: the model's stated confidence goes into the score metadata ------------------------------

def _hle_confidence(sample: JudgeInput) -> dict[str, object]:
    match = re.search(r"confidence:\s*(\d+)", sample.completion or "", re.IGNORECASE)
    return {"confidence": int(match.group(1)) if match else 100}


# -- longmemeval: a rubric per question type, the question from the metadata -----------------------

def _longmemeval_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    metadata = sample.metadata
    kind = "abstention" if metadata.get("is_abstention") else str(metadata.get("question_type", ""))
    values = fill_values(sample, question=str(metadata.get("question", sample.question)))
    values["rubric"] = LONGMEMEVAL_RUBRICS.get(kind, LONGMEMEVAL_RUBRICS["default"])
    return [JudgeCase("anscheck", "original", messages_for(templates["longmemeval"], values, spec.schema),
                      spec.schema, "longmemeval")]


def _longmemeval_meta(sample: JudgeInput) -> dict[str, object]:
    return {"question_type": sample.metadata.get("question_type"),
            "is_abstention": sample.metadata.get("is_abstention", False)}


# -- alpaca_eval: the reference is output m, the candidate output M (one placement by default) ----

def _alpaca_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    values = fill_values(sample)
    return [JudgeCase("preference", "original", messages_for(templates["alpaca_eval"], values, spec.schema),
                      spec.schema, "alpaca_eval")]


_GRADE_ABC = label_schema("Grade", ("A", "B", "C"))

JUDGE_SPECS: dict[str, JudgeSpec] = {
    "chinese_simpleqa": JudgeSpec("chinese_simpleqa", "judge_only", "is_correct", _GRADE_ABC,
                                  single_case("grade"), _ABC),
    "simple_qa": JudgeSpec("simple_qa", "judge_only", "is_correct", _GRADE_ABC, single_case("grade"), _ABC),
    "aa_lcr": JudgeSpec("aa_lcr", "judge_only", "acc", label_schema("Grade", ("CORRECT", "INCORRECT")),
                        single_case("grade"), _one("CORRECT", "acc"), question_key="question"),
    "hle": JudgeSpec("hle", "judge_only", "acc", label_schema("Grade", ("C", "I")), single_case("grade"),
                     _one("C", "acc"), finalize=_hle_confidence),
    "frames": JudgeSpec("frames", "judge_default", "acc", label_schema("Equivalence", ("YES", "NO")),
                        single_case("equivalence"), _one("YES", "acc"), extract=frames_extract),
    "longmemeval": JudgeSpec("longmemeval", "judge_only", "accuracy", label_schema("AnswerCheck", ("yes", "no")),
                             _longmemeval_cases, _one("yes", "accuracy"), finalize=_longmemeval_meta),
    "alpaca_eval": JudgeSpec("alpaca_eval", "judge_only", "win_rate",
                             label_schema("Preference", ("m", "M"), reason_key=None),
                             _alpaca_cases, _one("M", "win_rate")),
}
"""Judged benchmarks by EvalScope name."""

RULE_FALLBACKS = {"frames": frames_rule}
"""The rule scorer of each ``judge_default`` benchmark (used under ``rule`` and when the verdict is unusable)."""

GENERIC = JudgeSpec("generic", "rule_default", "acc", label_schema("CorrectnessVerdict", ("A", "B")),
                    single_case("judge", "generic"), label_metrics({"A": {"acc": 1.0}, "B": {"acc": 0.0}}))
"""The generic judge of every other benchmark under ``llm`` / ``llm_recall`` (EvalScope's default A=1, B=0)."""
