"""EvalScope's prediction and review lines written straight as text, for the plain shape nearly every line has.

The same bytes as building :func:`~pytest_evalindex.runs.evalscope.prediction_line` and
:func:`~pytest_evalindex.runs.evalscope.review_line` and encoding them with the writer's encoder (``", "``/
``": "``, non-ASCII as is), without building the dicts and walking them twice (their messages and metadata are
shared by both lines, so they are encoded once here). Anything off the plain shape (a content list, extra message
keys, reasoning, a non-finite or non-plain number, data the encoder refuses) returns ``None``: the caller then
builds the dicts. ``tests/runs/test_evalscope_text.py`` pins the text against the dict path.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pytest_evalindex.core.jsonsafe import prebuilt_encoder
from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.runs.evalscope import (
    is_plain_message,
    message_id,
    review_verdict,
    sample_metadata,
    stop_reason,
)
from pytest_evalindex.scorers.text import accepted_answers

_string = json.encoder.encode_basestring  # what the encoder below writes a str with (non-ASCII as is)
_encode = prebuilt_encoder(json.JSONEncoder(ensure_ascii=False, allow_nan=False))
_ROLE_TAILS = {"user": ', "tool_call_id": null}', "assistant": ', "tool_calls": null, "model": null}',
               "tool": ', "tool_call_id": null, "function": null, "error": null}', "system": "}"}


class _NotPlain(Exception):
    """The line is not of the plain shape: build it as dicts."""


def _scalar(value: Any) -> str:
    """``value`` as the encoder writes it: ``null``, an int, a finite float or a string (nothing else)."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    raise _NotPlain


def _data(value: Any) -> str:
    """Any JSON value as the encoder writes it; data it refuses (NaN, other types) is not plain."""
    if value is None:
        return "null"
    if type(value) is dict and not value:
        return "{}"
    try:
        return _encode(value)
    except (ValueError, TypeError, RecursionError):
        raise _NotPlain from None


def line_texts(index: int, result: SampleResult, entry: Entry | None, model: str, *, group_id: int | None = None,
               generation_index: int = 0) -> tuple[str, str] | None:
    """The prediction and review line (no newline) of ``result``'s answer at ``index``, or ``None`` when the
    line is not of the plain shape (then build it with ``prediction_line`` and ``review_line``)."""
    if entry is None or result.reasoning:
        return None
    try:
        return _texts(index, result, entry, model, group_id, generation_index)
    except _NotPlain:
        return None


def _texts(index: int, result: SampleResult, entry: Entry, model: str, group_id: int | None,
           generation_index: int) -> tuple[str, str]:
    sample_hash = result.sample_hash
    parts = []
    for position, message in enumerate(entry.prompt.input):
        content = message.content
        if not is_plain_message(message) or not isinstance(content, str):
            raise _NotPlain
        tail = _ROLE_TAILS.get(message.role)
        if tail is None:
            raise _NotPlain
        parts.append(f'{{"id": {_string(message_id(sample_hash, position))}, "content": {_string(content)}, '
                     f'"source": null, "metadata": null, "internal": null, "perf_metrics": null, '
                     f'"role": {_string(message.role)}{tail}')
    model_text = _scalar(model)
    usage = result.usage
    if result.latency is None:
        perf = "null"
    else:
        perf = (f'{{"latency": {_scalar(result.latency)}, "ttft": null, "input_tokens": {_scalar(usage.input_tokens)}, '
                f'"output_tokens": {_scalar(usage.output_tokens)}, "tpot": null}}')
    answer = (f'{{"id": {_string(message_id(sample_hash, "assistant"))}, "content": {_scalar(result.completion or "")}, '
              f'"source": "generate", "metadata": null, "internal": null, "perf_metrics": {perf}, '
              f'"role": "assistant", "tool_calls": null, "model": {model_text}}}')
    parts.append(answer)
    messages = "[" + ", ".join(parts) + "]"
    metadata = _data(sample_metadata(result, entry))
    if not (usage.input_tokens or usage.output_tokens or usage.total_tokens):
        usage_text = "null"
    else:
        usage_text = (f'{{"input_tokens": {_scalar(usage.input_tokens)}, "output_tokens": {_scalar(usage.output_tokens)}, '
                      f'"total_tokens": {_scalar(usage.total_tokens or usage.input_tokens + usage.output_tokens)}, '
                      f'"input_tokens_cache_write": null, "input_tokens_cache_read": null, "reasoning_tokens": 0}}')
    number = _scalar(index)
    prediction = (f'{{"index": {number}, "model": {model_text}, "model_output": {{"id": null, "model": {model_text}, '
                  f'"choices": [{{"message": {answer}, "stop_reason": {_string(stop_reason(result))}, '
                  f'"logprobs": null}}], "usage": {usage_text}, "time": {_scalar(result.latency)}, "metadata": null, '
                  f'"error": null, "perf_metrics": {perf}}}, "messages": {messages}, "agent_trace": null, '
                  f'"metadata": {metadata}}}')
    value, status, judge_summary, score_metadata, main_score_name = review_verdict(result)
    target = list(accepted_answers(entry.prompt.target)) or None
    review = (f'{{"index": {number}, "target": {_data(target)}, "messages": {messages}, "agent_trace": null, '
              f'"sample_score": {{"score": {{"value": {_data(value)}, "status": {_scalar(status)}, '
              f'"judge_summary": {_data(judge_summary)}, "extracted_prediction": {_scalar(result.extracted)}, '
              f'"prediction": {_scalar(result.completion or "")}, "explanation": {_scalar(result.explanation)}, '
              f'"metadata": {_data(score_metadata)}, "main_score_name": {_scalar(main_score_name)}}}, '
              f'"sample_id": {number}, "group_id": {_scalar(index if group_id is None else group_id)}, '
              f'"generation_index": {_scalar(generation_index)}, "sample_metadata": {metadata}}}}}')
    return prediction, review
