"""IFEval checkers about words and characters: keywords, language, letter case, punctuation, start and end."""

from __future__ import annotations

import re
from collections import Counter

from pytest_evalindex.scorers.ifeval.base import (
    Args,
    Check,
    Instruction,
    InstructionArgsError,
    compare,
    count_arg,
    random_draw,
    relation_arg,
    text_arg,
)
from pytest_evalindex.scorers.ifeval.textutil import detect_language, word_tokens

# The ISO 639-1 codes the IFEval language instruction knows; any other code is rejected as EvalScope does.
LANGUAGE_CODES = frozenset(
    "en es pt ar hi fr ru de ja it bn uk th ur ta te bg ko pl he fa vi ne sw kn mr gu pa ml fi".split()
)


def _keywords_present(args: Args) -> Check:
    keywords = args.get("keywords")
    if not keywords:
        raise random_draw("keywords:existence", "keywords")
    # Keywords are regular expressions, matched anywhere, ignoring case; compiled only when checked.
    ordered = sorted(keywords)
    return lambda text: all(re.search(k, text, re.IGNORECASE) for k in ordered)


def _keyword_frequency(args: Args) -> Check:
    word = args.get("keyword")
    if not word:
        raise random_draw("keywords:frequency", "keyword")
    pattern = word.strip()
    threshold = count_arg(args, "keywords:frequency", "frequency")
    relation = relation_arg(args, "keywords:frequency")
    return lambda text: compare(len(re.findall(pattern, text, re.IGNORECASE)), relation, threshold)


def _forbidden_words(args: Args) -> Check:
    words = args.get("forbidden_words")
    if not words:
        raise random_draw("keywords:forbidden_words", "forbidden_words")
    patterns = [r"\b" + w + r"\b" for w in sorted(set(words))]
    return lambda text: not any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _letter_frequency(args: Args) -> Check:
    letter = args.get("letter")
    if not letter or len(letter) > 1 or not "a" <= letter.lower() <= "z":
        raise random_draw("keywords:letter_frequency", "letter")
    wanted = letter.strip().lower()
    threshold = count_arg(args, "keywords:letter_frequency", "let_frequency")
    relation = relation_arg(args, "keywords:letter_frequency", "let_relation")
    return lambda text: compare(Counter(text.lower())[wanted], relation, threshold)


def _response_language(args: Args) -> Check:
    language = args.get("language")
    if language is None:
        raise random_draw("language:response_language", "language")
    if language not in LANGUAGE_CODES:
        raise InstructionArgsError(f"language:response_language: unknown language code {language!r}")

    def check(text: str) -> bool:
        found = detect_language(text)
        return found is None or found == language  # nothing detectable counts as followed

    return check


def _all_capitals(args: Args) -> Check:
    def check(text: str) -> bool:
        if not text.isupper():
            return False
        found = detect_language(text)
        return found is None or found == "en"

    return check


def _all_lowercase(args: Args) -> Check:
    def check(text: str) -> bool:
        if not text.islower():
            return False
        found = detect_language(text)
        return found is None or found == "en"

    return check


def _capital_words(args: Args) -> Check:
    threshold = args.get("capital_frequency")
    if threshold is None:
        raise random_draw("change_case:capital_word_frequency", "capital_frequency")
    relation = relation_arg(args, "change_case:capital_word_frequency", "capital_relation")
    return lambda text: compare(sum(1 for t in word_tokens(text) if t.isupper()), relation, threshold)


def _no_comma(args: Args) -> Check:
    return lambda text: "," not in text


def _end_phrase(args: Args) -> Check:
    phrase = text_arg(args, "startend:end_checker", "end_phrase").strip().lower()
    return lambda text: text.strip().strip('"').lower().endswith(phrase)


def _quoted(args: Args) -> Check:
    def check(text: str) -> bool:
        body = text.strip()
        return len(body) > 1 and body.startswith('"') and body.endswith('"')

    return check


INSTRUCTIONS = (
    Instruction("keywords:existence", ("keywords",), _keywords_present),
    Instruction("keywords:frequency", ("keyword", "frequency", "relation"), _keyword_frequency),
    Instruction("keywords:forbidden_words", ("forbidden_words",), _forbidden_words),
    Instruction("keywords:letter_frequency", ("letter", "let_frequency", "let_relation"), _letter_frequency),
    Instruction("language:response_language", ("language",), _response_language),
    Instruction("change_case:english_capital", (), _all_capitals),
    Instruction("change_case:english_lowercase", (), _all_lowercase),
    Instruction("change_case:capital_word_frequency", ("capital_frequency", "capital_relation"), _capital_words),
    Instruction("punctuation:no_comma", (), _no_comma),
    Instruction("startend:end_checker", ("end_phrase",), _end_phrase),
    Instruction("startend:quotation", (), _quoted),
)
