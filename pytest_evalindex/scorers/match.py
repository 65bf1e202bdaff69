"""String match scorers (spec §6, Family C): exact, normalized, trivia_qa, includes."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion, target_values

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = frozenset(string.punctuation)
_TRIVIA_ANSWER = re.compile(r"ANSWER:\s*(.*)")
_ANSWER_MARKER = re.compile(r"(?i)ANSWER\s*:\s*\**\s*")
# Characters the official TriviaQA evaluation turns into spaces.
_TRIVIA_PUNCT = frozenset(string.punctuation + "\u2018\u2019\u00b4`")


def normalize_text(text: str) -> str:
    """SQuAD normalisation: lowercase, drop punctuation and articles, collapse whitespace."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def _no_target(extracted: str = "") -> Score:
    return Score(value=None, extracted=extracted, metric="accuracy", explanation="empty target")


def exact(sample: ScoreInput) -> Score:
    """Correct when the stripped answer equals the stripped target."""
    answer = clean_completion(sample.completion).strip()
    target = (sample.target or "").strip()
    if not target:
        return _no_target(answer)
    return Score(value=float(answer == target), extracted=answer, metric="accuracy")


def normalized_match(sample: ScoreInput) -> Score:
    """Correct when the SQuAD-normalised answer equals the normalised target."""
    answer = clean_completion(sample.completion).strip()
    target = normalize_text(sample.target or "")
    if not target:
        return _no_target(answer)
    return Score(value=float(normalize_text(answer) == target), extracted=answer, metric="accuracy")


def extract_answer_line(text: str) -> str | None:
    """Text after the last ``ANSWER:`` marker (any case, bold allowed) up to the end of its line,
    without ``*``; ``None`` without a marker (EvalScope 1.14.1's ``extract_answer_line``)."""
    markers = list(_ANSWER_MARKER.finditer(text or ""))
    if not markers:
        return None
    return text[markers[-1].end():].split("\n", 1)[0].strip().strip("*").strip()


def normalize_trivia_answer(text: str) -> str:
    """The official TriviaQA normalisation (``normalized_aliases`` are in this form): lowercase,
    ``_`` and punctuation to spaces, articles dropped, whitespace collapsed."""
    text = "".join(" " if ch in _TRIVIA_PUNCT else ch for ch in text.replace("_", " ").lower())
    return " ".join(_ARTICLES.sub(" ", text).split())


def trivia_qa(sample: ScoreInput) -> Score:
    """EvalScope 1.14.1: the normalised answer line (or whole answer) equals, after strip and
    lower-casing, one of the accepted answers (the aliases and normalised aliases)."""
    try:
        line = extract_answer_line(clean_completion(sample.completion))
        extracted = normalize_trivia_answer(line if line is not None else clean_completion(sample.completion))
    except Exception as exc:
        return Score(value=0.0, extracted="", metric="accuracy", explanation=f"parse error: {exc!r}")
    prediction = extracted.strip().lower()
    hit = bool(prediction) and any(prediction == answer.strip().lower() for answer in target_values(sample))
    return Score(value=float(hit), extracted=extracted, metric="accuracy")


def extract_trivia_answer(text: str) -> str:
    """Last ``ANSWER: …`` line, else the whole stripped text (the spec's older trivia_qa rule)."""
    found = _TRIVIA_ANSWER.findall(text)
    return found[-1].strip() if found else text.strip()


def trivia_qa_legacy(sample: ScoreInput) -> Score:
    """The spec's older rule (``trivia_qa@legacy``): non-empty prediction that is a case-sensitive
    substring of the target.

    The target is the aliases concatenated with no separator, so this is lenient
    (``"a"`` passes) and case-sensitive (``"paris"`` fails against ``"Paris"``).
    """
    try:
        extracted = extract_trivia_answer(clean_completion(sample.completion))
    except Exception as exc:
        return Score(value=0.0, extracted="", metric="accuracy", explanation=f"parse error: {exc!r}")
    target = sample.target or ""
    if not target.strip():
        return _no_target(extracted)
    return Score(value=float(bool(extracted) and extracted in target), extracted=extracted,
                 metric="accuracy")


def _aliases(sample: ScoreInput) -> list[str]:
    raw = sample.metadata.get("aliases") if sample.metadata else None
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Iterable):
        return [str(a) for a in raw if a is not None]
    return []


def includes(sample: ScoreInput) -> Score:
    """Correct when the normalised target (or any ``metadata["aliases"]`` element) occurs,
    as whole words, inside the normalised answer."""
    try:
        answer = clean_completion(sample.completion).strip()
        candidates = [normalize_text(a) for a in _aliases(sample) or [sample.target or ""]]
        candidates = [c for c in candidates if c]
        if not candidates:
            return _no_target(answer)
        padded = f" {normalize_text(answer)} "
        hit = next((c for c in candidates if f" {c} " in padded), None)
    except Exception as exc:
        return Score(value=0.0, extracted="", metric="accuracy", explanation=f"error: {exc!r}")
    return Score(value=float(hit is not None), extracted=answer, metric="accuracy",
                 explanation=f"matched {hit!r}" if hit is not None else None)
