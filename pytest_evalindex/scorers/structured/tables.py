"""tablebench: the ``Final Answer:`` text scored by the official mix metric (EM, EM within 10 %, or
ROUGE-L, chosen by question type), as EvalScope 1.14.1 scores it.

Both texts are SQuAD-normalised before every metric, as the official pipeline does, so punctuation
(decimal points, minus signs, commas, ``%``) is gone before numbers are compared.
"""

from __future__ import annotations

import re
import string
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values, reference_text
from pytest_evalindex.scorers.text import clean_completion

_FINAL_ANSWER = re.compile(r"Final Answer: (.+)")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?$")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)
TOLERANCE_SUBTYPES = frozenset({"CorrelationAnalysis", "TrendForecasting", "StatisticalAnalysis"})
EXACT_SUBTYPES = frozenset({"ImpactAnalysis"})
TOLERANCE = 0.1  # compared as the float 0.1 against an exact Decimal ratio, as the official code does


def final_answer(text: str) -> str:
    """The rest of the line after the first ``Final Answer: ``; "" without one."""
    match = _FINAL_ANSWER.search(text or "")
    return match.group(1) if match else ""


def normalize(text: str) -> str:
    """Lowercase, drop ASCII punctuation and the articles a/an/the, collapse whitespace."""
    text = "".join(ch for ch in (text or "").lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def _decimal(text: str) -> Decimal:
    if text.endswith("%"):
        return (Decimal(text.strip("%")) / Decimal(100)).quantize(Decimal("1.0000"), rounding=ROUND_HALF_UP)
    return Decimal(text)


def _rounded(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal("1." + "0" * places), rounding=ROUND_HALF_UP))


def _same_number(ref: str, pred: str, refs: list[str], tolerance: float | None) -> bool:
    try:
        if tolerance is not None:
            gold, guess = _decimal(ref), _decimal(pred)
            return guess == gold if gold == 0 else abs(gold - guess) / abs(gold) <= tolerance
        if ref.endswith("%"):
            return _decimal(ref) == _decimal(pred)
        places = [len(x.split(".")[-1]) if "." in x else 0 for x in refs if _is_number(x) and not x.endswith("%")]
        precision = min(places) if places else 0
        return _rounded(_decimal(ref), precision) == _rounded(_decimal(pred), precision)
    except Exception:
        return False


def exact_match(prediction: str, reference: str, tolerance: float | None = None) -> float:
    """The official per-sample EM: the i-th comma-separated answer against the i-th reference answer,
    each reference answer weighing 1/n; numbers rounded to the reference precision or within ``tolerance``."""
    refs = [x.strip() for x in normalize(reference).split(",")]
    preds = [x.strip() for x in normalize(prediction).split(",")]
    total = 0.0
    for i, ref in enumerate(refs):
        if i >= len(preds):
            continue
        pred = preds[i]
        ok = _same_number(ref, pred, refs, tolerance) if _is_number(ref) else ref == pred
        total += 1.0 / len(refs) if ok else 0.0
    return total


@lru_cache(maxsize=1)
def _rouge() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"])


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure of the normalised texts (rouge-score's default tokenizer, no stemming)."""
    return float(_rouge().score(normalize(reference), normalize(prediction))["rougeL"].fmeasure)


def metric_for(qtype: str, qsubtype: str) -> str:
    """``em``, ``em_tolerance_10`` or ``rouge_l``: only DataAnalysis questions use the last two."""
    if qtype != "DataAnalysis" or qsubtype in EXACT_SUBTYPES:
        return "em"
    return "em_tolerance_10" if qsubtype in TOLERANCE_SUBTYPES else "rouge_l"


def tablebench(sample: ScoreInput) -> Score:
    """``mix_metric`` of the final answer; excluded when the sample has no ``qtype``."""
    answer = final_answer(clean_completion(sample.completion))
    qtype, qsubtype = sample.metadata.get("qtype"), sample.metadata.get("qsubtype")
    if not isinstance(qtype, str):
        return Score(value=None, extracted=answer, metric="mix_metric", explanation="metadata needs 'qtype'")
    metric = metric_for(qtype, str(qsubtype))
    reference = reference_text(sample)
    if metric == "rouge_l":
        value = rouge_l(answer, reference)
    else:
        value = exact_match(answer, reference, TOLERANCE if metric == "em_tolerance_10" else None)
    return from_values({"mix_metric": value}, "mix_metric", extracted=answer,
                       metadata={"metric": sample.metadata.get("metric", metric), "parsed": bool(answer)})
