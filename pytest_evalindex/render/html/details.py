"""A run's per-sample texts (prompt, answer, reasoning, target, explanation, metadata): read from its reviews
JSONL, or taken from the results and collection lines a finishing run still holds in memory (no re-parse)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.runs.layout import JSONL_NAME
from pytest_evalindex.scorers.text import accepted_answers

DETAIL_FIELDS = ("prompt", "answer", "reasoning", "target", "explanation", "metadata")
"""The order of a sample's detail texts in the page data (one list per sample)."""


def review_file(report_file: Path) -> Path | None:
    """``reviews/<model>/data_collection_default.jsonl`` of the run that holds ``report_file``
    (``<run>/reports/<model>/evalindex_report.json``), if present."""
    run_dir = report_file.parent.parent.parent
    candidate = run_dir / "reviews" / report_file.parent.name / JSONL_NAME
    return candidate if candidate.is_file() else None


def read_details(report_file: Path, samples: Sequence[dict[str, Any]]) -> list[list[str] | None]:
    """One entry per sample of ``samples`` (the report's, in its order): its detail texts, or ``None`` when the
    run wrote no review for it (an error) or the reviews do not match the report."""
    out: list[list[str] | None] = [None] * len(samples)
    path = review_file(report_file)
    if path is None:
        return out
    scored = (i for i, s in enumerate(samples) if s.get("status") != "error")
    try:
        # a sample answered K times (--eval-repeats) has K lines: its texts are its first answer's
        firsts = (r for r in _lines(path) if not (r.get("sample_score") or {}).get("generation_index"))
        for position, review in zip(scored, firsts):
            info = (review.get("sample_score") or {}).get("sample_metadata", {}).get("collection_info") or {}
            sample = samples[position]
            if (info.get("dataset_name"), info.get("subset_name"), info.get("index")) != (
                    sample.get("dataset_name"), sample.get("subset_name"), sample.get("index")):
                return [None] * len(samples)  # not the reviews of this report: show none rather than wrong ones
            out[position] = _detail(review)
    except (OSError, ValueError, AttributeError):
        return [None] * len(samples)
    return out


def first_answer_detail(review_text: str) -> list[str] | None:
    """:func:`read_details`' texts of one review line, or ``None`` for a repeat's later answer (not shown)."""
    review = json.loads(review_text)
    if (review.get("sample_score") or {}).get("generation_index"):
        return None
    return _detail(review)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _detail(review: dict[str, Any]) -> list[str]:
    score = (review.get("sample_score") or {}).get("score") or {}
    messages = review.get("messages") or []
    prompt_messages = messages[:-1] if messages and messages[-1].get("role") == "assistant" else messages
    prompt = "\n\n".join(f"[{m.get('role', '?')}]\n{_content_text(m.get('content'))}" for m in prompt_messages)
    reasoning = ""
    if messages and messages[-1].get("role") == "assistant":
        reasoning = _content_text(messages[-1].get("content"), kind="reasoning")
    target = review.get("target")
    target_text = " | ".join(str(t) for t in target) if isinstance(target, list) else ("" if target is None
                                                                                       else str(target))
    metadata = dict(score.get("metadata") or {})
    sample_metadata = {k: v for k, v in ((review.get("sample_score") or {}).get("sample_metadata") or {}).items()
                       if k != "collection_info"}
    if sample_metadata:
        metadata["sample"] = sample_metadata
    return [prompt, str(score.get("prediction") or ""), reasoning, target_text, str(score.get("explanation") or ""),
             json.dumps(metadata, ensure_ascii=False, indent=1, default=str) if metadata else ""]


def _content_text(content: Any, kind: str = "text") -> str:
    if isinstance(content, str):
        return content if kind == "text" else ""
    if not isinstance(content, list):
        return ""
    parts = []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") == kind:
            parts.append(str(part.get(kind) or ""))
        elif kind == "text" and part.get("type") in ("image", "audio", "video", "data"):
            parts.append(f"<{part['type']} part>")
    return "\n".join(parts)


def result_texts(results: Sequence[SampleResult], entries: Mapping[str, Entry]) -> list[list[str]]:
    """The texts :func:`read_details` reads back from ``reviews/``, from ``results`` (in the report's order) and
    their collection lines: one list per field of DETAIL_FIELDS (an errored sample's all empty), built field by
    field, with no list per sample."""
    kept = [r for r in results if r.status != "error"]
    get = entries.get
    lines = [entry.prompt if (entry := get(r.node_id)) is not None else None for r in kept]
    inputs = [line.input if line is not None else () for line in lines]
    dumps = json.dumps
    columns = [
        [f"[{first.role}]\n{first.content}" if len(m) == 1 and type((first := m[0]).content) is str  # the usual
         else "\n\n".join([f"[{x.role}]\n{_part_text(x.content)}" for x in m]) for m in inputs],
        [r.completion or "" for r in kept],
        [r.reasoning or "" for r in kept],
        ["" if line is None else line.target.strip() if type(line.target) is str
         else " | ".join(accepted_answers(line.target)) for line in lines],
        [r.explanation or "" for r in kept],
        [dumps(_metadata(r.score_metadata, line.metadata if line is not None else None), ensure_ascii=False,
               indent=1, default=str) if r.score_metadata or (line is not None and line.metadata) else ""
         for r, line in zip(kept, lines)],
    ]
    if len(kept) == len(results):
        return columns
    positions = [i for i, r in enumerate(results) if r.status != "error"]
    full = []
    for column in columns:
        spread = [""] * len(results)
        for i, text in zip(positions, column):
            spread[i] = text
        full.append(spread)
    return full


def _metadata(score_metadata: dict[str, Any] | None, sample_metadata: dict[str, Any] | None) -> dict[str, Any]:
    metadata = dict(score_metadata) if score_metadata else {}
    if sample_metadata:
        metadata["sample"] = dict(sample_metadata)
    return metadata


def _part_text(content: Any) -> str:
    if type(content) is str:
        return content
    parts = []
    for part in content:
        kind = getattr(part, "type", None)
        if kind == "text":
            parts.append(str(getattr(part, "text", "") or ""))
        elif kind in ("image", "audio", "video", "data"):
            parts.append(f"<{kind} part>")
    return "\n".join(parts)
