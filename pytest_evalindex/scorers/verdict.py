"""Yes/no(/maybe) verdict scorers of EvalScope 1.14.1: coin_flip, drivel_binary, halueval, pubmedqa (main ``acc``).

A verdict counts only as a whole word written ``Yes``/``YES`` (never lower-case prose such as "there is no
evidence"); a reply naming both verdicts, or none, is wrong. Some benchmarks also accept a bare lower-case
verdict as the whole reply.
"""

from __future__ import annotations

import re

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.match import extract_answer_line
from pytest_evalindex.scorers.text import clean_completion, target_values

_YES = re.compile(r"\b(?:Yes|YES)\b")
_NO = re.compile(r"\b(?:No|NO)\b")
_BARE_YES_NO = re.compile(r"(yes|no)[.!]?")
_THREE_WAY = re.compile(r"\b(YES|Yes|NO|No|MAYBE|Maybe)\b")
_BARE_THREE_WAY = re.compile(r"(yes|no|maybe)[.!]?")

METRIC = "acc"


def yes_no_verdict(text: str, *, bare_lowercase: bool = False) -> str | None:
    """``"YES"``/``"NO"`` when exactly one of the two appears as a whole word, else ``None``.

    With ``bare_lowercase``, a reply that is only ``yes``/``no`` (optionally ending in ``.`` or ``!``) counts too.
    """
    if bare_lowercase:
        bare = _BARE_YES_NO.fullmatch(text.strip())
        if bare:
            return bare.group(1).upper()
    said_yes = _YES.search(text) is not None
    said_no = _NO.search(text) is not None
    if said_yes == said_no:
        return None
    return "YES" if said_yes else "NO"


def yes_no_maybe_verdict(text: str) -> str | None:
    """PubMedQA's reading: a bare lower-case label, else the only distinct whole-word label, else ``None``."""
    bare = _BARE_THREE_WAY.fullmatch(text.strip())
    if bare:
        return bare.group(1).upper()
    labels = {label.upper() for label in _THREE_WAY.findall(text)}
    return labels.pop() if len(labels) == 1 else None


def _reference(sample: ScoreInput) -> str:
    # EvalScope compares against its target rendering: accepted answers stripped and joined by newlines.
    return "\n".join(target_values(sample))


def _score(verdict: str | None, expected: str, extracted: str) -> Score:
    hit = verdict is not None and verdict == expected
    return Score(value=float(hit), extracted=extracted, metric=METRIC, metrics={METRIC: float(hit)},
                 explanation=None if verdict else "no single verdict")


def coin_flip(sample: ScoreInput) -> Score:
    """coin_flip: the ``ANSWER:`` line (else the whole reply), bare lower-case verdict allowed."""
    text = clean_completion(sample.completion)
    line = extract_answer_line(text)
    extracted = line if line is not None else text
    return _score(yes_no_verdict(extracted, bare_lowercase=True), _reference(sample).strip().upper(), extracted)


def drivel_binary(sample: ScoreInput) -> Score:
    """drivel_binary: the whole reply, bare lower-case verdict allowed."""
    text = clean_completion(sample.completion)
    return _score(yes_no_verdict(text, bare_lowercase=True), _reference(sample).strip().upper(), text)


def halueval(sample: ScoreInput) -> Score:
    """halueval: the whole reply, capitalised verdicts only."""
    text = clean_completion(sample.completion)
    return _score(yes_no_verdict(text), _reference(sample).strip().upper(), text)


def pubmedqa(sample: ScoreInput) -> Score:
    """pubmedqa: yes/no/maybe, compared with the target as written (EvalScope neither strips nor upper-cases it)."""
    text = clean_completion(sample.completion)
    return _score(yes_no_maybe_verdict(text), _reference(sample), text)
