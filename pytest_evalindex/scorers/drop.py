"""DROP scorer (EvalScope 1.14.1): exact match and bag-of-tokens F1 of the ``Answer:`` line, main ``f1``.

The target is the Python rendering of a list of gold answers, each a tuple of spans (``"[('4',), ('four',)]"``);
the best score over the gold answers whose first span is not blank is kept.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Sequence

from pytest_evalindex.scorers.bag_f1 import Bag, aligned_scores, mean, round_half_even
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion, target_values

_ANSWER = re.compile(r"(?i)Answer\s*:\s*([^\n]+)")
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_SPLIT = re.compile(r" |-")
_PUNCT = frozenset(string.punctuation)


def extract_drop_answer(text: str) -> str:
    """The text after the last ``Answer:`` (any case, up to the end of that line), else the whole reply."""
    found = _ANSWER.findall(text)
    return str(found[-1]) if found else text


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _normalize_token(token: str) -> str:
    token = token.lower()
    if not _numeric(token):
        token = "".join(ch for ch in token if ch not in _PUNCT)
    if _numeric(token):
        token = str(float(token))
    return " ".join(_ARTICLES.sub(" ", token).split())


def normalize_drop(text: str) -> str:
    """DROP's answer normalisation, token by token (split on spaces and hyphens)."""
    return " ".join(t for t in (_normalize_token(tok) for tok in _SPLIT.split(text)) if t.strip()).strip()


def _bags(answer: str | Sequence[str]) -> tuple[list[str], list[Bag]]:
    spans = [answer] if isinstance(answer, str) else list(answer)
    normalized = [normalize_drop(span) for span in spans]
    return normalized, [frozenset(n.split()) for n in normalized]


def _numbers_agree(gold: Bag, predicted: Bag) -> bool:
    gold_numbers = {w for w in gold if _numeric(w)}
    return not gold_numbers or bool(gold_numbers & {w for w in predicted if _numeric(w)})


def drop_metrics(prediction: str, gold_answers: Sequence[str | Sequence[str]]) -> dict[str, float]:
    """``{"em", "f1"}``: the best exact match and F1 over the gold answers (F1 rounded to 2 digits)."""
    pred_spans, pred_bags = _bags(prediction)
    best_em = best_f1 = 0.0
    for gold in gold_answers:
        gold_spans, gold_bags = _bags(gold)
        em = float(set(pred_spans) == set(gold_spans) and len(pred_spans) == len(gold_spans))
        f1 = round_half_even(mean(aligned_scores(pred_bags, gold_bags, _numbers_agree)), 2)
        if gold[0].strip():  # a gold answer with a blank first span does not count
            best_em, best_f1 = max(best_em, em), max(best_f1, f1)
    return {"em": best_em, "f1": best_f1}


def drop(sample: ScoreInput) -> Score:
    """Score a DROP answer; a target that is not a list of gold answers excludes the sample."""
    extracted = extract_drop_answer(clean_completion(sample.completion))
    reference = "\n".join(target_values(sample))
    try:
        gold = ast.literal_eval(reference)
        metrics = drop_metrics(extracted, gold)
    except (ValueError, SyntaxError, TypeError, IndexError) as exc:
        return Score(value=None, extracted=extracted, metric="f1", explanation=f"unreadable DROP target: {exc!r}")
    return Score(value=metrics["f1"], extracted=extracted, metric="f1", metrics=metrics)
