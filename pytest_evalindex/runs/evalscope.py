"""EvalScope's file shapes (spec §4.2–4.5): prediction and review lines, the v2 collection report
and ``collection_detailed_report.json`` rows. Pure builders: plain dicts in, plain dicts out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.dataset.entry import ChatMessage, Entry
from pytest_evalindex.metrics.aggregate import LEVELS, Report, is_scored
from pytest_evalindex.runs.evalscope_perf import perf_metrics
from pytest_evalindex.runs.layout import COLLECTION_NAME
from pytest_evalindex.scorers.judge.summary import run_summary
from pytest_evalindex.scorers.ner_labels import NER_DATASETS
from pytest_evalindex.scorers.text import accepted_answers

_STOP_REASONS = {"stop": "stop", "length": "max_tokens", "max_tokens": "max_tokens", "tool_calls": "tool_calls",
                 "function_call": "tool_calls", "content_filter": "content_filter", "model_length": "model_length"}
_CANONICAL_METRICS = {"acc": "accuracy", "mean_acc": "accuracy", "accuracy": "accuracy"}
# EvalScope's content part models (``api/messages/content.py``): fields after ``internal`` and
# ``type``, with their defaults, in dump order.
_PART_FIELDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "text": (("text", ""), ("refusal", None)),
    "reasoning": (("reasoning", ""), ("signature", None), ("redacted", False), ("reasoning_tokens", None)),
    "image": (("image", ""), ("detail", "auto")),
    "audio": (("audio", ""), ("format", None)),
    "video": (("video", ""), ("format", None), ("start", None), ("end", None), ("fps", None)),
    "data": (("data", {}),),
}
# The review's ``main_score_name`` where EvalScope 1.14.1's adapter does not write the main metric's name
# (it builds its Score by hand, or names a metric the value does not hold); seen in benchmarks/parity_evalscope.py.
_REVIEW_MAIN_SCORE_NAME: dict[str, str | None] = {
    **dict.fromkeys(("aime24", "aime25", "aime26", "coin_flip", "drivel_binary", "drivel_multilabel", "halueval",
                     "pubmedqa", *NER_DATASETS)),
    "zebralogicbench": "puzzle_acc",
}
_AMBIGUOUS_PRIMARY = "The collection contains multiple scored metrics, so no single primary metric is selected."
_NO_PRIMARY = "No scored metric was emitted for this run."


def content_part(part: dict[str, Any]) -> dict[str, Any]:
    """A content part in EvalScope's dump shape: ``internal``, ``type``, then the type's fields
    (missing ones at their defaults); other keys follow; unknown types are left as they are."""
    fields = _PART_FIELDS.get(str(part.get("type")))
    if fields is None:
        return part
    out: dict[str, Any] = {"internal": part.get("internal"), "type": part["type"]}
    for name, default in fields:
        out[name] = part.get(name, default)
    out.update((k, v) for k, v in part.items() if k not in out)
    return out


def _content(content: Any) -> Any:
    if isinstance(content, list):
        return [content_part(p) if isinstance(p, dict) else p for p in content]
    return content


def message_id(sample_hash: str, position: int | str) -> str:
    """A stable 8-hex message id (EvalScope draws random ones; ours repeat run to run): six hex
    digits of the sample's content hash and two for the message's place (``ff``: the answer)."""
    place = 0xFF if position == "assistant" else int(position) % 0xFF
    return f"{sample_hash[:6]}{place:02x}"


def fallback_collection_info(result: SampleResult) -> dict[str, Any]:
    """``collection_info`` rebuilt from a result when its entry is unavailable."""
    return {"index": result.index, "tags": list(result.tags), "categories": list(result.categories),
            "task_type": result.task_type, "weight": result.weight, "dataset_name": result.dataset_name,
            "subset_name": result.subset_name}


def sample_metadata(result: SampleResult, entry: Entry | None) -> dict[str, Any]:
    """The sample's metadata plus ``collection_info`` (what EvalScope's service filters on)."""
    if entry is None:
        return {"collection_info": fallback_collection_info(result)}
    metadata = dict(entry.prompt.metadata)
    metadata["collection_info"] = entry.collection_info()
    return metadata


def input_messages(result: SampleResult, entry: Entry | None) -> list[dict[str, Any]]:
    """The prompt messages in EvalScope's ``ChatMessage`` dump shape."""
    if entry is None:
        return []
    return [_evalscope_message(message, result.sample_hash, i) for i, message in enumerate(entry.prompt.input)]


def _evalscope_message(message: ChatMessage, sample_hash: str, position: int) -> dict[str, Any]:
    if is_plain_message(message):  # its dump is role and content only: no pydantic dump needed
        return _with_role_fields({"id": message_id(sample_hash, position), "content": message.content,
                                  "source": None, "metadata": None, "internal": None, "perf_metrics": None},
                                 message.role)
    dumped = message.model_dump(mode="json", exclude_none=True)
    out: dict[str, Any] = {"id": dumped.pop("id", None) or message_id(sample_hash, position),
                           "content": _content(dumped.pop("content")), "source": None, "metadata": None,
                           "internal": None, "perf_metrics": None}
    _with_role_fields(out, dumped.pop("role"))
    out.update(dumped)  # EvalScope fields the line carried (source, metadata, tool_call_id…)
    return out


def is_plain_message(message: ChatMessage) -> bool:
    """Whether ``message`` is text with no extra keys and no ``tool_call_id`` (nearly every prompt message)."""
    return type(message.content) is str and not message.__pydantic_extra__ and message.tool_call_id is None


def _with_role_fields(out: dict[str, Any], role: str) -> dict[str, Any]:
    """``out`` with ``role`` and the fields EvalScope's message model of that role adds (all ``None``)."""
    out["role"] = role
    if role == "user":
        out["tool_call_id"] = None
    elif role == "assistant":
        out["tool_calls"] = None
        out["model"] = None
    elif role == "tool":
        out.update({"tool_call_id": None, "function": None, "error": None})
    return out


def assistant_message(result: SampleResult, model: str) -> dict[str, Any]:
    """The model's answer as an EvalScope assistant message (reasoning as its own part, the
    request's timings as its ``perf_metrics``, as EvalScope 1.14.1 writes them)."""
    text = result.completion or ""
    content: str | list[dict[str, Any]] = text
    if result.reasoning:
        content = [content_part({"type": "reasoning", "reasoning": result.reasoning}),
                   content_part({"type": "text", "text": text})]
    return {"id": message_id(result.sample_hash, "assistant"), "content": content, "source": "generate",
            "metadata": None, "internal": None, "perf_metrics": _perf(result), "role": "assistant",
            "tool_calls": None, "model": model}


def _usage(result: SampleResult) -> dict[str, Any] | None:
    u = result.usage
    if not (u.input_tokens or u.output_tokens or u.total_tokens):
        return None
    return {"input_tokens": u.input_tokens, "output_tokens": u.output_tokens,
            "total_tokens": u.total_tokens or u.input_tokens + u.output_tokens,
            "input_tokens_cache_write": None, "input_tokens_cache_read": None, "reasoning_tokens": 0}


def _perf(result: SampleResult) -> dict[str, Any] | None:
    if result.latency is None:
        return None
    return {"latency": result.latency, "ttft": None, "input_tokens": result.usage.input_tokens,
            "output_tokens": result.usage.output_tokens, "tpot": None}


def prediction_line(index: int, result: SampleResult, entry: Entry | None, model: str) -> dict[str, Any]:
    """One ``ModelResult`` line of ``predictions/<model>/data_collection_default.jsonl``."""
    answer = assistant_message(result, model)
    return {
        "index": index,
        "model": model,
        "model_output": {
            "id": None, "model": model,
            "choices": [{"message": answer, "stop_reason": stop_reason(result), "logprobs": None}],
            "usage": _usage(result), "time": result.latency, "metadata": None, "error": None,
            "perf_metrics": _perf(result),
        },
        "messages": input_messages(result, entry) + [answer],
        "agent_trace": None,
        "metadata": sample_metadata(result, entry),
    }


def review_line(index: int, result: SampleResult, entry: Entry | None, model: str,
                messages: list[dict[str, Any]] | None = None, *, group_id: int | None = None,
                generation_index: int = 0, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``ReviewResult`` line of ``reviews/<model>/data_collection_default.jsonl``.

    ``messages`` and ``metadata``: the prediction line's messages and metadata, when already built (they are the
    same; shared, not copied, so neither line may be changed before both are encoded). With repeats,
    EvalScope writes one line per answer: ``index`` counts answers, ``group_id`` is the sample's position
    (``index // K``) and ``generation_index`` the repeat (``index % K``).
    """
    value, status, judge_summary, score_metadata, main_score_name = review_verdict(result)
    return {
        "index": index,
        # EvalScope: the accepted answers (stripped, non-empty, unique) as a list, or null
        "target": (list(accepted_answers(entry.prompt.target)) or None) if entry is not None else None,
        "messages": messages if messages is not None
        else input_messages(result, entry) + [assistant_message(result, model)],
        "agent_trace": None,
        "sample_score": {
            "score": {"value": value, "status": status, "judge_summary": judge_summary,
                      "extracted_prediction": result.extracted, "prediction": result.completion or "",
                      "explanation": result.explanation, "metadata": score_metadata,
                      "main_score_name": main_score_name},
            "sample_id": index, "group_id": index if group_id is None else group_id,
            "generation_index": generation_index,
            "sample_metadata": metadata if metadata is not None else sample_metadata(result, entry),
        },
    }


def stop_reason(result: SampleResult) -> str:
    """EvalScope's ``stop_reason`` for the answer's finish reason."""
    return _STOP_REASONS.get(result.finish_reason or "", "unknown")


def review_verdict(result: SampleResult) -> tuple[dict[str, Any], str, Any, dict[str, Any], str | None]:
    """The review's ``score`` fields from the result: value, status, judge_summary, metadata, main_score_name."""
    scored = is_scored(result)
    # Every metric the scorer produced, in its order, as EvalScope's value dict holds them.
    value = (dict(result.metrics) if result.metrics else {result.metric: result.score}) if scored else {}
    main_score_name = _REVIEW_MAIN_SCORE_NAME.get(result.dataset_name.split("@")[0], result.metric)
    score_metadata = dict(result.score_metadata or {})
    judge_summary = score_metadata.pop("judge_summary", None)  # EvalScope's score.judge_summary, beside the metadata
    return value, _status(result, scored), judge_summary, score_metadata, main_score_name


def renumbered(lines: tuple[dict[str, Any], dict[str, Any]], index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A prediction and review line pair moved to position ``index`` of another run (a merge of shards):
    the fields that number a line are set; nothing else depends on the position."""
    prediction, review = lines
    prediction["index"] = review["index"] = index
    review["sample_score"]["sample_id"] = review["sample_score"]["group_id"] = index
    return prediction, review


_INDEX_PREFIX = re.compile(r'\{"index": -?\d+, ')
_SAMPLE_ID = '"sample_id": '
_NUMBERING = re.compile(r'"sample_id": -?\d+, "group_id": -?\d+, ')


def renumbered_text(prediction: str, review: str, index: int, group_id: int) -> tuple[str, str] | None:
    """:func:`renumbered` on the lines' text as this module's writer encodes them (no parse, no re-encode): the
    same text a parse, renumber and encode gives. ``None`` when a line is not in that shape, or its review names
    ``sample_id`` more than once (a nested key): then parse and use :func:`renumbered`."""
    start_p, start_r = _INDEX_PREFIX.match(prediction), _INDEX_PREFIX.match(review)
    at = review.find(_SAMPLE_ID)
    if start_p is None or start_r is None or at < 0 or review.find(_SAMPLE_ID, at + 1) >= 0:
        return None
    numbering = _NUMBERING.match(review, at)  # the one occurrence is sample_score's own
    if numbering is None:
        return None
    head = f'{{"index": {index}, '
    return (head + prediction[start_p.end():],
            f'{head}{review[start_r.end():at]}"sample_id": {index}, "group_id": {group_id}, {review[numbering.end():]}')


def _status(result: SampleResult, scored: bool) -> str:
    """EvalScope's score status: a judged sample's own (``degraded``, ``fallback``) when it has one."""
    status = (result.score_metadata or {}).get("status")
    if scored and status in ("degraded", "fallback"):
        return str(status)
    return "success" if scored else "excluded"


def detailed_report(report: Report) -> dict[str, list[dict[str, Any]]]:
    """``collection_detailed_report.json``: EvalScope's rows (§4.5) for the five levels."""
    return {level: [row.evalscope_row() for row in report.levels.get(level, [])] for level in LEVELS}


# ---------------------------------------------------------------- data_collection.json (v2, §4.4 / §3.6)

def _round(x: float) -> float:
    return round(x, 4)


def _category_block(name: tuple[str, ...], members: Sequence[SampleResult]) -> dict[str, Any]:
    by_subset: dict[tuple[str, str], list[float]] = {}
    for r in members:
        by_subset.setdefault((r.dataset_name, r.subset_name), []).append(float(r.score or 0.0))
    stats = [(f"{d}/{s}", _round(sum(v) / len(v)), len(v)) for (d, s), v in sorted(by_subset.items())]
    num = sum(n for _, _, n in stats)
    # EvalScope averages the already-rounded subset scores here.
    score = sum(sc * n for _, sc, n in stats) / num
    macro = sum(sc for _, sc, _ in stats) / len(stats)
    subsets = [{"name": label, "score": sc, "num": n, "metadata": None, "is_aggregate": False}
               for label, sc, n in stats]
    return {"name": list(name), "num": num, "score": _round(score), "macro_score": _round(macro), "subsets": subsets}


def _semantics(metric: str) -> dict[str, Any]:
    canonical = _CANONICAL_METRICS.get(metric, metric)
    return {"semantic_id": f"quality.{canonical}.ratio", "metric_name": canonical.replace("_", " ").title(),
            "display_name": None, "kind": "quality", "direction": "higher_is_better", "raw_unit": None,
            "value_range": {"min": 0.0, "max": 1.0}, "display_kind": "percent", "display_multiplier": 100.0,
            "display_unit": "%", "display_precision": 1}


def _metric_block(metric: str, members: Sequence[SampleResult]) -> dict[str, Any]:
    by_path: dict[tuple[str, ...], list[SampleResult]] = {}
    for r in members:
        by_path.setdefault(tuple(r.categories), []).append(r)
    categories = [_category_block(path, by_path[path]) for path in sorted(by_path)]
    real = [c for c in categories if c["num"] > 0]
    num = sum(int(c["num"]) for c in real)
    score = sum(float(c["score"]) * int(c["num"]) for c in real) / num
    macro = sum(float(c["score"]) for c in real) / len(real)
    return {
        "identity": {"name": _CANONICAL_METRICS.get(metric, metric), "aggregation": "mean", "dimensions": {}},
        "legacy_name": None, "num": num, "score": _round(score), "macro_score": _round(macro),
        "categories": categories, "semantics": _semantics(metric),
    }


def collection_report(results: Sequence[SampleResult], *, model: str, unfinished: str | None = None,
                      requested: int | None = None) -> dict[str, Any]:
    """The v2 report ``reports/<model>/data_collection.json`` (scored samples only, as in EvalScope).

    ``results`` must be in run order: Metric blocks follow first appearance of each raw metric key.
    Categories are the full category paths only, in every compat mode (a prefix row would show twice
    in EvalScope's viewer and double its counts).

    ``unfinished`` says why not every sample of the collection ran (interrupted, deselected), ``requested`` how
    many should have: the execution summary is then ``incomplete``, and since EvalScope's viewer labels every
    report "Completed" whatever its summary says, the dataset's display name and the analysis text say it too.
    """
    scored = [r for r in results if is_scored(r)]
    by_metric: dict[str, list[SampleResult]] = {}
    for r in scored:
        by_metric.setdefault(r.metric, []).append(r)
    metrics = [_metric_block(metric, members) for metric, members in by_metric.items()]
    errored = sum(1 for r in results if r.status == "error")
    requested = max(requested or 0, len(results))
    succeeded = len(results) - errored
    # EvalScope: the first metric's subset count (full-path categories are disjoint, so = its num).
    first_num = int(metrics[0]["num"]) if metrics else 0
    pretty, analysis = "", "N/A"
    if unfinished:
        pretty = f"{COLLECTION_NAME} (INCOMPLETE: {len(results)} of {requested} samples)"
        analysis = f"INCOMPLETE run: {len(results)} of {requested} samples have a result ({unfinished})."
    return {
        "schema_version": 2, "name": COLLECTION_NAME, "dataset_name": COLLECTION_NAME,
        "dataset_pretty_name": pretty, "dataset_description": "", "model_name": model,
        "metrics": metrics, "analysis": analysis,
        "perf_metrics": perf_metrics([r for r in results if r.status != "error"]) | {
            "coverage": {"requests_with_metrics": sum(1 for r in results if r.latency is not None),
                         "total_requests": requested}},
        "primary_metric_identity": dict(metrics[0]["identity"]) if len(metrics) == 1 else None,
        "primary_metric_unavailable_reason": None if len(metrics) == 1 else (_AMBIGUOUS_PRIMARY if metrics else _NO_PRIMARY),
        "judge_summary": run_summary(summary for r in results
                                     if isinstance(summary := (r.score_metadata or {}).get("judge_summary"), dict)),
        "execution_summary": {"requested": requested, "succeeded": succeeded, "errored": errored,
                              "incomplete": succeeded < requested,
                              "subsets": {"default": {"requested": requested, "succeeded": succeeded,
                                                      "errored": errored}}},
        "num": first_num,
    }

