"""Open-answer overlap scorers of EvalScope 1.14.1: general_qa (BLEU-1..4 and ROUGE-1/2/L, main ``Rouge-L-R``)
and locomo (stemmed token F1, main ``f1``).

Chinese text is segmented with jieba; English BLEU tokens come from NLTK's ``word_tokenize``, whose Punkt data
is generated offline (never downloaded); ROUGE is ``rouge-chinese``.
"""

from __future__ import annotations

import logging
import re
import string
import threading
import unicodedata
import warnings
from collections import Counter
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.text import clean_completion, target_values

BLEU_KEYS = ("bleu-1", "bleu-2", "bleu-3", "bleu-4")
ROUGE_KEYS = tuple(f"Rouge-{n}-{s}" for n in ("1", "2", "L") for s in ("R", "P", "F"))
GENERAL_QA_MAIN = "Rouge-L-R"
_ONE_HOT = ((1.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0), (0.0, 0.0, 1.0, 0.0), (0.0, 0.0, 0.0, 1.0))
_LOCK = threading.Lock()


def has_chinese(text: str) -> bool:
    """True when ``text`` holds a CJK unified ideograph of the basic block (U+4E00..U+9FA5)."""
    return any("\u4e00" <= ch <= "\u9fa5" for ch in text)


def _jieba_words(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return list(jieba.cut(text))


def _bleu_tokens(text: str) -> list[str]:
    if has_chinese(text):
        return _jieba_words(text)
    from nltk import word_tokenize

    from pytest_evalindex.scorers.ifeval.nltk_data import ensure_punkt_tab

    ensure_punkt_tab()
    return list(word_tokenize(text))


def bleu_scores(prediction: str, reference: str) -> dict[str, float]:
    """Sentence BLEU with one n-gram order at a time (no smoothing), as ``bleu-1`` .. ``bleu-4``."""
    from nltk.translate.bleu_score import sentence_bleu

    hypothesis, references = _bleu_tokens(prediction), [_bleu_tokens(reference)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NLTK warns when an order has no overlap (that order then scores 0)
        return {key: float(sentence_bleu(references, hypothesis, weights=w)) for key, w in zip(BLEU_KEYS, _ONE_HOT)}


def rouge_scores(prediction: str, reference: str) -> dict[str, float]:
    """ROUGE-1/2/L recall, precision and F of one pair (all 0 when ``rouge-chinese`` cannot score it)."""
    from rouge_chinese import Rouge

    hyp = " ".join(_jieba_words(prediction)) if has_chinese(prediction) else prediction
    ref = " ".join(_jieba_words(reference)) if has_chinese(reference) else reference
    try:
        scores: dict[str, dict[str, float]] = Rouge().get_scores(hyp, ref, ignore_empty=True)[0]
    except Exception:  # e.g. an empty or punctuation-only side: EvalScope skips the pair and reports zeros
        return dict.fromkeys(ROUGE_KEYS, 0.0)
    return {f"Rouge-{n}-{s.upper()}": float(scores[f"rouge-{n.lower()}"][s]) for n in ("1", "2", "L")
            for s in ("r", "p", "f")}


def general_qa(sample: ScoreInput) -> Score:
    """BLEU then ROUGE of the reply against the target; a metric that cannot run scores its keys 0."""
    prediction = clean_completion(sample.completion)
    reference = "\n".join(target_values(sample))
    metrics: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name, keys, fn in (("BLEU", BLEU_KEYS, bleu_scores), ("Rouge", ROUGE_KEYS, rouge_scores)):
        try:
            with _LOCK:  # jieba's lazy dictionary load and NLTK's data path are process-global
                metrics.update(fn(prediction, reference))
        except LookupError as exc:  # NLTK data missing: a missing package raises instead
            metrics.update(dict.fromkeys(keys, 0.0))
            errors[name] = f"{type(exc).__name__}: {exc}"
    return Score(value=metrics[GENERAL_QA_MAIN], extracted=prediction, metric=GENERAL_QA_MAIN, metrics=metrics,
                 metadata={"metric_errors": errors} if errors else {})


# --- locomo -------------------------------------------------------------------------------------------------

_LOCOMO_ARTICLES = re.compile(r"\b(a|an|the|and)\b")
_NO_PUNCT = str.maketrans("", "", string.punctuation)
_stemmer: Any = None


def _stem(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        from nltk.stem import PorterStemmer

        _stemmer = PorterStemmer()
    return str(_stemmer.stem(word))


def _locomo_tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFD", text).lower().replace(",", "").translate(_NO_PUNCT)
    return [_stem(word) for word in _LOCOMO_ARTICLES.sub(" ", text).split()]


def token_f1(prediction: str, reference: str) -> float:
    """F1 of the stemmed, normalised token multisets."""
    pred, ref = _locomo_tokens(prediction), _locomo_tokens(reference)
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def locomo_f1(prediction: str, reference: str, category: int) -> float:
    """LoCoMo's per-question score: adversarial (5) wants a refusal, multi-hop (1) averages comma-separated parts,
    commonsense (3) uses the reference up to its first ``;``."""
    if category == 5:
        lowered = prediction.lower()
        return 1.0 if "no information available" in lowered or "not mentioned" in lowered else 0.0
    if category == 1:
        parts = [p.strip() for p in prediction.split(",")]
        refs = [r.strip() for r in reference.split(",")]
        return sum(max(token_f1(p, r) for p in parts) for r in refs) / len(refs)
    if category == 3:
        reference = reference.split(";")[0].strip()
    return token_f1(prediction, reference)


def locomo(sample: ScoreInput) -> Score:
    """Score a LoCoMo answer; a sample without an integer ``metadata.category`` is excluded."""
    prediction = clean_completion(sample.completion)
    try:
        category = int(sample.metadata["category"])
    except (KeyError, TypeError, ValueError) as exc:
        return Score(value=None, extracted=prediction, metric="f1", explanation=f"no LoCoMo category: {exc!r}")
    value = locomo_f1(prediction, "\n".join(target_values(sample)), category)
    return Score(value=value, extracted=prediction, metric="f1", metrics={"f1": value},
                 metadata={"category": category, "category_name": sample.metadata.get("category_name")})
