"""Load and validate a mixed JSONL collection: every line checked before any model call."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pytest_evalindex.core.hashing import fingerprint
from pytest_evalindex.core.text import sanitize
from pytest_evalindex.dataset.entry import Entry


class CollectionError(Exception):
    """A problem with a collection file, rendered as one line naming file, line and field."""

    def __init__(self, path: Path | str, line: int | None, field_name: str | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.field_name = field_name
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"field '{field_name}': " if field_name else ""
        super().__init__(sanitize(f"{where}: {what}{message}"))  # one line, control characters shown escaped


@dataclass
class Collection:
    """The validated entries of one collection file, in file order."""

    path: Path
    entries: list[Entry]
    fingerprint: str
    warnings: list[str] = field(default_factory=list)


def resolve_collection_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their ``*.jsonl`` files (sorted)."""
    resolved: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".jsonl" and p.is_file())
            if not found:
                raise CollectionError(path, None, None, "folder holds no *.jsonl file; pass a .jsonl file or a folder of them")
            resolved.extend(found)
        elif path.is_file():
            resolved.append(path)
        else:
            raise CollectionError(path, None, None, "no such file or folder; check the --eval-collection path")
    return resolved


_TYPE_WORDS = {
    "int_type": "an integer", "int_parsing": "an integer", "float_type": "a number", "float_parsing": "a number",
    "string_type": "a string", "list_type": "a list", "dict_type": "an object", "model_type": "an object",
    "bool_type": "true or false", "model_attributes_type": "an object",
}
_UNION_LABELS = {"str", "int", "float", "list", "dict", "none", "bool"}


_PART_TAGS = {"text", "reasoning", "image", "audio", "video", "data"}


def _clean_loc(loc: tuple[Any, ...]) -> str:
    kept = [p for p in loc if not (isinstance(p, str) and ("[" in p or p in _UNION_LABELS))]
    # A content part's discriminator tag follows its index (…content.0.text.text): drop the tag.
    parts = [str(p) for i, p in enumerate(kept)
             if not (p in _PART_TAGS and i >= 2 and isinstance(kept[i - 1], int) and kept[i - 2] == "content")]
    return ".".join(parts)


def _pydantic_message(error: ValidationError) -> tuple[str, str]:
    errors = error.errors()
    tagged = [e for e in errors if e["type"] in ("union_tag_invalid", "union_tag_not_found")]
    first = tagged[0] if tagged else max(errors, key=lambda e: len(_clean_loc(e["loc"])))
    loc = _clean_loc(first["loc"])
    kind = first["type"]
    given = first.get("input")
    if kind == "missing":
        msg = "is required"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        part_type = given.get("type") if isinstance(given, dict) else None
        msg = f"unknown content part type {part_type!r}; use text, image, audio, video, data or reasoning"
    elif kind == "literal_error" and loc.endswith("role"):
        msg = f"unknown role {given!r}; use system, user, assistant or tool"
    elif kind in _TYPE_WORDS:
        msg = f"must be {_TYPE_WORDS[kind]} (got {json.dumps(given, ensure_ascii=False)[:60]})"
    else:
        msg = first["msg"].removeprefix("Value error, ")
    return loc or "(line)", msg


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_line(path: Path, line_no: int, text: str) -> Entry:
    """Validate one JSON line into an :class:`Entry`, or raise :class:`CollectionError`."""
    if _SURROGATE_ESCAPE.search(text):
        _reject_lone_surrogates(path, line_no, text)
    try:
        try:
            entry = Entry.model_validate_json(text)  # the common case, parsed and validated in one pass
        except ValueError:
            entry = _parse_line_slowly(path, line_no, text)  # to say exactly what is wrong
    except RecursionError:
        raise CollectionError(path, line_no, None, "nested too deeply to read (thousands of levels of [ or {); "
                                                   "flatten the line") from None
    entry.set_line(line_no)
    return entry


def _reject_lone_surrogates(path: Path, line_no: int, text: str) -> None:
    """Raise if a string of the line holds half of a UTF-16 surrogate pair (it cannot be sent nor written
    as UTF-8); escaped pairs (an emoji as ``\\ud83d\\ude00``) are one character and fine."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return  # reported with its position by the parse that follows
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                if _has_surrogate(key):
                    raise CollectionError(path, line_no, ascii(name)[1:-1], "a key holds a lone surrogate escape "
                                          "(half of a UTF-16 pair, not a character); fix or remove the \\uD8xx-\\uDFxx escape")
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}" if where else str(i), item) for i, item in enumerate(value))
        elif isinstance(value, str) and _has_surrogate(value):
            found = next(ch for ch in value if "\ud800" <= ch <= "\udfff")
            raise CollectionError(path, line_no, where or "(line)", f"holds a lone surrogate escape \\u{ord(found):04x} "
                                  "(half of a UTF-16 pair, not a character); fix or remove the escape")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse_line_slowly(path: Path, line_no: int, text: str) -> Entry:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectionError(path, line_no, None, f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object") from None
    if not isinstance(data, dict):
        raise CollectionError(path, line_no, None, f"expected a JSON object, got {type(data).__name__}")
    if "prompt" in data and isinstance(data["prompt"], dict) and "input" not in data["prompt"]:
        raise CollectionError(path, line_no, "prompt.input", "is required: a message list or a plain string (v0.x lines with a raw dataset record are not supported; re-sample with EvalScope >= 1.0 or `evalindex sample`)")
    try:
        return Entry.model_validate(data)
    except ValidationError as exc:
        loc, msg = _pydantic_message(exc)
        raise CollectionError(path, line_no, loc, msg) from None


def load_collection(path: Path) -> Collection:
    """Read and validate every line of ``path``; the first bad line raises :class:`CollectionError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CollectionError(path, None, None, f"cannot read file ({exc.strerror})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = raw[: exc.start].count(b"\n") + 1
        raise CollectionError(path, line_no, None, "not UTF-8 text; save the file as UTF-8") from None
    entries: list[Entry] = []
    seen: dict[int, int] = {}
    # Only "\n" ends a line, as in EvalScope's reader: U+2028, U+2029, U+0085 and form feeds inside a JSON
    # string are data (str.splitlines would cut the line there).
    for line_no, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        entry = parse_line(path, line_no, line)
        if entry.index in seen:
            raise CollectionError(path, line_no, "index",
                                  f"duplicate index {entry.index} (first on line {seen[entry.index]}); each line needs a unique index")
        seen[entry.index] = line_no
        entries.append(entry)
    if not entries:
        raise CollectionError(path, None, None, "collection is empty; it needs at least one JSON line")
    warnings = normalize_legacy_weights(path, entries)
    return Collection(path=path, entries=entries, fingerprint=fingerprint(raw), warnings=warnings)


LEGACY_TOTAL = 1.5
"""A weight total above this (instead of ≈ 1) marks a candidate pre-1.3 file (spec §1.6)."""


def normalize_legacy_weights(path: Path, entries: Sequence[Entry]) -> list[str]:
    """Detect v1.0–1.2 leaf weights (repeated on every line of a leaf) and divide them by the leaf size.

    Detected when the weights sum to more than :data:`LEGACY_TOTAL`, are not all the default 1.0,
    every ``(dataset_name, categories)`` group shares one weight and some group has several lines.
    Returns the warnings to show.
    """
    total = math.fsum(e.weight for e in entries)
    if total <= LEGACY_TOTAL or all(e.weight == 1.0 for e in entries):
        return []  # normalised weights, or none given (every line defaults to 1.0)
    groups: dict[tuple[str, tuple[str, ...]], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.dataset_name, tuple(entry.categories)), []).append(entry)
    if any(len({e.weight for e in members}) > 1 for members in groups.values()) or all(len(m) == 1 for m in groups.values()):
        return [f"{path}: weights sum to {total:.4g}, not 1; they are used as given (relative weights)"]
    for members in groups.values():
        for entry in members:
            entry.weight = entry.weight / len(members)
    new_total = math.fsum(e.weight for e in entries)
    return [f"{path}: legacy (EvalScope v1.0-1.2) weights: each leaf weight is repeated on every line of its "
            f"(dataset_name, categories) group (total {total:.4g}); divided by the group size (new total {new_total:.4g}). "
            "Re-sample with EvalScope >= 1.3 or `evalindex sample` to silence this"]


