"""Completion clean-up shared by the scorer families."""

from __future__ import annotations

import re

# EvalScope's paired-block regex (spec §1.3): optional signature/redacted attributes, lazy body.
_THINK_BLOCK_RE = re.compile(
    r'<think(?:\s+signature="([^"]*)")?(?:\s+redacted="(true)")?\s*>(.*?)</think>', re.DOTALL
)


def strip_think(text: str) -> str:
    """Remove every paired ``<think …>…</think>`` block; an unpaired tag is left as is."""
    if "<think" not in text:
        return text
    return _THINK_BLOCK_RE.sub("", text)


def clean_completion(text: object) -> str:
    """The completion as a string with paired think blocks removed (``None`` becomes "")."""
    if text is None:
        return ""
    return strip_think(text if isinstance(text, str) else str(text))
