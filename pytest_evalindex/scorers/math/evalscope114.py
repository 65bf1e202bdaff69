"""The EvalScope 1.14.1 math pipeline (``metrics/math/parser.py``): math-verify extracts the
answer and compares it with the one accepted answer; each call is bounded by
:data:`MATH_DEADLINE_S`, and any failure excludes the sample (:class:`MathUnavailable`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any, TypeVar

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.math.guards import HUGE_POWER, call_with_deadline
from pytest_evalindex.scorers.text import clean_completion, target_values

MATH_DEADLINE_S: float = 30.0
"""Bound on one math-verify call (EvalScope 1.14.1's ``MATH_DEADLINE_S``); past it the sample is excluded."""
_SCIENTIFIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
_SCIENTIFIC_LOWER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)e[+-]?[0-9]+")
_T = TypeVar("_T")


class MathUnavailable(Exception):
    """Scoring is unavailable (invalid reference, failure or deadline): the sample is excluded."""


def _mv_parse(text: str, mode: str) -> tuple[list[Any], str]:
    """EvalScope 1.14.1's ``_parse``: math-verify objects and the display string of ``text``."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse

    text = text.strip()
    if not text:
        return [], ""
    original = text
    scientific = _SCIENTIFIC.fullmatch(text)
    if scientific:
        text = f'${text.replace("e", "E")}$'
    if mode == "fragment" and not text.startswith(("$", r"\(", r"\[", r"\boxed", r"\fbox")):
        text = f"${text}$"
    result = parse(text, extraction_config=[LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig()],
                   fallback_mode="first_match", extraction_mode="first_match", parsing_timeout=None)
    objects = [item for item in result if not isinstance(item, str)]
    display = next((item for item in result if isinstance(item, str)), "")
    if objects and _SCIENTIFIC_LOWER.fullmatch(display):
        canonical = parse(f'${display.replace("e", "E")}$', extraction_config=[LatexExtractionConfig()],
                          fallback_mode="first_match", extraction_mode="first_match", parsing_timeout=None)
        objects = [item for item in canonical if not isinstance(item, str)]
    if scientific:
        display = original
    if len(objects) == 1 and "%" not in display:
        from math_verify.grader import get_pct_val

        if get_pct_val(objects[0]) is not None:
            display += "%"
    return objects, display


def _mv_verify(gold: Any, prediction: Any) -> bool:
    from math_verify import verify

    return bool(verify([gold], [prediction], strict=True, float_rounding=6, numeric_precision=15,
                       allow_set_relation_comp=False, timeout_seconds=None, raise_on_error=True))


def _integer_literal(text: str) -> bool:
    try:
        value = Decimal(text.replace(",", "").strip())
        return value.is_finite() and value == value.to_integral_value()
    except InvalidOperation:
        return False


def _numeric_close(gold: Any, prediction: Any, relative: float) -> bool:
    """|prediction - gold| <= relative x |gold|, in 50-digit decimals (exact dataset boundaries)."""
    def decimal(value: Any) -> Decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return Decimal(str(value.evalf(15)))

    with localcontext() as context:
        context.prec = 50
        pred, ref = decimal(prediction), decimal(gold)
        return abs(pred - ref) <= max(Decimal(0), Decimal(str(relative)) * abs(ref))


def _tolerant_match(gold: Any, prediction: Any, relative: float | None) -> bool:
    """math-verify equivalence; with a ``relative`` tolerance, two real numbers (or two ``x = number``
    equations with equivalent left sides) are compared numerically instead."""
    if relative is not None:
        from sympy import Equality

        if (isinstance(gold, Equality) and isinstance(prediction, Equality) and gold.rhs.is_number
                and prediction.rhs.is_number and _mv_verify(gold.lhs, prediction.lhs)):
            gold, prediction = gold.rhs, prediction.rhs
        if (getattr(gold, "is_number", False) and getattr(prediction, "is_number", False) and gold.is_real
                and prediction.is_real):
            return _numeric_close(gold, prediction, relative)
    return _mv_verify(gold, prediction)


def _compare(prediction: str, reference: str, integer_only: bool, relative: float | None = None,
             numeric_reference: bool = False) -> tuple[bool, str]:
    """EvalScope 1.14.1's ``compare_answers`` (single answer; optional relative tolerance and a reference
    that must be one real finite number): (matched, reason).

    Raises :class:`MathUnavailable` for an invalid reference, as EvalScope does.
    """
    if HUGE_POWER.search(prediction) or HUGE_POWER.search(reference):
        # sympy would evaluate e.g. 9^{9^{9^{9}}} while holding the GIL, past any deadline;
        # EvalScope's forked child misses its deadline here and excludes the sample too.
        raise MathUnavailable("comparison skipped: a power too large to evaluate")
    predictions, display = _mv_parse(prediction, "fragment")
    golds, gold_display = _mv_parse(reference, "fragment")
    if not golds:
        raise MathUnavailable(f"Invalid mathematical reference (invalid_reference): {reference!r}")
    if numeric_reference and (len(golds) != 1 or not golds[0].is_number or not golds[0].is_real
                              or not golds[0].is_finite):
        raise MathUnavailable(f"Invalid mathematical reference (invalid_numeric_reference): {reference!r}")
    if integer_only and not _integer_literal(gold_display):
        raise MathUnavailable(f"Invalid mathematical reference (invalid_integer_reference): {reference!r}")
    if not predictions:
        return False, "prediction_not_parsed"
    if integer_only and not _integer_literal(display):
        return False, "integer_literal_required"
    matched = any(_tolerant_match(gold, pred, relative) for gold in golds for pred in predictions)
    return matched, "matched" if matched else "not_equivalent"


def _bounded(fn: Callable[[], _T]) -> _T:
    """Run ``fn`` within :data:`MATH_DEADLINE_S`; any failure becomes :class:`MathUnavailable`
    (EvalScope's ``_math_call`` contract)."""
    outcome = call_with_deadline(fn, MATH_DEADLINE_S, "evalindex-math")
    if outcome is None:
        raise MathUnavailable(f"exceeded the {MATH_DEADLINE_S:g}s mathematical scoring deadline")
    ok, value = outcome
    if ok:
        return value  # type: ignore[no-any-return]
    if isinstance(value, MathUnavailable):
        raise value
    raise MathUnavailable(f"{type(value).__name__}: {value}")


def extract_answer_114(text: str) -> str:
    """EvalScope 1.14.1's ``extract_answer``: math-verify's display text of the answer ("" if none)."""
    return _bounded(lambda: _mv_parse(text, "output")[1])


def compare_answers_114(prediction: str, reference: str, *, integer_only: bool = False,
                        relative_tolerance: float | None = None, numeric_reference: bool = False) -> tuple[bool, str]:
    """EvalScope 1.14.1's ``compare_answers``: (matched, reason); raises :class:`MathUnavailable`."""
    return _bounded(lambda: _compare(prediction, reference, integer_only, relative_tolerance, numeric_reference))


def math_accuracy(sample: ScoreInput) -> Score:
    """gsm8k, math_500, ``math`` as EvalScope 1.14.1 scores them (``acc`` with ``numeric: true``)."""
    try:
        extracted = extract_answer_114(clean_completion(sample.completion))
    except MathUnavailable as exc:
        return Score(value=None, extracted="", metric="accuracy", explanation=str(exc))
    values = target_values(sample)
    if len(values) != 1:
        return Score(value=None, extracted=extracted, metric="accuracy",
                     explanation=f"Metric requires one reference answer, received {len(values)}.")
    try:
        matched, _ = compare_answers_114(extracted, values[0])
    except MathUnavailable as exc:
        return Score(value=None, extracted=extracted, metric="accuracy", explanation=str(exc))
    return Score(value=float(matched), extracted=extracted, metric="accuracy")


def aime(sample: ScoreInput) -> Score:
    """aime24/25/26 as EvalScope 1.14.1 scores them: integer literals only, metric ``acc``,
    the comparison's reason in ``metadata["math_reason"]``."""
    try:
        extracted = extract_answer_114(clean_completion(sample.completion))
    except MathUnavailable as exc:
        return Score(value=None, extracted="", metric="acc", explanation=str(exc))
    reference = "\n".join(target_values(sample))
    try:
        matched, reason = compare_answers_114(extracted, reference, integer_only=True)
    except MathUnavailable as exc:
        return Score(value=None, extracted=extracted, metric="acc", explanation=str(exc))
    return Score(value=float(matched), extracted=extracted, metric="acc", metadata={"math_reason": reason})
