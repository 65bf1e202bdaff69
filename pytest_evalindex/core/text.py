"""Model and user text is data: make it safe to print in a terminal and in text files."""

from __future__ import annotations

import unicodedata


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Escape control, format and line-separator characters (ANSI escapes, bidi overrides…) as
    ``\\xNN``/``\\uNNNN`` so they show instead of acting; ``keep_newlines`` keeps ``\\n`` and tabs."""
    if text.isprintable():  # no character of categories C*, Z* (but the space): nothing to escape
        return text
    return _escaped(text, keep_newlines)


def _escaped(text: str, keep_newlines: bool) -> str:
    out: list[str] = []
    for ch in text:
        if keep_newlines and ch in "\n\t":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category.startswith("C") or category in ("Zl", "Zp"):
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 20] + f" … [{len(text) - limit + 20} more chars]"


def sanitize(text: str) -> str:
    """``text`` safe for a one-line terminal cell (newlines and tabs escaped too)."""
    return visible(text, keep_newlines=False)
