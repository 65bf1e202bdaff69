"""BIG-Bench Hard scorer (EvalScope 1.14.1): the answer after the last "So the answer is", exact match, main ``accuracy``.

``metadata.task_type`` says how the answer is read: ``multiple_choice`` keeps an option letter, ``free_form``
keeps the text (bold content preferred); anything else compares the whole stripped reply.
"""

from __future__ import annotations

import re

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion, target_values

MULTIPLE_CHOICE = "multiple_choice"
FREE_FORM = "free_form"
_MARKER = "So the answer is "
_LETTER_IN_PARENS = re.compile(r"\(([A-Z])\)")
_LONE_LETTER = re.compile(r"\b([A-Z])\b")
_BOLD = re.compile(r"\*\*(.*?)\*\*")


def _answer_line(reply: str) -> str:
    """First line after the last marker (or of the whole reply), without a final period."""
    text = reply.strip()
    text = text.split(_MARKER)[-1].strip()
    text = text.split("\n")[0].strip()
    return text[:-1].strip() if text.endswith(".") else text


def extract_bbh_answer(reply: str, task_type: object) -> str:
    """The answer BBH compares with the target, for the sample's task type."""
    if task_type == MULTIPLE_CHOICE:
        line = _answer_line(reply)
        found = _LETTER_IN_PARENS.search(line) or _LONE_LETTER.search(line)
        return found.group(1) if found else line
    if task_type == FREE_FORM:
        line = _answer_line(reply)
        bold = _BOLD.search(line)
        return bold.group(1).strip() if bold else line
    return reply.strip()


def bbh(sample: ScoreInput) -> Score:
    """Correct when the extracted answer equals the single target, ignoring case and outer spaces.

    A sample without exactly one accepted answer is excluded (EvalScope's exact-match metric refuses it).
    """
    extracted = extract_bbh_answer(clean_completion(sample.completion), sample.metadata.get("task_type"))
    answers = target_values(sample)
    if len(answers) != 1:
        return Score(value=None, extracted=extracted, metric="accuracy",
                     explanation=f"bbh needs one reference answer, got {len(answers)}")
    hit = float(extracted.strip().lower() == answers[0].strip().lower())
    return Score(value=hit, extracted=extracted, metric="accuracy", metrics={"accuracy": hit})
