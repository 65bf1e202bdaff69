"""TAT-QA scorer (EvalScope 1.14.1, after the official ``tatqa_eval.py``): exact match and numeracy F1, main ``f1``.

The reply ends with ``Answer: <spans separated by |>`` and ``Scale: <scale>``; gold answers come from the
sample's metadata (``answer``, ``answer_type``, ``scale``). Numbers are scaled and rendered as ``%.4f`` before
comparison; for arithmetic and count questions F1 equals exact match.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_evalindex.scorers.bag_f1 import aligned_scores, mean, round_half_even
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion

SCALES = ("", "thousand", "million", "billion", "percent")
_ANSWER_LINE = re.compile(r"^\s*\**\s*(?:final\s+)?answer\s*\**\s*:[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE)
_SCALE_LINE = re.compile(r"^\s*\**\s*scale\s*\**\s*:[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE)
_NUMBER = re.compile(r"([+-]?\d+(\.\d+)?)|([+-]?\.\d+)")
_NEGATIVE = re.compile(r"(\([\d.\s]+\))")
_PERCENT = re.compile(r"([\d.\s]+%)")
_WORD_SCALE = re.compile(r"([\d.]+\s?[a-zA-Z]+)")
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_NOT_IN_NUMBERS = frozenset("'\"\\$€£¥%(),[]")
_PUNCT = frozenset(string.punctuation)


def parse_reply(text: str) -> tuple[list[str], str]:
    """Spans of the last ``Answer:`` line and the last ``Scale:`` line's scale ("" when missing or unknown)."""
    answers = _ANSWER_LINE.findall(text or "")
    if not answers:
        return [], ""
    spans = [s for s in (part.strip().strip("*").strip() for part in answers[-1].split("|")) if s]
    scales = _SCALE_LINE.findall(text or "")
    scale = scales[-1].strip().strip("*").strip().rstrip(".").lower() if scales else ""
    return spans, scale if scale in SCALES else ""


def scale_factor(scale: str) -> float:
    """Multiplier named by the first scale word found in ``scale`` (1 when none)."""
    scale = scale.lower()
    for word, factor in (("hundred", 100), ("thousand", 1000), ("million", 1000000), ("billion", 1000000000)):
        if word in scale:
            return factor
    return 0.01 if "percent" in scale else 1


def _strip_number_marks(text: object) -> str:
    return "".join(ch for ch in str(text) if ch not in _NOT_IN_NUMBERS)


def is_number(text: str) -> bool:
    """A number (after dropping currency marks, brackets and commas), optionally followed by a scale word."""
    words = " ".join(_strip_number_marks(w) for w in text.split()).split()
    if not words:
        return False
    try:
        value = float(words[0])
    except ValueError:
        return False
    if math.isnan(value):
        return False
    return not (len(words) >= 2 and scale_factor(words[1]) == 1)


def _first_number(text: str) -> int | float | None:
    found = _NUMBER.findall(_strip_number_marks(text))
    if not found or found[0][0] == "":
        return None
    digits = found[0][0]
    return float(digits) if "." in digits else int(digits)


def to_number(text: str) -> int | float | None:
    """The first number in ``text``, scaled by a scale word, negated for ``(123)``, divided by 100 for ``%``."""
    number = _first_number(text)
    if number is None:
        return None
    word = _WORD_SCALE.search(text)
    factor = scale_factor(word.group(0).lower()) if word else 1
    sign = -1 if _NEGATIVE.findall(text.strip()) else 1
    percent = 0.01 if _PERCENT.findall(text.strip()) else 1
    return round(number * factor * sign * percent, 4)


def _normalize_token(token: str) -> str:
    token = token.lower()
    if not is_number(token):
        token = "".join(ch for ch in token if ch not in _PUNCT)
    if is_number(token):
        token = str(to_number(token))
    return " ".join(_ARTICLES.sub(" ", token).split())


def normalize_answer(text: str) -> str:
    """Lower-case, punctuation and articles dropped, numbers normalised, token by token (split on spaces)."""
    return " ".join(p for p in (_normalize_token(tok) for tok in text.split(" ")) if p.strip()).strip()


def _em_f1(predicted: str, gold: str) -> tuple[float, float]:
    pred, ref = normalize_answer(predicted), normalize_answer(gold)
    em = 1.0 if pred == ref else 0.0
    f1 = round_half_even(mean(aligned_scores([frozenset(pred.split())], [frozenset(ref.split())])), 2)
    return em, f1


def render_answers(answers: Sequence[object], scale: str) -> str:
    """Sorted spans joined by spaces; numbers scaled and written ``%.4f``, other spans followed by the scale."""
    parts = []
    for answer in sorted(answers):  # type: ignore[type-var]
        text = str(answer)
        number = to_number(text) if is_number(text) else None
        if number is None:
            parts.append(f"{text} {scale}" if scale else text)
        elif "%" in text:
            parts.append(f"{number:.4f}")
        else:
            parts.append(f"{round(number, 2) * scale_factor(scale):.4f}")
    return " ".join(parts)


def _gold(metadata: Mapping[str, Any]) -> tuple[str, list[str], str]:
    kind, answer = metadata["answer_type"], metadata["answer"]
    if kind in ("multi-span", "span"):
        if not isinstance(answer, list):
            raise TypeError(f"a {kind} answer must be a list")
        return kind, answer, metadata["scale"]
    if kind == "count":
        return kind, [str(int(answer))], metadata["scale"]
    return kind, [str(answer)], metadata["scale"]


def tat_qa_metrics(metadata: Mapping[str, Any], spans: list[str], scale: str) -> dict[str, float]:
    """``{"exact_match", "f1"}`` of the parsed reply against the sample's gold answer."""
    if not spans:
        return {"exact_match": 0.0, "f1": 0.0}
    kind, gold, gold_scale = _gold(metadata)
    if not gold:
        return {"exact_match": 0.0, "f1": 0.0}
    candidates = [render_answers(spans, scale)]
    if len(spans) == 1 and not scale and "%" not in spans[0] and is_number(spans[0]):
        number = to_number(spans[0])  # a bare 0.2342 may also stand for 23.42 percent
        if number is not None:
            candidates.append(f"{number:.4f}")
    em, f1 = max(_em_f1(candidate, render_answers(gold, gold_scale)) for candidate in candidates)
    return {"exact_match": float(em), "f1": float(em if kind in ("arithmetic", "count") else f1)}


def tat_qa(sample: ScoreInput) -> Score:
    """Score a TAT-QA reply; metadata without ``answer``/``answer_type``/``scale`` excludes the sample."""
    spans, scale = parse_reply(clean_completion(sample.completion))
    extracted = json.dumps({"answer": spans, "scale": scale}, ensure_ascii=False)
    try:
        metrics = tat_qa_metrics(sample.metadata, spans, scale)
    except (KeyError, TypeError, ValueError) as exc:
        return Score(value=None, extracted=extracted, metric="f1", explanation=f"unusable TAT-QA metadata: {exc!r}")
    return Score(value=metrics["f1"], extracted=extracted, metric="f1", metrics=metrics,
                 metadata={"answer_type": sample.metadata.get("answer_type"), "parsed": bool(spans)})
