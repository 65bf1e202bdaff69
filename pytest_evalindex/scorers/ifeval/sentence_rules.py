"""The rule-based sentence splitter IFBench's checkers use (periods protected in titles, acronyms, numbers)."""

from __future__ import annotations

import re

_LETTER = "([A-Za-z])"
_TITLE_PREFIX = re.compile("(Mr|St|Mrs|Ms|Dr)[.]")
_DOMAIN = re.compile("[.](com|net|org|io|gov|edu|me)")
_DECIMAL = re.compile("([0-9])[.]([0-9])")
_ELLIPSIS = re.compile(r"\.{2,}")
_LONE_INITIAL = re.compile(r"\s" + _LETTER + "[.] ")
_OPENERS = r"(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\s|She\s|It\s|They\s|Their\s|Our\s|We\s|But\s|However\s|That\s|This\s|Wherever)"
_ACRONYM_THEN_OPENER = re.compile("([A-Z][.][A-Z][.](?:[A-Z][.])?)" + " " + _OPENERS)
_THREE_INITIALS = re.compile(_LETTER + "[.]" + _LETTER + "[.]" + _LETTER + "[.]")
_TWO_INITIALS = re.compile(_LETTER + "[.]" + _LETTER + "[.]")
_SUFFIX = "(Inc|Ltd|Jr|Sr|Co)"
_SUFFIX_THEN_OPENER = re.compile(" " + _SUFFIX + "[.] " + _OPENERS)
_SUFFIX_DOT = re.compile(" " + _SUFFIX + "[.]")
_SPACED_INITIAL = re.compile(" " + _LETTER + "[.]")
_DOT, _STOP = "<prd>", "<stop>"


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into stripped sentences at ``.``, ``?`` and ``!``, keeping protected periods."""
    s = " " + text + "  "
    s = s.replace("\n", " ")
    s = _TITLE_PREFIX.sub(r"\1" + _DOT, s)
    s = _DOMAIN.sub(_DOT + r"\1", s)
    s = _DECIMAL.sub(r"\1" + _DOT + r"\2", s)
    s = _ELLIPSIS.sub(lambda m: _DOT * len(m.group(0)) + _STOP, s)
    if "Ph.D" in s:
        s = s.replace("Ph.D.", "Ph" + _DOT + "D" + _DOT)
    s = _LONE_INITIAL.sub(r" \1" + _DOT + " ", s)
    s = _ACRONYM_THEN_OPENER.sub(r"\1" + _STOP + r" \2", s)
    s = _THREE_INITIALS.sub(r"\1" + _DOT + r"\2" + _DOT + r"\3" + _DOT, s)
    s = _TWO_INITIALS.sub(r"\1" + _DOT + r"\2" + _DOT, s)
    s = _SUFFIX_THEN_OPENER.sub(r" \1" + _STOP + r" \2", s)
    s = _SUFFIX_DOT.sub(r" \1" + _DOT, s)
    s = _SPACED_INITIAL.sub(r" \1" + _DOT, s)
    # A closing quote moves before the sentence's final mark.
    for mark, quote in ((".", "”"), (".", '"'), ("!", '"'), ("?", '"')):
        if quote in s:
            s = s.replace(mark + quote, quote + mark)
    for mark in ".?!":
        s = s.replace(mark, mark + _STOP)
    s = s.replace(_DOT, ".")
    parts = [p.strip() for p in s.split(_STOP)]
    if parts and not parts[-1]:
        parts.pop()
    return parts
