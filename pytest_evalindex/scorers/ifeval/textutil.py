"""Text measures the checkers share: words, sentences, NLTK tokens and language detection."""

from __future__ import annotations

import re
import threading
from types import ModuleType

from pytest_evalindex.scorers.ifeval.nltk_data import ensure_punkt_tab

_WORD_RE = re.compile(r"\w+")
_LANGDETECT_LOCK = threading.Lock()
_langdetect: ModuleType | None = None


def count_words(text: str) -> int:
    """Number of ``\\w+`` runs (NLTK's ``RegexpTokenizer(r'\\w+')``)."""
    return len(_WORD_RE.findall(text))


def sentences(text: str) -> list[str]:
    """NLTK's English Punkt sentences, from the offline ``punkt_tab`` data."""
    ensure_punkt_tab()
    import nltk

    return list(nltk.sent_tokenize(text, language="english"))


def count_sentences(text: str) -> int:
    """Number of Punkt sentences."""
    return len(sentences(text))


def word_tokens(text: str) -> list[str]:
    """NLTK's ``word_tokenize`` tokens (Punkt sentences, then Treebank words)."""
    ensure_punkt_tab()
    import nltk

    return list(nltk.word_tokenize(text))


def _langdetect_module() -> ModuleType:
    # langdetect builds its language profiles lazily without a lock and samples randomly while
    # detecting: load the profiles once under a lock and pin the seed so results are reproducible.
    global _langdetect
    if _langdetect is None:
        with _LANGDETECT_LOCK:
            if _langdetect is None:
                import langdetect
                from langdetect.detector_factory import init_factory

                langdetect.DetectorFactory.seed = 0
                init_factory()
                _langdetect = langdetect
    return _langdetect


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code langdetect gives ``text``, or ``None`` when it finds nothing to judge."""
    module = _langdetect_module()
    try:
        return str(module.detect(text))
    except module.LangDetectException:
        return None
