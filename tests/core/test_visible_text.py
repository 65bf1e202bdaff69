"""visible(): text with nothing to escape is returned as it is (the check every node id and JUnit property takes)."""

from __future__ import annotations

import sys

from pytest_evalindex.core.text import _escaped, sanitize, visible


def test_printable_text_is_what_the_character_by_character_escape_gives() -> None:
    printable = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isprintable()]
    text = "".join(printable)
    # Every character str.isprintable() accepts is one the escape keeps, so the shortcut changes nothing.
    assert _escaped(text, keep_newlines=False) == text == visible(text) == sanitize(text)


def test_text_with_controls_newlines_or_separators_is_still_escaped() -> None:
    assert visible("a\nb\tc\x1b[31m\u2028\u202e\xa0") == "a\nb\tc\\x1b[31m\\u2028\\u202e\xa0"
    assert sanitize("gsm8k/main\n/1\t") == "gsm8k/main\\x0a/1\\x09"
