"""IFBench checkers about layout and form: options, indents, bullets, italics, title case, templates."""

from __future__ import annotations

import re
import string

from pytest_evalindex.scorers.ifeval.base import Args, Check, Instruction, random_draw
from pytest_evalindex.scorers.ifeval.sentence_rules import split_sentences
from pytest_evalindex.scorers.ifeval.textutil import word_tokens

_PUNCT = string.punctuation


def _options(args: Args) -> Check:
    text = args.get("options")
    if text is None:
        raise random_draw("format:options", "options")
    # Lettered options (a), b), c) ...) must be answered exactly; others loosely, ignoring case and punctuation.
    exact = re.match(r"\W*[aA]\W*[bB]\W*[cC]\W*", text) is not None
    separator = "/" if "/" in text else "or" if "or" in text else ","
    options = [o.strip() for o in text.split(separator)]
    loose = {o.strip(_PUNCT + " ").lower() for o in options}

    def check(value: str) -> bool:
        if exact:
            return value in options
        return value.strip(_PUNCT + " ").lower() in loose

    return check


def _without_blank_lines(lines: list[str]) -> list[str]:
    # EvalScope removes blank lines while iterating over the same list, which skips the line after each
    # removal; this walks the list the same way so the surviving lines are identical.
    position = 0
    while position < len(lines):
        line = lines[position]
        position += 1
        if not line.strip():
            lines.remove(line)
    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _stairs(args: Args) -> Check:
    def check(value: str) -> bool:
        lines = _without_blank_lines(value.split("\n"))
        return all(_indent(b) > _indent(a) for a, b in zip(lines, lines[1:]))

    return check


def _quote_then_explanation(args: Args) -> Check:
    def check(value: str) -> bool:
        text = value.replace("“", '"').replace("”", '"').replace("'\"'", "")
        text = "".join(text.split())
        if '""' in text:
            return False  # two quotations in a row: one has no explanation
        tail = text.strip(string.digits + _PUNCT.replace('"', ""))
        return tail[-1] != '"'  # an empty remainder raises, as in EvalScope

    return check


def _custom_bullets(args: Args) -> Check:
    marker = args.get("sep")
    if marker is None:
        raise random_draw("format:list", "sep")
    return lambda value: len(re.findall(re.escape(marker), value)) >= 2


def _italic_thesis(args: Args) -> Check:
    def check(value: str) -> bool:
        start = value.find("<i>")
        if start == -1:
            start = value.find("<em>")
            if start == -1:
                return False
        rest = value[start:]
        end = rest.find("</i>")
        if end == -1:
            end = rest.find("</em>")
            if end == -1:
                return False
        # Offsets of 3 and 4 are used for both tag spellings.
        return bool(rest[3:end].strip()) and bool(rest[end + 4:].strip())

    return check


def _sub_bullets(args: Args) -> Check:
    return lambda value: all("-" in part for part in value.split("*")[1:])


def _prose_then_bullets(args: Args) -> Check:
    def check(value: str) -> bool:
        prose_open = True
        sentences = bullets = 0
        for line in value.split("\n"):
            if line.strip().startswith("*"):
                prose_open = False
                if sentences < 2:
                    return False
                bullets += 1
            elif prose_open:
                found = split_sentences(line.strip())
                prose_open = bool(found)  # a blank line closes the prose part
                sentences += len(found)
            else:
                return False
        return bullets >= 2

    return check


def _title_case(args: Args) -> Check:
    def check(value: str) -> bool:
        for token in word_tokens(value):
            head, rest = token[0], token[1:]
            if head.isupper() and rest.islower():
                continue
            if head.islower() and (rest.isupper() or rest.islower()):
                return False
        return True

    return check


def _template(args: Args) -> Check:
    return lambda value: all(label in value for label in ("My Answer:", "My Conclusion:", "Future Outlook:"))


def _no_whitespace(args: Args) -> Check:
    return lambda value: not any(char.isspace() for char in value)


INSTRUCTIONS = (
    Instruction("format:options", ("options",), _options),
    Instruction("format:line_indent", (), _stairs),
    Instruction("format:quote_unquote", (), _quote_then_explanation),
    Instruction("format:list", ("sep",), _custom_bullets),
    Instruction("format:thesis", (), _italic_thesis),
    Instruction("format:sub-bullets", (), _sub_bullets),
    Instruction("format:no_bullets_bullets", (), _prose_then_bullets),
    Instruction("format:title_case", (), _title_case),
    Instruction("format:output_template", (), _template),
    Instruction("format:no_whitespace", (), _no_whitespace),
)
