"""IFEval checkers about layout: length, paragraphs, sections, bullets, highlights, JSON, titles, combinations."""

from __future__ import annotations

import json
import re

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
from pytest_evalindex.scorers.ifeval.textutil import count_sentences, count_words

ANSWER_OPTIONS = ("My answer is yes.", "My answer is no.", "My answer is maybe.")
_STAR_BULLET = re.compile(r"^\s*\*[^\*].*$", re.MULTILINE)
_DASH_BULLET = re.compile(r"^\s*-.*$", re.MULTILINE)
_SINGLE_HIGHLIGHT = re.compile(r"\*[^\n\*]*\*")
_DOUBLE_HIGHLIGHT = re.compile(r"\*\*[^\n\*]*\*\*")
_PARAGRAPH_RULE = re.compile(r"\s?\*\*\*\s?")
_PLACEHOLDER = re.compile(r"\[.*?\]")
_TITLE = re.compile(r"<<[^\n]+>>")
_FENCE_OPENINGS = ("```json", "```Json", "```JSON", "```")


def _sentence_count(args: Args) -> Check:
    threshold = count_arg(args, "length_constraints:number_sentences", "num_sentences")
    relation = relation_arg(args, "length_constraints:number_sentences")
    return lambda text: compare(count_sentences(text), relation, threshold)


def _word_count(args: Args) -> Check:
    threshold = count_arg(args, "length_constraints:number_words", "num_words")
    relation = relation_arg(args, "length_constraints:number_words")
    return lambda text: compare(count_words(text), relation, threshold)


def _rule_paragraphs(args: Args) -> Check:
    wanted = count_arg(args, "length_constraints:number_paragraphs", "num_paragraphs")

    def check(text: str) -> bool:
        parts = _PARAGRAPH_RULE.split(text)
        last = len(parts) - 1
        if any(not p.strip() for i, p in enumerate(parts) if 0 < i < last):
            return False  # an empty paragraph between two dividers
        blank_ends = sum(1 for i in {0, last} if not parts[i].strip())
        return bool(len(parts) - blank_ends == wanted)

    return check


def _nth_paragraph_first_word(args: Args) -> Check:
    wanted = count_arg(args, "length_constraints:nth_paragraph_first_word", "num_paragraphs")
    nth = args.get("nth_paragraph")
    if nth is None or nth <= 0 or nth > wanted:
        raise random_draw("length_constraints:nth_paragraph_first_word", "nth_paragraph")
    word = args.get("first_word")
    if word is None:
        raise random_draw("length_constraints:nth_paragraph_first_word", "first_word")
    first_word = word.lower()

    def check(text: str) -> bool:
        parts = text.split("\n\n")
        present = sum(1 for p in parts if p.strip())
        if nth > present:
            return False
        paragraph = parts[nth - 1].strip()  # counted among all parts, blank ones included
        if not paragraph:
            return False
        token = paragraph.split()[0].strip().lstrip("'").lstrip('"')
        head = ""
        for char in token:
            if char in ".,?!'\"":
                break
            head += char.lower()
        return bool(present == wanted and head == first_word)

    return check


def _placeholders(args: Args) -> Check:
    wanted = count_arg(args, "detectable_content:number_placeholders", "num_placeholders")
    return lambda text: len(_PLACEHOLDER.findall(text)) >= wanted


def _postscript(args: Args) -> Check:
    marker = text_arg(args, "detectable_content:postscript", "postscript_marker")
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:  # any other marker is used as a lower-cased regular expression
        pattern = r"\s*" + marker.lower() + r".*$"
    return lambda text: bool(re.findall(pattern, text.lower(), re.MULTILINE))


def _bullets(args: Args) -> Check:
    wanted = count_arg(args, "detectable_format:number_bullet_lists", "num_bullets")
    return lambda text: len(_STAR_BULLET.findall(text)) + len(_DASH_BULLET.findall(text)) == wanted


def _answer_option(args: Args) -> Check:
    return lambda text: any(option in text.strip() for option in ANSWER_OPTIONS)


def _highlights(args: Args) -> Check:
    wanted = count_arg(args, "detectable_format:number_highlighted_sections", "num_highlights")

    def check(text: str) -> bool:
        single = sum(1 for h in _SINGLE_HIGHLIGHT.findall(text) if h.strip("*").strip())
        double = sum(1 for h in _DOUBLE_HIGHLIGHT.findall(text) if h[2:-2].strip())
        return bool(single + double >= wanted)

    return check


def _sections(args: Args) -> Check:
    splitter = text_arg(args, "detectable_format:multiple_sections", "section_spliter")
    wanted = count_arg(args, "detectable_format:multiple_sections", "num_sections")
    pattern = r"\s?" + splitter + r"\s?\d+\s?"
    return lambda text: len(re.split(pattern, text)) - 1 >= wanted


def _json(args: Args) -> Check:
    def check(text: str) -> bool:
        body = text.strip()
        for opening in _FENCE_OPENINGS:  # each removed in turn, as a chain
            body = body.removeprefix(opening)
        body = body.removesuffix("```").strip()
        try:
            json.loads(body)
        except ValueError:
            return False
        return True

    return check


def _title(args: Args) -> Check:
    return lambda text: any(t.lstrip("<").rstrip(">").strip() for t in _TITLE.findall(text))


def _two_responses(args: Args) -> Check:
    def check(text: str) -> bool:
        parts = text.split("******")
        last = len(parts) - 1
        kept = []
        for i, part in enumerate(parts):
            if part.strip():
                kept.append(part)
            elif 0 < i < last:
                return False
        return len(kept) == 2 and kept[0].strip() != kept[1].strip()

    return check


def _repeat_prompt(args: Args) -> Check:
    prompt = args.get("prompt_to_repeat")
    if not prompt:
        raise InstructionArgsError("combination:repeat_prompt: kwarg 'prompt_to_repeat' must be set")
    head = prompt.strip().lower()
    return lambda text: text.strip().lower().startswith(head)


INSTRUCTIONS = (
    Instruction("length_constraints:number_sentences", ("num_sentences", "relation"), _sentence_count),
    Instruction("length_constraints:number_paragraphs", ("num_paragraphs",), _rule_paragraphs),
    Instruction("length_constraints:number_words", ("num_words", "relation"), _word_count),
    Instruction("length_constraints:nth_paragraph_first_word", ("num_paragraphs", "nth_paragraph", "first_word"),
                _nth_paragraph_first_word),
    Instruction("detectable_content:number_placeholders", ("num_placeholders",), _placeholders),
    Instruction("detectable_content:postscript", ("postscript_marker",), _postscript),
    Instruction("detectable_format:number_bullet_lists", ("num_bullets",), _bullets),
    Instruction("detectable_format:constrained_response", (), _answer_option),
    Instruction("detectable_format:number_highlighted_sections", ("num_highlights",), _highlights),
    Instruction("detectable_format:multiple_sections", ("section_spliter", "num_sections"), _sections),
    Instruction("detectable_format:json_format", (), _json),
    Instruction("detectable_format:title", (), _title),
    Instruction("combination:two_responses", (), _two_responses),
    Instruction("combination:repeat_prompt", ("prompt_to_repeat",), _repeat_prompt),
)
