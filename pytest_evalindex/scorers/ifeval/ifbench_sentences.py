"""IFBench checkers that look at sentences, punctuation and nesting."""

from __future__ import annotations

import string
from typing import Any

from pytest_evalindex.scorers.ifeval.base import Args, Check, Instruction, count_arg, random_draw
from pytest_evalindex.scorers.ifeval.ifbench_words import plain_words
from pytest_evalindex.scorers.ifeval.nltk_data import ensure_punkt_tab
from pytest_evalindex.scorers.ifeval.sentence_rules import split_sentences
from pytest_evalindex.scorers.ifeval.textutil import word_tokens

_PUNCT = string.punctuation
_NO_PUNCT = str.maketrans("", "", _PUNCT)


def _ending_counts(text: str) -> tuple[int, int, int]:
    found = split_sentences(text)
    return tuple(sum(1 for s in found if s.endswith(mark)) for mark in ".?!")  # type: ignore[return-value]


def _two_statements_per_question(args: Args) -> Check:
    def check(text: str) -> bool:
        statements, questions, _ = _ending_counts(text)
        return statements == 2 * questions

    return check


def _balanced_endings(args: Args) -> Check:
    def check(text: str) -> bool:
        statements, questions, exclamations = _ending_counts(text)
        return statements == questions == exclamations

    return check


def _growing_alliteration(args: Args) -> Check:
    def score(sentence: str) -> int:
        words = [w for w in (raw.lstrip(_PUNCT + " ") for raw in sentence.lower().split()) if w]
        total, in_run = 0, False
        for a, b in zip(words, words[1:]):
            if a[0] == b[0]:
                total += 1 if in_run else 2  # a run's first pair counts both words
                in_run = True
            else:
                in_run = False
        return total

    def check(text: str) -> bool:
        previous = -1
        for sentence in split_sentences(text):
            current = score(sentence)
            if current <= previous:
                return False
            previous = current
        return True

    return check


def _emoji_endings(args: Args) -> Check:
    def check(text: str) -> bool:
        import emoji

        found = split_sentences(text)
        for i, sentence in enumerate(found):
            bare = sentence.translate(_NO_PUNCT).strip()
            if not bare:
                return False
            if emoji.is_emoji(bare[-1]) or emoji.is_emoji(bare[-2] if len(bare) > 1 else bare[-1]):
                continue
            if i == len(found) - 1:
                return False
            following = found[i + 1].translate(_NO_PUNCT).strip()
            if not following or not emoji.is_emoji(following[0]):
                return False  # the emoji may open the next sentence instead
        return True

    return check


def _three_equal_sentences(args: Args) -> Check:
    def check(text: str) -> bool:
        found = split_sentences(text)
        if len(found) != 3 or len({len(s.strip()) for s in found}) != 1:
            return False
        words = plain_words(" ".join(found))
        return bool(words) and len(words) == len(set(words))

    return check


def _keyword_in_sentence(args: Args) -> Check:
    word = args.get("word")
    if not word:
        raise random_draw("sentence:keyword", "word")
    position = count_arg(args, "sentence:keyword", "N")

    def check(text: str) -> bool:
        found = split_sentences(text)
        if len(found) < position:
            return False
        return bool(word.lower() in found[int(position - 1)].lower())

    return check


def _chained_sentences(args: Args) -> Check:
    def check(text: str) -> bool:
        found = split_sentences(text)
        for current, following in zip(found, found[1:]):
            last = current.rstrip(_PUNCT + " ").split()[-1]
            first = following.lstrip(_PUNCT + " ").split()[0]
            if last.lower() != first.lower():
                return False
        return True

    return check


def _growing_sentences(args: Args) -> Check:
    step = count_arg(args, "sentence:increment", "small_n")

    def check(text: str) -> bool:
        sizes = [len(s.translate(_NO_PUNCT).strip().split()) for s in split_sentences(text)]
        if not sizes:
            raise ValueError("sentence:increment: the response has no sentence")
        return all(b == a + step for a, b in zip(sizes, sizes[1:]))

    return check


def _trigram_overlap(args: Args) -> Check:
    reference: Any = args.get("reference_text")
    target = count_arg(args, "ratio:overlap", "percentage")

    def trigrams(text: str) -> set[tuple[str, ...]]:
        tokens = word_tokens(text)
        return {tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)}

    def check(text: str) -> bool:
        mine = trigrams(text)
        theirs = trigrams(reference)  # a missing reference raises, as in EvalScope
        if not mine:
            return False
        return bool(target - 2 <= len(mine & theirs) / len(mine) * 100 <= target + 2)

    ensure_punkt_tab()
    return check


def _all_punctuation(args: Args) -> Check:
    def check(text: str) -> bool:
        if "!?" not in text and "?!" not in text and "‽" not in text:
            return False
        rest = text.replace("?!", "", 1)
        if len(rest) == len(text):
            rest = text.replace("!?", "", 1)  # the interrobang pair itself does not count
        return set(".,!?;:") <= set(rest)

    return check


def _nested_brackets(args: Args) -> Check:
    pairs = {")": "(", "]": "[", "}": "{"}

    def check(text: str) -> bool:
        stack: list[str] = []
        deepest = 0
        for char in text:
            if char in "([{":
                stack.append(char)
                deepest = max(deepest, len(stack))
            elif char in pairs:
                if stack and stack[-1] == pairs[char]:
                    stack.pop()
                    if deepest >= 5 and len(stack) < deepest:
                        return True
                else:  # a mismatched closer starts the count afresh
                    stack, deepest = [], 0
        return False

    return check


def _nested_quotes(args: Args) -> Check:
    def check(text: str) -> bool:
        open_quotes: list[str] = []
        deepest = depth = 0
        for char in text:
            if open_quotes and char == open_quotes[-1]:
                open_quotes.pop()
                depth -= 1
                if deepest - depth >= 3:
                    return True
            elif char in "\"'":
                open_quotes.append(char)
                depth += 1
                deepest = max(deepest, depth)
        return False

    return check


def _one_word_per_line(args: Args) -> Check:
    def check(text: str) -> bool:
        bare = text.translate(_NO_PUNCT)
        lines = [line for line in bare.strip().split("\n") if line != ""]
        return len(lines) == len(bare.strip().split())

    return check


INSTRUCTIONS = (
    Instruction("ratio:sentence_type", (), _two_statements_per_question),
    Instruction("ratio:sentence_balance", (), _balanced_endings),
    Instruction("sentence:alliteration_increment", (), _growing_alliteration),
    Instruction("format:emoji", (), _emoji_endings),
    Instruction("ratio:sentence_words", (), _three_equal_sentences),
    Instruction("sentence:keyword", ("word", "N"), _keyword_in_sentence),
    Instruction("words:last_first", (), _chained_sentences),
    Instruction("sentence:increment", ("small_n",), _growing_sentences),
    Instruction("ratio:overlap", ("reference_text", "percentage"), _trigram_overlap),
    Instruction("count:punctuation", (), _all_punctuation),
    Instruction("format:parentheses", (), _nested_brackets),
    Instruction("format:quotes", (), _nested_quotes),
    Instruction("format:newline", (), _one_word_per_line),
)
