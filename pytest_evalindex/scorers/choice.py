"""Multiple-choice letter scorers (spec §6, Family A)."""

from __future__ import annotations

import re

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion

_MARKER_EN = re.compile(r"(?i)ANSWER\s*:\s*\**\s*")
_MARKER_ZH = re.compile(r"答案\s*[:：]\s*\**\s*")
_BRACKETED = re.compile(r"[\(\[（【]\s*([A-Za-z\d](?:\s*[,，]\s*[A-Za-z\d])*)\s*[\)\]）】]")
_PLAIN_EN = re.compile(r"([A-Za-z\d][A-Za-z\d ,]*)")
_PLAIN_ZH = re.compile(r"([A-Za-z0-9][A-Za-z0-9,，]*)")
_TOKEN = re.compile(r"[A-Za-z\d]+")
_CEVAL = re.compile(r"答案：([A-D])")


def answer_letter(index: int) -> str:
    """Option label for a 0-based index: ``A``–``Z``, then ``1``, ``2``, …."""
    return chr(ord("A") + index) if index < 26 else str(index - 25)


def allowed_letters(n_choices: int) -> frozenset[str]:
    """The labels a sample with ``n_choices`` options accepts."""
    return frozenset(answer_letter(i) for i in range(n_choices))


def _label_prefix(capture: str, allowed: frozenset[str]) -> str:
    """The leading run of ``capture`` made only of allowed labels ("B, not C" → "B")."""
    end = 0
    for token in _TOKEN.finditer(capture):
        word = token.group(0)
        if word in allowed or set(word) <= allowed:
            end = token.end()
        else:
            break
    return capture[:end]


def _last_labelled(text: str, marker: re.Pattern[str], plain: re.Pattern[str],
                   allowed: frozenset[str]) -> str | None:
    for found in reversed(list(marker.finditer(text))):
        tail = text[found.end():]
        for label_re in (_BRACKETED, plain):
            label = label_re.match(tail)
            if label is None:
                continue
            prefix = _label_prefix(label.group(1), allowed)
            if prefix:
                return prefix
    return None


def _fallback(text: str, allowed: frozenset[str]) -> str:
    for char in reversed(text):
        if char.isupper():
            return char if char in allowed else ""
    return ""


def parse_letter(text: str, n_choices: int, *, chinese: bool = False) -> str:
    """EvalScope's single-answer ``parse_answers`` / ``parse_answers_zh``; "" when none."""
    allowed = allowed_letters(n_choices)
    marker, plain = (_MARKER_ZH, _PLAIN_ZH) if chinese else (_MARKER_EN, _PLAIN_EN)
    matched = _last_labelled(text, marker, plain, allowed)
    if matched is None:
        return _fallback(text, allowed)
    matched = matched.strip().rstrip("。." if chinese else ".")
    return matched if matched in allowed else ""


def parse_ceval(text: str) -> str:
    """C-Eval's own rule: last ``答案：X`` (full-width colon, A–D), no fallback."""
    found = _CEVAL.findall(text)
    return found[-1] if found else ""


def _score(extracted: str, target: str) -> Score:
    value = 1.0 if extracted and extracted.strip().lower() == target.strip().lower() else 0.0
    return Score(value=value, extracted=extracted, metric="accuracy")


def _target_or_none(sample: ScoreInput) -> str | None:
    target = (sample.target or "").strip()
    return target or None


def choice_en(sample: ScoreInput) -> Score:
    """English MCQ letter (arc, mmlu, mmlu_pro, gpqa_diamond, race, ``choice``)."""
    return _choice(sample, chinese=False)


def choice_zh(sample: ScoreInput) -> Score:
    """Chinese MCQ letter (cmmlu, iquiz, ``choice_zh``)."""
    return _choice(sample, chinese=True)


def _choice(sample: ScoreInput, *, chinese: bool) -> Score:
    target = _target_or_none(sample)
    if target is None:
        return Score(value=None, extracted="", metric="accuracy", explanation="empty target")
    try:
        text = clean_completion(sample.completion)
        extracted = parse_letter(text, len(sample.choices or ()), chinese=chinese)
    except Exception as exc:  # scorers never raise on model text
        return Score(value=0.0, extracted="", metric="accuracy", explanation=f"parse error: {exc!r}")
    return _score(extracted, target)


def ceval(sample: ScoreInput) -> Score:
    """C-Eval letter scorer."""
    target = _target_or_none(sample)
    if target is None:
        return Score(value=None, extracted="", metric="accuracy", explanation="empty target")
    try:
        extracted = parse_ceval(clean_completion(sample.completion))
    except Exception as exc:
        return Score(value=0.0, extracted="", metric="accuracy", explanation=f"parse error: {exc!r}")
    return _score(extracted, target)
