"""EvalScope 1.14.1's judged benchmarks that run with a chat API: schemas, label mappings, inputs, rule fallbacks."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.judge import mt_bench
from pytest_evalindex.scorers.judge.contract import Verdict, VerdictField, VerdictSchema, label_schema
from pytest_evalindex.scorers.judge.rubrics import RUBRIC_SPECS
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


# -- browsecomp: the "Exact Answer:" line, its rule score, and a four-key grade of the whole response -----

_EXACT_ANSWER = re.compile(r"(?im)^\s*Exact Answer:\s*(.+?)\s*$")


def browsecomp_extract(completion: str) -> str:
    """The first "Exact Answer:" line's text, else the whole answer stripped."""
    match = _EXACT_ANSWER.search(completion)
    return match.group(1).strip() if match else completion.strip()


def _browsecomp_normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def browsecomp_rule(sample: ScoreInput) -> Score:
    """browsecomp without a judge: the extracted answer equals the target once both are normalised."""
    extracted = browsecomp_extract(sample.completion)
    right = _browsecomp_normalise(extracted) == _browsecomp_normalise(sample.target)
    return Score(value=1.0 if right else 0.0, extracted=extracted, metric="is_correct",
                 metrics={"is_correct": 1.0 if right else 0.0, "is_incorrect": 0.0 if right else 1.0},
                 metadata={"source": "rule_exact_match"})


def _browsecomp_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    values = dict(fill_values(sample), response=sample.completion)  # the whole response, not the extraction
    return [JudgeCase("grade", "original", messages_for(templates["browsecomp"], values, spec.schema),
                      spec.schema, "browsecomp")]


def _browsecomp_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    right = verdicts[0]["correct"] == "yes"
    return {"is_correct": 1.0 if right else 0.0, "is_incorrect": 0.0 if right else 1.0}


_BROWSECOMP_GRADE = VerdictSchema("Grade", (
    VerdictField("extracted_final_answer", kind="text", default=""),
    VerdictField("correct", labels=("yes", "no")),
    VerdictField("confidence", kind="int", low=0, high=100, default=100),
))


# -- hle: the model's stated confidence goes into the score metadata ------------------------------

def _hle_confidence(sample: JudgeInput, _verdicts: Sequence[Verdict]) -> dict[str, object]:
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


def _longmemeval_meta(sample: JudgeInput, _verdicts: Sequence[Verdict]) -> dict[str, object]:
    return {"question_type": sample.metadata.get("question_type"),
            "is_abstention": sample.metadata.get("is_abstention", False)}


# -- alpaca_eval: the reference is output m, the candidate output M (one placement by default) ----

def _alpaca_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    values = fill_values(sample)
    return [JudgeCase("preference", "original", messages_for(templates["alpaca_eval"], values, spec.schema),
                      spec.schema, "alpaca_eval")]


# -- arena_hard: both orders (baseline as A, then the candidate as A); the orders must agree ----------

_ARENA_LABELS = ("A>>B", "A>B", "A=B", "B>A", "B>>A")
_PAIRWISE_SCORE = {("win", True): 1.0, ("win", False): 0.75, ("tie", False): 0.5, ("loss", False): 0.25,
                   ("loss", True): 0.0}


def _arena_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    cases = []
    for placement, first, second in (("original", sample.target, sample.prediction),
                                     ("swapped", sample.prediction, sample.target)):
        values = dict(fill_values(sample), answer_1=first, answer_2=second, output_1=first, output_2=second)
        cases.append(JudgeCase("battle", placement, messages_for(templates["arena_hard"], values, spec.schema),
                               spec.schema, "arena_hard"))
    return cases


def _arena_outcome(label: str, candidate_is_a: bool) -> tuple[str, bool]:
    """(win | tie | loss for the candidate, strong?) of one order's verdict."""
    if label == "A=B":
        return "tie", False
    return ("win" if label.startswith("A") == candidate_is_a else "loss"), label in ("A>>B", "B>>A")


def _arena_consistency(verdicts: Sequence[Verdict]) -> float:
    """1.0 when both orders name the same result for the candidate (strength aside), else 0.0."""
    games = [_arena_outcome(str(verdicts[0]["verdict"]), candidate_is_a=False)]
    games += [_arena_outcome(str(v["verdict"]), candidate_is_a=True) for v in verdicts[1:2]]
    return 1.0 if len({result for result, _ in games}) == 1 else 0.0


def _arena_reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    games = [_arena_outcome(str(verdicts[0]["verdict"]), candidate_is_a=False)]
    games += [_arena_outcome(str(v["verdict"]), candidate_is_a=True) for v in verdicts[1:2]]
    results = {result for result, _ in games}
    result = games[0][0] if len(results) == 1 else "tie"
    strong = result != "tie" and any(r == result and s for r, s in games)
    return {"score": _PAIRWISE_SCORE[(result, strong)]}


# -- minerva_math, imo_answerbench: the generic judge, math equivalence as the rule score ------------

def math_rule(sample: ScoreInput) -> Score:
    """The rule score of the judge-default math benchmarks: math-verify equivalence (EvalScope names its
    metric ``accuracy``, the canonical name of ``acc``, when the rule score stands in for the judge)."""
    from pytest_evalindex.scorers.math.evalscope114 import math_accuracy

    return math_accuracy(sample)


# -- docmath: a boolean or math-verify answer, compared by type with a 0.15 % relative tolerance -----------

_DOCMATH_BOOLEAN = re.compile(r"(?:answer\s*(?:is|:)\s*|\A)\(?\s*(true|false|yes|no)\s*\)?[.!]?\s*\Z", re.IGNORECASE)
DOCMATH_TOLERANCE = 0.0015


def _docmath_boolean(text: str) -> bool | None:
    match = _DOCMATH_BOOLEAN.search(text.strip())
    return match[1].lower() in ("true", "yes") if match else None


def docmath_extract(completion: str) -> str:
    """A closing true/false/yes/no as ``True``/``False``, else math-verify's answer ("" when none parses)."""
    from pytest_evalindex.scorers.math.evalscope114 import MathUnavailable, extract_answer_114

    text = completion.replace("\N{MINUS SIGN}", "-")
    boolean = _docmath_boolean(text)
    if boolean is not None:
        return str(boolean)
    try:
        return extract_answer_114(text)
    except MathUnavailable:
        return ""


def docmath_rule(sample: ScoreInput) -> Score:
    """docmath without a judge: booleans by truth value, numbers within 0.15 %; a reference of another
    type, or one that is not a single real number, excludes the sample."""
    from pytest_evalindex.scorers.math.evalscope114 import MathUnavailable, compare_answers_114

    extracted = docmath_extract(sample.completion)
    kind = str(sample.metadata.get("answer_type", "unknown"))
    try:
        if kind == "bool":
            gold = _docmath_boolean(str(sample.target))
            if gold is None:
                raise MathUnavailable(f"Invalid DocMath boolean reference: {sample.target!r}")
            matched = _docmath_boolean(extracted) is gold
        elif kind in ("int", "float", "float64"):
            matched, _ = compare_answers_114(extracted, str(sample.target), relative_tolerance=DOCMATH_TOLERANCE,
                                             numeric_reference=True)
        else:
            raise MathUnavailable(f"Unsupported DocMath answer type: {kind!r}")
    except MathUnavailable as exc:
        return Score(value=None, extracted=extracted, metric="acc", explanation=str(exc),
                     metadata={"metric_unavailable": True, "acc": f"error: {exc}"})
    return Score(value=1.0 if matched else 0.0, extracted=extracted, metric="acc")


# -- cl_bench: all-or-nothing grading of the answer against the sample's rubrics (its target list) -----------

def cl_bench_rubrics(targets: Sequence[str]) -> str:
    """The rubrics as a numbered list; a blank one keeps its number but is left out."""
    lines = [f"{i}. {text}" for i, text in enumerate((t.strip() for t in targets), 1) if text]
    return "\n".join(lines) or "No specific rubrics provided."


def _cl_bench_cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    if not sample.prediction.strip():
        return []  # scored 0 without the judge (spec.skip)
    values = dict(fill_values(sample), rubric=cl_bench_rubrics(sample.targets))
    return [JudgeCase("grade", "original", messages_for(templates["cl_bench"], values, spec.schema),
                      spec.schema, "cl_bench")]


def _cl_bench_skip(sample: JudgeInput) -> dict[str, float] | None:
    return {"acc": 0.0} if not sample.prediction.strip() else None


_CL_GRADE = VerdictSchema("CLGrade", (
    VerdictField("List of Requirement Satisfaction Status", kind="list", default=[]),
    VerdictField("Overall Score", labels=("0", "1"), kind="int_label"),
), reason_key="Grading Rationale")


_GRADE_ABC = label_schema("Grade", ("A", "B", "C"))
_CORRECTNESS = label_schema("CorrectnessVerdict", ("A", "B"))
_GENERIC_MAPPING = label_metrics({"A": {"acc": 1.0}, "B": {"acc": 0.0}})

JUDGE_SPECS: dict[str, JudgeSpec] = {
    **RUBRIC_SPECS,  # health_bench, prbench, ... (rubrics.py)
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
                             _alpaca_cases, _one("M", "win_rate"), position_consistency=lambda verdicts: 1.0),
    "arena_hard": JudgeSpec("arena_hard", "judge_only", "score", label_schema("BattleVerdict", _ARENA_LABELS),
                            _arena_cases, _arena_reduce, position_consistency=_arena_consistency),
    "browsecomp": JudgeSpec("browsecomp", "judge_default", "is_correct", _BROWSECOMP_GRADE, _browsecomp_cases,
                            _browsecomp_reduce, extract=browsecomp_extract, question_key="question"),
    "docmath": JudgeSpec("docmath", "judge_default", "acc", label_schema("Equivalence", ("YES", "NO")),
                         single_case("equivalence"), _one("YES", "acc"), extract=docmath_extract,
                         question_key="question"),
    "cl_bench": JudgeSpec("cl_bench", "judge_only", "acc", _CL_GRADE, _cl_bench_cases,
                          lambda verdicts, sample: {"acc": float(verdicts[0]["Overall Score"])}, skip=_cl_bench_skip),
    "minerva_math": JudgeSpec("minerva_math", "judge_default", "acc", _CORRECTNESS, single_case("judge", "generic"),
                              _GENERIC_MAPPING),
    "imo_answerbench": JudgeSpec("imo_answerbench", "judge_default", "acc", _CORRECTNESS,
                                 single_case("judge", "generic"), _GENERIC_MAPPING),
    "mt_bench": mt_bench.SPEC,
}
"""Judged benchmarks by EvalScope name."""

RULE_FALLBACKS = {"frames": frames_rule, "browsecomp": browsecomp_rule, "docmath": docmath_rule, "minerva_math": math_rule, "imo_answerbench": math_rule}
"""The rule scorer of each ``judge_default`` benchmark (used under ``rule`` and when the verdict is unusable)."""

CONVERSATIONS = {"mt_bench": mt_bench.request_plan}
"""Benchmarks whose sample is a conversation of several user turns: name → (metadata, generation config) →
(the user turns after the first, generation overrides)."""

GENERIC = JudgeSpec("generic", "rule_default", "acc", _CORRECTNESS, single_case("judge", "generic"), _GENERIC_MAPPING)
"""The generic judge of every other benchmark under ``llm`` / ``llm_recall`` (EvalScope's default A=1, B=0)."""
