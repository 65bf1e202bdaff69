"""Multiple-choice letter scorers (spec §6, Family A).

The default scorers follow EvalScope 1.14.1 (``evalscope/utils/multi_choices.py``): the last
``ANSWER:`` / ``答案：`` marker followed by a label (LaTeX wrappers such as ``$\\boxed{B}$``
skipped, ``A/C`` and ``A and C`` lists accepted, prose after the label ignored), else the last
capital letter when it is an allowed label; ``ceval`` uses the Chinese parser like ``cmmlu``.
The ``*_legacy`` scorers keep the older rules of the spec (no LaTeX skipping, fewer separators,
C-Eval's strict ``答案：([A-D])``).
"""

from __future__ import annotations

import re

from pytest_evalindex.core.choices import choice_labels
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion, target_values

_MARKER_EN = re.compile(r"(?i)ANSWER\s*:\s*\**\s*")
_MARKER_ZH = re.compile(r"答案\s*[:：]\s*\**\s*")
_TOKEN = re.compile(r"[A-Za-z\d]+")
_CEVAL = re.compile(r"答案：([A-D])")

# EvalScope 1.14.1
_BRACKETED = re.compile(r"[\(\[（【]\s*([A-Za-z\d](?:\s*[,，/、]\s*[A-Za-z\d])*)\s*[\)\]）】]")
_LATEX_PREFIX = re.compile(r"(?:(?:\$+|\\\(|\\(?:boxed|fbox|text|textbf|mathbf|mathrm)\s*\{)\s*)*")
_PLAIN_EN = re.compile(r"([A-Za-z\d][A-Za-z\d ,，/、]*)")
_PLAIN_ZH = re.compile(r"([A-Za-z0-9][A-Za-z0-9 ,，/、]*)")
_CONNECTORS = frozenset({"and", "or"})

# The spec's older rules (``*_legacy``)
_BRACKETED_LEGACY = re.compile(r"[\(\[（【]\s*([A-Za-z\d](?:\s*[,，]\s*[A-Za-z\d])*)\s*[\)\]）】]")
_PLAIN_EN_LEGACY = re.compile(r"([A-Za-z\d][A-Za-z\d ,]*)")
_PLAIN_ZH_LEGACY = re.compile(r"([A-Za-z0-9][A-Za-z0-9,，]*)")


def allowed_letters(n_choices: int) -> frozenset[str]:
    """The labels a sample with ``n_choices`` options accepts."""
    return frozenset(choice_labels(n_choices))


def _is_label(word: str, allowed: frozenset[str]) -> bool:
    return word in allowed or set(word) <= allowed


def _label_prefix(capture: str, allowed: frozenset[str], *, connectors: bool) -> str:
    """The leading run of ``capture`` made only of allowed labels ("B, not C" → "B").

    With ``connectors`` (1.14.1), ``and`` / ``or`` between two labels is stepped over.
    """
    tokens = list(_TOKEN.finditer(capture))
    end = 0
    for i, token in enumerate(tokens):
        word = token.group(0)
        if _is_label(word, allowed):
            end = token.end()
            continue
        if (connectors and end > 0 and word.lower() in _CONNECTORS and i + 1 < len(tokens)
                and _is_label(tokens[i + 1].group(0), allowed)):
            continue
        break
    return capture[:end]


def _last_labelled(text: str, marker: re.Pattern[str], bracketed: re.Pattern[str], plain: re.Pattern[str],
                   allowed: frozenset[str], *, legacy: bool) -> str | None:
    for found in reversed(list(marker.finditer(text))):
        tail = text[found.end():]
        if not legacy:
            prefix_match = _LATEX_PREFIX.match(tail)
            if prefix_match is not None:
                tail = tail[prefix_match.end():]
        for label_re in (bracketed, plain):
            label = label_re.match(tail)
            if label is None:
                continue
            prefix = _label_prefix(label.group(1), allowed, connectors=not legacy)
            if prefix:
                return prefix
    return None


def _fallback(text: str, allowed: frozenset[str]) -> str:
    for char in reversed(text):
        if char.isupper():
            return char if char in allowed else ""
    return ""


def parse_letter(text: str, n_choices: int, *, chinese: bool = False, legacy: bool = False) -> str:
    """EvalScope's single-answer ``parse_answers`` / ``parse_answers_zh``; "" when none.

    ``legacy`` selects the spec's older rules instead of EvalScope 1.14.1's.
    """
    allowed = allowed_letters(n_choices)
    if chinese:
        bracketed, plain = (_BRACKETED_LEGACY, _PLAIN_ZH_LEGACY) if legacy else (_BRACKETED, _PLAIN_ZH)
    else:
        bracketed, plain = (_BRACKETED_LEGACY, _PLAIN_EN_LEGACY) if legacy else (_BRACKETED, _PLAIN_EN)
    marker = _MARKER_ZH if chinese else _MARKER_EN
    matched = _last_labelled(text, marker, bracketed, plain, allowed, legacy=legacy)
    if matched is None:
        return _fallback(text, allowed)
    matched = matched.strip().rstrip("。." if chinese else ".")
    return matched if matched in allowed else ""


def parse_ceval(text: str) -> str:
    """C-Eval's older rule (``ceval@legacy``): last ``答案：X`` (full-width colon, A–D), no fallback."""
    found = _CEVAL.findall(text)
    return found[-1] if found else ""


def _excluded(why: str) -> Score:
    return Score(value=None, extracted="", metric="accuracy", explanation=why)


def _parse_error(exc: Exception) -> Score:
    return Score(value=0.0, extracted="", metric="accuracy", explanation=f"parse error: {exc!r}")


def _score_114(sample: ScoreInput, *, chinese: bool) -> Score:
    """EvalScope 1.14.1: ``acc`` = stripped, lower-cased equality with the one accepted answer."""
    values = target_values(sample)
    if len(values) != 1:
        return _excluded(f"Metric requires one reference answer, received {len(values)}.")
    try:
        extracted = parse_letter(clean_completion(sample.completion), len(sample.choices or ()), chinese=chinese)
    except Exception as exc:  # scorers never raise on model text
        return _parse_error(exc)
    return Score(value=float(extracted.strip().lower() == values[0].strip().lower()), extracted=extracted,
                 metric="accuracy")


def choice_en(sample: ScoreInput) -> Score:
    """English MCQ letter, EvalScope 1.14.1 (arc, mmlu, mmlu_pro, gpqa_diamond, race, ``choice``)."""
    return _score_114(sample, chinese=False)


def choice_zh(sample: ScoreInput) -> Score:
    """Chinese MCQ letter, EvalScope 1.14.1 (cmmlu, iquiz, ``choice_zh``)."""
    return _score_114(sample, chinese=True)


def ceval(sample: ScoreInput) -> Score:
    """C-Eval, EvalScope 1.14.1: the shared Chinese letter parser."""
    return _score_114(sample, chinese=True)


# ------------------------------------------------------------------------------- legacy


def _legacy_score(extracted: str, target: str) -> Score:
    value = 1.0 if extracted and extracted.strip().lower() == target.strip().lower() else 0.0
    return Score(value=value, extracted=extracted, metric="accuracy")


def _legacy(sample: ScoreInput, *, chinese: bool, ceval_rule: bool = False) -> Score:
    target = (sample.target or "").strip()
    if not target:
        return _excluded("empty target")
    try:
        text = clean_completion(sample.completion)
        extracted = (parse_ceval(text) if ceval_rule
                     else parse_letter(text, len(sample.choices or ()), chinese=chinese, legacy=True))
    except Exception as exc:
        return _parse_error(exc)
    return _legacy_score(extracted, target)


def choice_en_legacy(sample: ScoreInput) -> Score:
    """English MCQ letter, the spec's older parser (``<name>@legacy``)."""
    return _legacy(sample, chinese=False)


def choice_zh_legacy(sample: ScoreInput) -> Score:
    """Chinese MCQ letter, the spec's older parser (``<name>@legacy``)."""
    return _legacy(sample, chinese=True)


def ceval_legacy(sample: ScoreInput) -> Score:
    """C-Eval's older strict ``答案：([A-D])`` rule (``ceval@legacy``)."""
    return _legacy(sample, chinese=True, ceval_rule=True)


# ------------------------------------------------------------------------------- several labels

_CONNECTOR_WORDS = re.compile(r"(?i)\s+(?:and|or)\s+")


def _split_labels_en(matched: str, allowed: frozenset[str]) -> frozenset[str]:
    flat = _CONNECTOR_WORDS.sub(",", matched).replace(" ", "")
    flat = flat.replace("，", ",").replace("、", ",").replace("/", ",")
    listed = frozenset(flat.split(","))
    if listed <= allowed:
        return listed
    chars = frozenset(flat.replace(",", ""))
    return chars if chars <= allowed else frozenset()


def _split_labels_zh(matched: str, allowed: frozenset[str]) -> frozenset[str]:
    # " 和 " disappears without leaving a separator, so "A 和 C" reads as "AC" (EvalScope 1.14.1).
    flat = matched.replace(" 和 ", "").replace(" ", "")
    flat = flat.replace("，", ",").replace("、", ",").replace("/", ",")
    labels = frozenset(flat.split(",")) if "," in flat else frozenset(flat)
    return labels if labels <= allowed else frozenset()


def parse_letters(text: str, n_choices: int, *, chinese: bool = False, multiple: bool = False) -> str:
    """EvalScope 1.14.1's ``parse_answers`` / ``parse_answers_zh`` with ``multiple_correct``: the labels
    found, sorted and joined ("" when none); without ``multiple`` the same as :func:`parse_letter`."""
    if not multiple:
        return parse_letter(text, n_choices, chinese=chinese)
    allowed = allowed_letters(n_choices)
    plain = _PLAIN_ZH if chinese else _PLAIN_EN
    matched = _last_labelled(text, _MARKER_ZH if chinese else _MARKER_EN, _BRACKETED, plain, allowed, legacy=False)
    if matched is None:
        return _fallback(text, allowed)
    if chinese:
        labels = _split_labels_zh(matched.strip().rstrip("。."), allowed)
    else:
        labels = _split_labels_en(matched.strip().rstrip("."), allowed)
    return "".join(sorted(labels))
