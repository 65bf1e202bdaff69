"""The legacy math pipeline (``<name>@legacy``, ``math_strict``): the spec's older ``math_equal``
rules (×100/÷100 leniency), the symbolic part delegated to math-verify (bounded, and usable from
any thread), and the scorers built on them."""

from __future__ import annotations

import functools
import math
import re
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.math.extract import (
    extract_math_answer,
    gsm8k_reference,
    strip_answer_string,
)
from pytest_evalindex.scorers.math.guards import HUGE_POWER, DeadlinePassed, call_with_deadline, with_alarm_deadline
from pytest_evalindex.scorers.text import clean_completion

# Inputs longer than this are not handed to the symbolic checker (sympy's work grows fast).
MAX_SYMBOLIC_CHARS = 200
SYMBOLIC_TIMEOUT_S: float = 5.0
_BRACKETED = re.compile(r"(\(|\[).+(\)|\])")
T = TypeVar("T")


class _Undecided(Exception):
    """The symbolic check ran out of time: the sample cannot be judged."""


# -------------------------------------------------------------------------- equivalence


def _parse_number(text: str) -> float | None:
    text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        if not text.endswith("%"):
            return None
        try:
            value = float(text[:-1].rstrip("\\")) / 100
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _choice_letter(prediction: str) -> str:
    """EvalScope's ``choice_answer_clean``: the last standalone A–E letter, else the text."""
    cleaned = prediction.strip("\n").rstrip(".").rstrip("/").strip(" ").lstrip(":")
    letters = re.findall(r"\b(A|B|C|D|E)\b", cleaned.upper())
    return letters[-1] if letters else cleaned.strip().strip(".")


def _signal_timeout_usable() -> bool:
    """math-verify's timeout uses SIGALRM: only in the main thread, and only if no alarm
    is already pending (math-verify cancels it, which would break e.g. pytest-timeout)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    if not hasattr(signal, "setitimer"):
        return False
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _math_verify_equal(prediction: str, reference: str, timeout: float | None) -> bool:
    """math-verify on two answers; ``timeout`` bounds each parse and each comparison by SIGALRM (None: no
    signals), as math-verify's own timeout would, but with an alarm that cannot be lost."""
    from math_verify import parse, verify
    from math_verify.errors import TimeoutException

    def bounded(fn: Callable[[], T]) -> T:
        return fn() if timeout is None else with_alarm_deadline(fn, timeout)

    try:
        gold = bounded(lambda: parse(f"${reference}$", parsing_timeout=None, raise_on_error=True))
        pred = bounded(lambda: parse(f"${prediction}$", parsing_timeout=None, raise_on_error=True))
    except (TimeoutException, DeadlinePassed) as exc:
        raise _Undecided(str(exc) or "symbolic parsing timed out") from None
    except Exception:
        return False
    timed_out = False
    # verify(gold, pred) is any() over all pairs; looping here keeps one pair's error or
    # timeout from hiding a later pair that matches.
    for g in gold:
        for p in pred:
            try:
                if bounded(functools.partial(verify, g, p, timeout_seconds=None, raise_on_error=True)):
                    return True
            except (TimeoutException, DeadlinePassed):
                timed_out = True
            except Exception:
                continue
    if timed_out:
        raise _Undecided("symbolic comparison timed out")
    return False


def _in_helper_thread(prediction: str, reference: str, timeout: float) -> bool:
    """Run math-verify in a daemon thread and stop waiting after ``timeout`` seconds.

    A runaway comparison finishes in the background; the input guards in :func:`_symbolic_equal`
    keep such cases rare.
    """
    outcome = call_with_deadline(lambda: _math_verify_equal(prediction, reference, None), timeout,
                                 "evalindex-math-verify")
    if outcome is None:
        raise _Undecided(f"symbolic comparison exceeded {timeout:g}s")
    ok, result = outcome
    if not ok:
        if isinstance(result, _Undecided):
            raise result
        return False
    return bool(result)


def _symbolic_equal(prediction: str, reference: str) -> bool:
    """math-verify equivalence of two LaTeX answers; raises :class:`_Undecided` on timeout."""
    if max(len(prediction), len(reference)) > MAX_SYMBOLIC_CHARS:
        return False
    if HUGE_POWER.search(prediction) or HUGE_POWER.search(reference):
        return False
    if _signal_timeout_usable():
        return _math_verify_equal(prediction, reference, max(1, math.ceil(SYMBOLIC_TIMEOUT_S)))
    return _in_helper_thread(prediction, reference, SYMBOLIC_TIMEOUT_S)


def math_equal(prediction: str, reference: str, *, percentage: bool = True,
               is_close: bool = True) -> bool:
    """EvalScope's ``math_equal`` on two normalised answers (symbolic part via math-verify).

    ``percentage`` accepts ``ref/100`` and ``ref*100`` (EvalScope's leniency); ``is_close``
    compares numbers with ``rel_tol=1e-4`` instead of exactly. Raises :class:`_Undecided`
    when the symbolic check times out.
    """
    if prediction.strip().lower() == reference.strip().lower():
        return True
    if reference in ("A", "B", "C", "D", "E") and _choice_letter(prediction) == reference:
        return True
    pred_num, ref_num = _parse_number(prediction), _parse_number(reference)
    if pred_num is not None and ref_num is not None:
        candidates = [ref_num / 100, ref_num, ref_num * 100] if percentage else [ref_num]
        if is_close:
            return any(math.isclose(pred_num, c, rel_tol=1e-4) for c in candidates)
        return pred_num in candidates
    if not prediction:
        return False
    prediction, reference = prediction.strip(), reference.strip()
    pred_s, ref_s = prediction, reference
    if (prediction[:1] == "[" and prediction[-1:] == "]" and not reference.startswith("(")) or (
        prediction[:1] == "(" and prediction[-1:] == ")" and not reference.startswith("[")
    ):
        pred_s, ref_s = pred_s.strip("[]()"), ref_s.strip("[]()")
    for bracket in "{}()":
        pred_s, ref_s = pred_s.replace(bracket, ""), ref_s.replace(bracket, "")
    if pred_s.lower() == ref_s.lower():
        return True
    if _BRACKETED.match(prediction) and _BRACKETED.match(reference):
        pred_parts, ref_parts = prediction[1:-1].split(","), reference[1:-1].split(",")
        if len(pred_parts) == len(ref_parts) and all(
            math_equal(p, r, percentage=percentage, is_close=is_close)
            for p, r in zip(pred_parts, ref_parts)
        ):
            return True
    return _symbolic_equal(prediction, reference)


# ------------------------------------------------------------------------------ scorers


def make_math_scorer(*, metric: str = "accuracy", percentage: bool = True,
                     is_close: bool = True) -> Callable[[ScoreInput], Score]:
    """A scorer: ``extract_math_answer`` on the completion, ``math_equal`` against the target."""

    def score(sample: ScoreInput) -> Score:
        reference = strip_answer_string(gsm8k_reference(sample.target or ""))
        if not reference:
            return Score(value=None, extracted="", metric=metric, explanation="empty target")
        try:
            extracted = extract_math_answer(clean_completion(sample.completion))
        except Exception as exc:  # scorers never raise on model text
            return Score(value=0.0, extracted="", metric=metric, explanation=f"extraction error: {exc!r}")
        if not extracted:
            return Score(value=0.0, extracted="", metric=metric, explanation="no answer found")
        try:
            ok = math_equal(extracted, reference, percentage=percentage, is_close=is_close)
        except _Undecided:
            return Score(value=None, extracted=extracted, metric=metric,
                         explanation="equivalence check timed out")
        except Exception as exc:
            return Score(value=0.0, extracted=extracted, metric=metric, explanation=f"compare error: {exc!r}")
        return Score(value=1.0 if ok else 0.0, extracted=extracted, metric=metric)

    return score


math_lenient = make_math_scorer()
"""gsm8k, math_500, ``math``, the spec's older rules (``gsm8k@legacy`` …), with the ×/÷100 percentage leniency."""
math_strict = make_math_scorer(percentage=False)
"""Like :data:`math_lenient` without the percentage leniency."""
aime_legacy = make_math_scorer(metric="acc", percentage=False, is_close=False)
"""aime24/25/26, the spec's older rule (``aime24@legacy`` …): exact value, no percentage rule."""
