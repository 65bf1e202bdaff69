"""Completion clean-up shared by the scorer families."""

from __future__ import annotations

import re

from pytest_evalindex.scorers.base import ScoreInput

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


def accepted_answers(target: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """EvalScope 1.14.1's ``Target``: values stripped, empty ones dropped, duplicates removed."""
    if target is None:
        return ()
    raw = [target] if isinstance(target, str) else list(target)
    return tuple(dict.fromkeys(v.strip() for v in raw if isinstance(v, str) and v.strip()))


def target_values(sample: ScoreInput) -> tuple[str, ...]:
    """The sample's accepted answers (``targets``, else the joined ``target``), as EvalScope 1.14.1 sees them."""
    return accepted_answers(sample.targets if sample.targets else sample.target)
