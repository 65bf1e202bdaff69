"""Read a schema leaf's samples from local JSONL files and turn them into EvalScope ``Sample`` dicts.

A source line is either already in EvalScope's ``Sample`` shape (``input`` is a message list; copied as
it is) or a simple line ``{"input": "question", "choices": [...], "target": "B", "subset_name": "..."}``:
with ``choices`` it is rendered with EvalScope's ``SINGLE_ANSWER`` template, otherwise the question
becomes one user message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pytest_evalindex.authoring.schema import FlatLeaf
from pytest_evalindex.core.choices import choice_labels
from pytest_evalindex.dataset.entry import SamplePrompt

SINGLE_ANSWER_TEMPLATE = (
    "Answer the following multiple choice question. The entire content of your response should be of "
    "the following format: 'ANSWER: [LETTER]' (without quotes) where [LETTER] is one of {letters}.\n\n"
    "{question}\n\n{choices}"
)
# Keys of EvalScope's Sample that a simple line may carry through unchanged.
SAMPLE_KEYS = ("choices", "target", "id", "group_id", "tools", "subset_key", "metadata",
               "sandbox", "files", "setup")
DEFAULT_SUBSET = "default"

Advance = Callable[[int], None]


class SourceError(Exception):
    """A problem with a leaf's source data, as one line naming the file (and line) and the fix."""


@dataclass(frozen=True)
class SourceRecord:
    """One usable source line: its subset and where it came from."""

    subset: str
    data: dict[str, Any]
    file: Path
    line: int


@dataclass
class LeafSource:
    """All samples of one leaf after ``subset_list``, pooled in file order."""

    records: list[SourceRecord]
    subsets: dict[str, int]
    """Sample count per kept subset, in order of first appearance."""
    sha256: str
    """``sha256:<hex>`` over the bytes of the files read, in reading order."""
    warnings: list[str] = field(default_factory=list)


def render_single_answer(question: str, choices: list[str]) -> str:
    """EvalScope's ``SINGLE_ANSWER`` multiple-choice prompt with ``A) text`` option lines."""
    labels = choice_labels(len(choices))
    return SINGLE_ANSWER_TEMPLATE.format(
        letters=",".join(labels),
        question=question,
        choices="\n".join(f"{label}) {text}" for label, text in zip(labels, choices)),
    )


def resolve_local_path(leaf: FlatLeaf, base_dir: Path) -> Path:
    """``args.local_path``, relative to ``base_dir`` (the schema's folder) unless absolute."""
    raw = leaf.info.local_path
    if raw is None:
        raise SourceError(
            f"{leaf.tree_path}.args.local_path ({leaf.path}): is required for sampling; "
            "set it to a JSONL file or a folder of JSONL files"
        )
    path = Path(raw).expanduser()
    return path if path.is_absolute() else base_dir / path


def source_files(path: Path, leaf: FlatLeaf) -> list[Path]:
    """The JSONL files behind a leaf: the file itself, or a folder's ``*.jsonl`` sorted by name."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
        if not files:
            raise SourceError(f"{path}: folder holds no *.jsonl file (leaf {leaf.path}); add JSONL files or fix args.local_path")
        return files
    if path.is_file():
        return [path]
    raise SourceError(f"{path}: no such file or folder (leaf {leaf.path}, {leaf.tree_path}.args.local_path); fix the path, which is relative to the schema file")


def read_leaf(leaf: FlatLeaf, base_dir: Path, advance: Advance | None = None) -> LeafSource:
    """Read, check and subset-filter every source line of ``leaf``; ``advance`` gets bytes read."""
    root = resolve_local_path(leaf, base_dir)
    files = source_files(root, leaf)
    wanted = leaf.info.subset_list
    digest = hashlib.sha256()
    records: list[SourceRecord] = []
    found: dict[str, int] = {}
    for file in files:
        fallback = file.stem if root.is_dir() else DEFAULT_SUBSET
        for line_no, raw in _lines(file, digest, advance):
            data = _check_line(file, line_no, raw)
            subset = _subset_of(file, line_no, data, leaf.info.subset_fields, fallback)
            found[subset] = found.get(subset, 0) + 1
            if wanted is None or subset in wanted:
                records.append(SourceRecord(subset=subset, data=data, file=file, line=line_no))
    warnings = []
    if wanted is not None:
        missing = [s for s in wanted if s not in found]
        if missing:
            warnings.append(
                f"leaf {leaf.path}: subset_list names {', '.join(missing)} but {root} has only "
                f"{', '.join(found) or 'no samples'}"
            )
    subsets: dict[str, int] = {}
    for record in records:
        subsets[record.subset] = subsets.get(record.subset, 0) + 1
    return LeafSource(records=records, subsets=subsets, sha256="sha256:" + digest.hexdigest(), warnings=warnings)


def _lines(file: Path, digest: Any, advance: Advance | None) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers; ``advance`` gets each line's byte count."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SourceError(f"{file}: cannot read ({exc.strerror})") from None
    digest.update(raw)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for line_no, chunk in enumerate(raw.split(b"\n"), start=1):
        if advance is not None:
            advance(len(chunk) + 1)
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"{file}:{line_no}: not UTF-8 text; save the file as UTF-8") from None
        if line.strip():
            yield line_no, line


def _check_line(file: Path, line_no: int, raw: str) -> dict[str, Any]:
    where = f"{file}:{line_no}"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object") from None
    if not isinstance(data, dict):
        raise SourceError(f"{where}: expected a JSON object, got {type(data).__name__}")
    value = data.get("input")
    if isinstance(value, str):
        if not value.strip():
            raise SourceError(f"{where}: field 'input': must not be empty")
    elif isinstance(value, list):
        if not value or not all(isinstance(m, dict) for m in value):
            raise SourceError(f"{where}: field 'input': a message list must hold at least one message object")
    else:
        raise SourceError(f"{where}: field 'input': is required: a question string or a list of chat messages")
    choices = data.get("choices")
    if choices is not None and not (isinstance(choices, list) and choices and all(isinstance(c, str) for c in choices)):
        raise SourceError(f"{where}: field 'choices': must be a non-empty list of option texts")
    target = data.get("target", "")
    if not _is_target(target, simple=isinstance(value, str)):
        raise SourceError(f"{where}: field 'target': must be a string or a list of strings")
    return data


def _is_target(value: Any, *, simple: bool) -> bool:
    if isinstance(value, str):
        return True
    if simple and isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _subset_of(file: Path, line_no: int, data: dict[str, Any], fields: tuple[str, ...], fallback: str) -> str:
    for name in fields:
        if name in data and data[name] is not None:
            value = data[name]
            if not isinstance(value, str) or not value:
                raise SourceError(f"{file}:{line_no}: field '{name}': the subset name must be a non-empty string")
            return value
    return fallback


def to_sample(record: SourceRecord, subset_fields: tuple[str, ...]) -> dict[str, Any]:
    """The record as an EvalScope ``Sample`` dict (message-list ``input``), checked by the loader's model."""
    data = record.data
    if isinstance(data["input"], list):
        sample = data
    else:
        sample = _from_simple(data, subset_fields)
    try:
        SamplePrompt.model_validate(sample)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise SourceError(f"{record.file}:{record.line}: field '{loc}': {first['msg']}") from None
    return sample


def _from_simple(data: dict[str, Any], subset_fields: tuple[str, ...]) -> dict[str, Any]:
    question: str = data["input"]
    choices = data.get("choices")
    content = render_single_answer(question, choices) if choices else question
    sample: dict[str, Any] = {"input": [{"role": "user", "content": content}]}
    if choices:
        sample["choices"] = list(choices)
    target = data.get("target", "")
    sample["target"] = target if isinstance(target, (str, list)) else _number_text(target)
    for key in SAMPLE_KEYS:
        if key in data and key not in sample and data[key] is not None:
            sample[key] = data[key]
    extra = {k: v for k, v in data.items()
             if k not in sample and k != "input" and k not in SAMPLE_KEYS and k not in subset_fields}
    if extra and isinstance(sample.get("metadata", {}), dict):
        sample["metadata"] = {**extra, **sample.get("metadata", {})}
    return sample


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
