"""Math answer-equivalence scorers (spec §6, Family B).

Default (EvalScope 1.14.1, ``metrics/math/parser.py``): math-verify extracts the answer
(boxed first, then LaTeX and plain expressions) and compares it with the one accepted answer
(``strict`` math-verify, no percentage leniency); aime requires integer literals on both sides.
An unusable reference, a comparison that misses :data:`MATH_DEADLINE_S` (EvalScope forks a child
per call; here a daemon thread is abandoned) or a power too large to evaluate excludes the sample.

Legacy (``<name>@legacy``, ``math_strict``): the spec's older ``extract_answer`` /
``strip_answer_string`` and ``math_equal`` rules (×100/÷100 leniency), the symbolic part
delegated to math-verify (bounded, and usable from any thread).
"""

from __future__ import annotations

import logging
import math
import re
import signal
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion, target_values

# Inputs longer than this are not handed to the symbolic checker (sympy's work grows fast).
MAX_SYMBOLIC_CHARS = 200
SYMBOLIC_TIMEOUT_S: float = 5.0
# A power with a large or nested exponent (``9^{9^{9}}``) can hang sympy's evaluation.
_HUGE_POWER = re.compile(r"\^\s*\{?\s*[\d.]{4,}|\^\s*\{[^{}]*\^|\*\*\s*\(?\s*\d{4,}")
_LAST_NUMBER = re.compile(r"-?\d*\.?\d+")
_THOUSANDS = re.compile(r"\s*-?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*")
_INT_LIST = re.compile(r"(\s*-?\d+\s*,)*\s*-?\d+\s*")
_BRACKETED = re.compile(r"(\(|\[).+(\)|\])")


def _drop_timeout_disabled_warning(record: logging.LogRecord) -> bool:
    # We bound the symbolic work ourselves when signals are unusable; the warning is noise.
    return "Timeout is disabled" not in record.getMessage()


for _name in ("math_verify.parser", "math_verify.grader"):
    logging.getLogger(_name).addFilter(_drop_timeout_disabled_warning)


class _Undecided(Exception):
    """The symbolic check ran out of time: the sample cannot be judged."""


# --------------------------------------------------------------------------- extraction


def _after_brace(text: str) -> str:
    """Content of the brace group that ``text`` starts with (unbalanced: up to the end)."""
    depth, out = 1, []
    for char in text[1:]:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                break
        out.append(char)
    return "".join(out)


def _boxed_content(text: str, keyword: str) -> str:
    tail = text.split(keyword)[-1]
    if not tail:
        return ""
    if tail[0] == "{":
        return _after_brace(tail)
    return tail.split("$")[0].strip()


def extract_math_answer(text: str) -> str:
    """EvalScope's ``extract_answer``: the first matching branch wins, then normalisation."""
    text = text.replace("\u043a\u0438", "")
    if "final answer is $" in text and "$. I hope" in text:
        pred = text.split("final answer is $", 1)[1].split("$. I hope", 1)[0].strip()
    elif "boxed" in text:
        pred = _boxed_content(text, "boxed")
    elif "\\fbox" in text:  # not in EvalScope, which would fall through to the next branches
        pred = _boxed_content(text, "\\fbox")
    elif "he answer is" in text:
        pred = text.split("he answer is")[-1].strip()
    elif "final answer is" in text:
        pred = text.split("final answer is")[-1].strip()
    elif "答案是" in text:
        pred = text.split("答案是")[1].strip().split("\n\n")[0].strip()
    elif "ANSWER:" in text:
        pred = text.split("ANSWER:")[-1].strip()
    else:
        numbers = _LAST_NUMBER.findall(text.replace(",", ""))
        pred = numbers[-1] if numbers else ""
    pred = re.sub(r"\n\s*", "", pred)
    if pred.startswith(":"):
        pred = pred[1:]
    if pred.endswith("."):
        pred = pred[:-1]
    if pred.endswith("/"):
        pred = pred[:-1]
    return strip_answer_string(pred)


def gsm8k_reference(target: str) -> str:
    """The final answer of a GSM8K target: the text after ``####`` when present."""
    return target.split("####")[-1].strip() if "####" in target else target.strip()


# ------------------------------------------------------------------------ normalisation

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def word_to_number(text: str) -> str:
    """``"twenty-five"`` → ``"25"``; text that is not purely a number in words is returned as is."""
    words = text.lower().replace("-", " ").split()
    if not words or any(w not in _UNITS and w not in _SCALES and w != "and" for w in words):
        return text
    total = current = 0
    seen = False
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
            seen = True
    return str(total + current) if seen else text


def _fix_fracs(string: str) -> str:
    parts = string.split("\\frac")
    out = parts[0]
    for part in parts[1:]:
        out += "\\frac"
        if part.startswith("{"):
            out += part
            continue
        if len(part) < 2:
            return string
        a, b = part[0], part[1]
        if b != "{":
            out += "{" + a + "}{" + b + "}" + part[2:]
        else:
            out += "{" + a + "}" + b + part[2:]
    return out


def _fix_a_slash_b(string: str) -> str:
    pieces = string.split("/")
    if len(pieces) != 2:
        return string
    a, b = pieces
    try:
        num = a if "sqrt" in a else str(int(a))
        den = b if "sqrt" in b else str(int(b))
    except ValueError:
        return string
    if f"{num}/{den}" != string:
        return string
    return "\\frac{" + num + "}{" + den + "}"


def _text_word_number(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    converted = word_to_number(word)
    return converted if converted != word else match.group(0)


def strip_answer_string(string: str) -> str:  # noqa: C901  (a faithful linear pipeline)
    """EvalScope's ``strip_answer_string``: normalise an extracted math answer."""
    string = str(string).strip().replace("\n", "").rstrip(".")
    string = string.replace("\\!", "")
    string = re.sub(r"\\begin\{array\}\{.*?\}", r"\\begin{pmatrix}", string)
    string = re.sub(r"\\end\{array\}", r"\\end{pmatrix}", string)
    string = string.replace("bmatrix", "pmatrix")
    string = string.replace("tfrac", "frac").replace("dfrac", "frac")
    string = string.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge")
    string = string.replace("\\left", "").replace("\\right", "")
    string = string.replace("\\{", "{").replace("\\}", "}")
    string = re.sub(r"\\text\{([a-zA-Z]+)\}", _text_word_number, string)
    string = re.sub(r"(cm|inches)\}\^2", r"\1}", string)
    without_units = re.sub(r"\\text{.*?}$", "", string).strip()
    if without_units and without_units != string:
        string = without_units
    string = string.replace("^{\\circ}", "").replace("^\\circ", "")
    string = string.replace("\\$", "").replace("$", "")
    string = string.replace("\\(", "").replace("\\)", "")
    string = word_to_number(string)
    string = re.sub(r"\\text\{(.*?)\}", r"\1", string)
    for key in ("x=", "y=", "z=", "x\\in", "y\\in", "z\\in", "x\\to", "y\\to", "z\\to"):
        string = string.replace(key, "")
    string = string.replace("\\emptyset", "{}")
    string = string.replace("(-\\infty,\\infty)", "\\mathbb{R}")
    string = string.replace("\\%", "").replace("%", "")
    string = string.replace(" .", " 0.").replace("{.", "{0.")
    string = string.replace("infinity", "\\infty")
    if "\\infty" not in string:
        string = string.replace("inf", "\\infty")
    string = string.replace("+\\inity", "\\infty")
    string = string.replace("and", "").replace("\\mathbf", "")
    string = re.sub(r"\\mbox{.*?}", "", string)
    string = string.replace("'", "").replace('"', "")
    if "j" in string and "i" not in string:
        string = string.replace("j", "i")
    string = re.sub(r"(\d+)\.0*([^\d])", r"\1\2", string)
    string = re.sub(r"(\d+)\.0*$", r"\1", string)
    if not string:
        return string
    if string[0] == ".":
        string = "0" + string
    sides = string.split("=")
    if len(sides) == 2 and len(sides[0]) <= 2:
        string = sides[1]
    string = re.sub(r"\\sqrt(\w+)", r"\\sqrt{\1}", string)
    string = string.replace(" ", "")
    string = _fix_fracs(string)
    string = _fix_a_slash_b(string)
    string = re.sub(r"\\(?=\-?\d+(\\|\)|,|\]|$))", "", string)
    string = re.sub(r"thgrade$", "", string)
    if _THOUSANDS.fullmatch(string):
        string = string.replace(",", "")
    if _INT_LIST.fullmatch(string):
        try:
            string = ",".join(str(n) for n in sorted(int(x) for x in string.split(",")))
        except ValueError:
            pass
    return string


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


def _math_verify_equal(prediction: str, reference: str, timeout: int | None) -> bool:
    """math-verify on two answers; ``timeout`` is its signal-based limit (None: no signals)."""
    from math_verify import parse, verify
    from math_verify.errors import TimeoutException

    try:
        gold = parse(f"${reference}$", parsing_timeout=timeout, raise_on_error=True)
        pred = parse(f"${prediction}$", parsing_timeout=timeout, raise_on_error=True)
    except TimeoutException as exc:
        raise _Undecided(str(exc)) from exc
    except Exception:
        return False
    timed_out = False
    # verify(gold, pred) is any() over all pairs; looping here keeps one pair's error or
    # timeout from hiding a later pair that matches.
    for g in gold:
        for p in pred:
            try:
                if verify(g, p, timeout_seconds=timeout, raise_on_error=True):
                    return True
            except TimeoutException:
                timed_out = True
            except Exception:
                continue
    if timed_out:
        raise _Undecided("symbolic comparison timed out")
    return False


def _in_helper_thread(prediction: str, reference: str, timeout: float) -> bool:
    """Run math-verify in a daemon thread and stop waiting after ``timeout`` seconds.

    Threads cannot be killed, so a runaway comparison finishes in the background; the
    input guards in :func:`_symbolic_equal` keep such cases rare.
    """
    outcome: list[bool | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_math_verify_equal(prediction, reference, None))
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)

    worker = threading.Thread(target=work, name="evalindex-math-verify", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise _Undecided(f"symbolic comparison exceeded {timeout:g}s")
    result = outcome[0]
    if isinstance(result, BaseException):
        if isinstance(result, _Undecided):
            raise result
        return False
    return result


def _symbolic_equal(prediction: str, reference: str) -> bool:
    """math-verify equivalence of two LaTeX answers; raises :class:`_Undecided` on timeout."""
    if max(len(prediction), len(reference)) > MAX_SYMBOLIC_CHARS:
        return False
    if _HUGE_POWER.search(prediction) or _HUGE_POWER.search(reference):
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


# ------------------------------------------------------------------ EvalScope 1.14.1

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


def _compare(prediction: str, reference: str, integer_only: bool) -> tuple[bool, str]:
    """EvalScope 1.14.1's ``compare_answers`` (single answer, no tolerance): (matched, reason).

    Raises :class:`MathUnavailable` for an invalid reference, as EvalScope does.
    """
    if _HUGE_POWER.search(prediction) or _HUGE_POWER.search(reference):
        # sympy would evaluate e.g. 9^{9^{9^{9}}} while holding the GIL, past any deadline;
        # EvalScope's forked child misses its deadline here and excludes the sample too.
        raise MathUnavailable("comparison skipped: a power too large to evaluate")
    predictions, display = _mv_parse(prediction, "fragment")
    golds, gold_display = _mv_parse(reference, "fragment")
    if not golds:
        raise MathUnavailable(f"Invalid mathematical reference (invalid_reference): {reference!r}")
    if integer_only and not _integer_literal(gold_display):
        raise MathUnavailable(f"Invalid mathematical reference (invalid_integer_reference): {reference!r}")
    if not predictions:
        return False, "prediction_not_parsed"
    if integer_only and not _integer_literal(display):
        return False, "integer_literal_required"
    matched = any(_mv_verify(gold, pred) for gold in golds for pred in predictions)
    return matched, "matched" if matched else "not_equivalent"


def _bounded(fn: Callable[[], _T]) -> _T:
    """Run ``fn`` in a daemon thread, waiting at most :data:`MATH_DEADLINE_S`; any failure
    becomes :class:`MathUnavailable` (EvalScope's ``_math_call`` contract)."""
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append((True, fn()))
        except BaseException as exc:  # handed to the caller below
            outcome.append((False, exc))

    worker = threading.Thread(target=work, name="evalindex-math", daemon=True)
    worker.start()
    worker.join(MATH_DEADLINE_S)
    if not outcome:
        raise MathUnavailable(f"exceeded the {MATH_DEADLINE_S:g}s mathematical scoring deadline")
    ok, value = outcome[0]
    if ok:
        return value  # type: ignore[no-any-return]
    if isinstance(value, MathUnavailable):
        raise value
    raise MathUnavailable(f"{type(value).__name__}: {value}")


def extract_answer_114(text: str) -> str:
    """EvalScope 1.14.1's ``extract_answer``: math-verify's display text of the answer ("" if none)."""
    return _bounded(lambda: _mv_parse(text, "output")[1])


def compare_answers_114(prediction: str, reference: str, *, integer_only: bool = False) -> tuple[bool, str]:
    """EvalScope 1.14.1's ``compare_answers``: (matched, reason); raises :class:`MathUnavailable`."""
    return _bounded(lambda: _compare(prediction, reference, integer_only))


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
