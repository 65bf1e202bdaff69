"""EvalScope 1.14.1's MCQ benchmarks that score differently from plain letter accuracy: agieval,
mmlu_redux (any listed letter), truthful_qa (``multi_choice_acc`` partial credit), maritime_bench,
safety_bench and super_gpqa (own extraction), general_mcq with ``multiple_correct``."""

from __future__ import annotations

from collections.abc import Callable

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.choice import parse_letter, parse_letters
from pytest_evalindex.scorers.choice_extract import maritime_letter, safety_letter, super_gpqa_letter
from pytest_evalindex.scorers.math import MathUnavailable, compare_answers_114, extract_answer_114
from pytest_evalindex.scorers.text import clean_completion, target_values

# AGIEval's subset kinds (metadata["subset"]), as EvalScope 1.14.1 classifies them.
AGIEVAL_CHINESE_QA = frozenset({"logiqa-zh", "gaokao-chinese", "gaokao-geography", "gaokao-history",
                                "gaokao-biology", "gaokao-chemistry", "gaokao-physics", "gaokao-mathqa",
                                "jec-qa-kd", "jec-qa-ca"})
AGIEVAL_CLOZE = frozenset({"math", "gaokao-mathcloze"})
AGIEVAL_MULTI_ANSWER = frozenset({"jec-qa-kd", "jec-qa-ca", "gaokao-physics"})


def _guarded(sample: ScoreInput, metric: str, extract: Callable[[str], str]) -> tuple[str, Score | None]:
    try:
        return extract(clean_completion(sample.completion)), None
    except Exception as exc:  # scorers never raise on model text
        return "", Score(value=0.0, extracted="", metric=metric, explanation=f"parse error: {exc!r}")


def _exact_letter(sample: ScoreInput, extracted: str) -> Score:
    """EvalScope's ``accuracy``: stripped, lower-cased equality with the one accepted answer."""
    values = target_values(sample)
    if len(values) != 1:
        return Score(value=None, extracted=extracted, metric="accuracy",
                     explanation=f"Metric requires one reference answer, received {len(values)}.")
    return Score(value=float(extracted.strip().lower() == values[0].strip().lower()), extracted=extracted,
                 metric="accuracy")


def _options(sample: ScoreInput) -> list[str]:
    return list(sample.choices or ())


def maritime_bench(sample: ScoreInput) -> Score:
    """maritime_bench: the last bracketed letter ``[A]``–``[D]``, then ``accuracy``."""
    extracted, failed = _guarded(sample, "accuracy", maritime_letter)
    return failed or _exact_letter(sample, extracted)


def safety_bench(sample: ScoreInput) -> Score:
    """safety_bench: SafetyBench's own letter rules, then ``accuracy``."""
    extracted, failed = _guarded(sample, "accuracy", lambda text: safety_letter(text, _options(sample)))
    return failed or _exact_letter(sample, extracted)


def super_gpqa(sample: ScoreInput) -> Score:
    """super_gpqa (zero-shot): answer-phrase label A–J, else the option text named, then ``accuracy``."""
    extracted, failed = _guarded(sample, "accuracy", lambda text: super_gpqa_letter(text, _options(sample)))
    return failed or _exact_letter(sample, extracted)


def mmlu_redux(sample: ScoreInput) -> Score:
    """mmlu_redux: ``accuracy`` with ``allow_inclusion``: the letter equals any accepted letter."""
    n = len(sample.choices or ())
    extracted, failed = _guarded(sample, "accuracy", lambda text: parse_letter(text, n))
    if failed:
        return failed
    said = extracted.strip().lower()
    hit = bool(said) and any(said == value.strip().lower() for value in target_values(sample))
    return Score(value=float(hit), extracted=extracted, metric="accuracy")


def _multi_choice_acc(sample: ScoreInput, extracted: str) -> Score:
    """EvalScope's ``multi_choice_acc``: share of the gold letters named, 0 when a named letter is not gold."""
    said = set(extracted.strip().upper())
    gold = set("".join(target_values(sample)).strip().upper())
    value = 0.0 if not said <= gold or not gold else len(said & gold) / len(gold)
    return Score(value=value, extracted=extracted, metric="multi_choice_acc")


def truthful_qa(sample: ScoreInput) -> Score:
    """truthful_qa (MC1 prompt: one letter parsed), scored by ``multi_choice_acc``."""
    n = len(sample.choices or ())
    extracted, failed = _guarded(sample, "multi_choice_acc", lambda text: parse_letter(text, n))
    return failed or _multi_choice_acc(sample, extracted)


def truthful_qa_multiple(sample: ScoreInput) -> Score:
    """truthful_qa with ``extra_params.multiple_correct`` (MC2): every label named, ``multi_choice_acc``."""
    n = len(sample.choices or ())
    extracted, failed = _guarded(sample, "multi_choice_acc", lambda text: parse_letters(text, n, multiple=True))
    return failed or _multi_choice_acc(sample, extracted)


def general_mcq_multiple(sample: ScoreInput) -> Score:
    """general_mcq with ``extra_params.multiple_correct``: every label (Chinese parser), ``multi_choice_acc``."""
    n = len(sample.choices or ())
    extracted, failed = _guarded(sample, "multi_choice_acc",
                                 lambda text: parse_letters(text, n, chinese=True, multiple=True))
    return failed or _multi_choice_acc(sample, extracted)


def agieval(sample: ScoreInput) -> Score:
    """agieval: by ``metadata["subset"]``, math equivalence (cloze subsets) or the letter parsers
    (Chinese for the gaokao/jec/logiqa-zh subsets, several labels for the multi-answer ones), then
    ``acc`` = case-insensitive equality with the accepted answers joined by newlines."""
    subset = str((sample.metadata or {}).get("subset", "") or "")
    reference = "\n".join(target_values(sample))
    if subset in AGIEVAL_CLOZE:
        return _agieval_cloze(sample, reference)
    n = len(sample.choices or ())
    extracted, failed = _guarded(sample, "acc", lambda text: parse_letters(
        text, n, chinese=subset in AGIEVAL_CHINESE_QA, multiple=subset in AGIEVAL_MULTI_ANSWER))
    if failed:
        return failed
    return Score(value=float(extracted.upper() == reference.upper()), extracted=extracted, metric="acc")


def _agieval_cloze(sample: ScoreInput, reference: str) -> Score:
    try:
        extracted = extract_answer_114(clean_completion(sample.completion))
    except MathUnavailable as exc:
        return Score(value=None, extracted="", metric="acc", explanation=str(exc))
    try:
        matched, _ = compare_answers_114(extracted, reference)
    except MathUnavailable as exc:
        return Score(value=None, extracted=extracted, metric="acc", explanation=str(exc))
    return Score(value=float(matched), extracted=extracted, metric="acc")
