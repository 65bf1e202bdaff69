"""IFBench checkers that look at words: counts, repeats, letters, syllables, names and pronouns."""

from __future__ import annotations

import re
import string
from collections import Counter

from pytest_evalindex.scorers.ifeval.base import Args, Check, Instruction, count_arg
from pytest_evalindex.scorers.ifeval.nltk_data import require_resource
from pytest_evalindex.scorers.ifeval.textutil import count_words, word_tokens

_PUNCT = string.punctuation
_NO_PUNCT = str.maketrans("", "", _PUNCT)
_CONJUNCTIONS = frozenset("and but for nor or so yet".split())
_PRONOUNS = frozenset(
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she her "
    "hers herself it its itself they them their theirs themselves".split()
)
# The fixed first-name list IFBench's person-name instruction counts (case-sensitive, whole words).
_NAMES = (
    "Emma Liam Sophia Jackson Olivia Noah Ava Lucas Isabella Mason Mia Ethan Charlotte Alexander Amelia Benjamin "
    "Harper Leo Zoe Daniel Chloe Samuel Lily Matthew Grace Owen Abigail Gabriel Ella Jacob Scarlett Nathan "
    "Victoria Elijah Layla Nicholas Audrey David Hannah Christopher Penelope Thomas Nora Andrew Aria Joseph Claire "
    "Ryan Stella Jonathan"
).split()
_PRIMES = frozenset((2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97))


def plain_words(text: str) -> list[str]:
    """Lower-cased words with ASCII punctuation deleted, split on whitespace."""
    return text.lower().translate(_NO_PUNCT).split()


def _word_range(args: Args) -> Check:
    low = count_arg(args, "count:word_count_range", "min_words")
    high = count_arg(args, "count:word_count_range", "max_words")
    return lambda text: bool(low <= count_words(text) <= high)


def _unique_words(args: Args) -> Check:
    wanted = count_arg(args, "count:unique_word_count", "N")
    return lambda text: len({w.strip(_PUNCT + " ") for w in text.lower().split()}) >= wanted


def _stop_words(args: Args) -> Check:
    limit = count_arg(args, "ratio:stop_words", "percentage")

    def check(text: str) -> bool:
        total = count_words(text)
        if total == 0:
            return False
        require_resource("stopwords", "corpora/stopwords")
        import nltk

        stop = nltk.corpus.stopwords.words("english")
        found = sum(1 for token in re.findall(r"\w+", text) if token.lower() in stop)
        return bool(found / total * 100 <= limit)

    return check


def _conjunctions(args: Args) -> Check:
    wanted = count_arg(args, "count:conjunctions", "small_n")

    def check(text: str) -> bool:
        used = {w for w in text.split() if w.strip(_PUNCT + " ").lower() in _CONJUNCTIONS}
        return bool(len(used) >= wanted)  # distinct raw tokens, so "and" and "And," count apart

    return check


def _person_names(args: Args) -> Check:
    wanted = count_arg(args, "count:person_names", "N")
    patterns = [re.compile(r"\b" + re.escape(name) + r"\b") for name in _NAMES]
    return lambda text: sum(1 for p in patterns if p.search(text)) >= wanted


def _numbers(args: Args) -> Check:
    wanted = count_arg(args, "count:numbers", "N")
    return lambda text: len(re.findall(r"\d+", text.translate(_NO_PUNCT))) == wanted


def _alphabet_chain(args: Args) -> Check:
    letters = string.ascii_lowercase

    def check(text: str) -> bool:
        words = text.translate(_NO_PUNCT).strip(_PUNCT + " ").split()
        current = words[0][0].lower()  # no word at all raises, as in EvalScope
        if current not in letters:
            return False
        for word in words[1:]:
            word = word.strip(_PUNCT + " ").lower()
            if word:
                current = letters[(letters.index(current) + 1) % 26]
                if word[0] != current:
                    return False
        return True

    return check


def _few_vowels(args: Args) -> Check:
    def check(text: str) -> bool:
        lines = text.strip().split("\n")
        return len(lines) == 1 and len(set(lines[0].lower()) & set("aeiou")) <= 3

    return check


def _consonant_clusters(args: Args) -> Check:
    consonants = set("bcdfghjklmnpqrstvwxyz")

    def has_cluster(word: str) -> bool:
        return any(a in consonants and b in consonants for a, b in zip(word, word[1:]))

    return lambda text: all(has_cluster(w) for w in text.lower().strip().split())


def _palindromes(args: Args) -> Check:
    def check(text: str) -> bool:
        words = text.translate(_NO_PUNCT).lower().split()
        return sum(1 for w in words if len(w) >= 5 and w == w[::-1]) >= 10

    return check


def _prime_lengths(args: Args) -> Check:
    return lambda text: all(len(w) in _PRIMES for w in text.translate(_NO_PUNCT).split())


def _word_repeats(args: Args) -> Check:
    limit = count_arg(args, "words:repeats", "small_n")
    return lambda text: all(n <= limit for n in Counter(plain_words(text)).values())


def _pronouns(args: Args) -> Check:
    wanted = count_arg(args, "count:pronouns", "N")

    def check(text: str) -> bool:
        words = text.replace("/", " ").lower().translate(_NO_PUNCT).split()
        return bool(sum(1 for w in words if w in _PRONOUNS) >= wanted)

    return check


def _syllable_parity(args: Args) -> Check:
    def check(text: str) -> bool:
        import syllapy

        words = text.translate(_NO_PUNCT).lower().split()
        parity = [syllapy.count(w) % 2 for w in words if w.strip()]
        return all(a != b for a, b in zip(parity, parity[1:]))

    return check


def _no_same_first_letter(args: Args) -> Check:
    def check(text: str) -> bool:
        words = [w for w in plain_words(text) if w]
        return all(a[0] != b[0] for a, b in zip(words, words[1:]))

    return check


def _paragraph_ends_match(args: Args) -> Check:
    def check(text: str) -> bool:
        for line in text.split("\n"):
            words = line.strip().lower().strip(_PUNCT + " ").split()
            if words and words[0] != words[-1]:
                return False
        return True

    return check


def _japanese_every_nth(args: Args) -> Check:
    step = count_arg(args, "count:words_japanese", "N")
    japanese = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")

    def check(text: str) -> bool:
        for position, word in enumerate(text.split(), start=1):
            word = word.strip(_PUNCT + " ")
            if position % step == 0 and word and not word.isdigit() and not japanese.search(word):
                return False
        return True

    return check


def _starts_with_verb(args: Args) -> Check:
    require_resource("averaged_perceptron_tagger_eng", "taggers/averaged_perceptron_tagger_eng/")

    def check(text: str) -> bool:
        import nltk

        tokens = word_tokens(text)
        return bool(tokens) and "VB" in nltk.pos_tag(tokens)[0][1]

    return check


INSTRUCTIONS = (
    Instruction("count:word_count_range", ("min_words", "max_words"), _word_range),
    Instruction("count:unique_word_count", ("N",), _unique_words),
    Instruction("ratio:stop_words", ("percentage",), _stop_words),
    Instruction("count:conjunctions", ("small_n",), _conjunctions),
    Instruction("count:person_names", ("N",), _person_names),
    Instruction("count:numbers", ("N",), _numbers),
    Instruction("words:alphabet", (), _alphabet_chain),
    Instruction("words:vowel", (), _few_vowels),
    Instruction("words:consonants", (), _consonant_clusters),
    Instruction("words:palindrome", (), _palindromes),
    Instruction("words:prime_lengths", (), _prime_lengths),
    Instruction("words:repeats", ("small_n",), _word_repeats),
    Instruction("count:pronouns", ("N",), _pronouns),
    Instruction("words:odd_even_syllables", (), _syllable_parity),
    Instruction("words:no_consecutive", (), _no_same_first_letter),
    Instruction("words:paragraph_last_first", (), _paragraph_ends_match),
    Instruction("count:words_japanese", ("N",), _japanese_every_nth),
    Instruction("words:start_verb", (), _starts_with_verb),
)
