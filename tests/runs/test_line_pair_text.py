"""The writer's prediction and review text, shared parts encoded once, is exactly the whole lines' encoding."""

from __future__ import annotations

import math
from typing import Any

from helpers_results import make_result

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.runs.evalscope import input_messages, prediction_line, review_line
from pytest_evalindex.runs.evalscope_text import line_pair_texts
from pytest_evalindex.runs.writer import strict_encoder


def _entry(messages: list[dict[str, Any]], metadata: dict[str, Any]) -> Entry:
    return Entry.model_validate({"index": 4, "prompt": {"input": messages, "target": "B", "metadata": metadata},
                                 "tags": ["zh"], "categories": ["c1", "c2"], "dataset_name": "arc",
                                 "subset_name": "Easy"})


def test_shared_parts_encoded_once_give_the_same_text() -> None:
    encode = strict_encoder()
    plain = _entry([{"role": "user", "content": "Which? 请回答 \"quoted\" \u2028"}], {"id": "q1"})
    rich = _entry([{"role": "system", "content": "Be brief.", "source": "input"},
                   {"id": "76edd7a5", "role": "user", "content": [{"type": "text", "text": "Look"}]},
                   {"role": "tool", "content": "42", "tool_call_id": "t1"}],
                  {"nested": {"sample_metadata": 1, "x": [1.5, None]}})
    results: list[tuple[SampleResult, Entry | None]] = [
        (make_result(4, "arc", "Easy", 1.0, completion="B", extracted="B"), plain),
        (make_result(5, "arc", "Easy", 0.0, completion="C 答", reasoning="think", latency=0.25,
                     score_metadata={"judge_summary": "ok", "sample_metadata": 2}), rich),
        (make_result(6, "drop", "d", 0.5, metric="f1", metrics={"em": math.nan, "f1": 0.5}), rich),  # strict JSON
        (make_result(7, "arc", "Easy", None, status="excluded"), None),  # no entry: the fallback metadata
    ]
    for result, entry in results:
        prediction = prediction_line(2, result, entry, "org/m")
        review = review_line(2, result, entry, "org/m", messages=prediction["messages"], group_id=1,
                             metadata=prediction["metadata"])
        assert line_pair_texts(prediction, review, encode) == (encode(prediction), encode(review))
        # a review built on its own (not sharing the prediction's parts) is encoded whole, to the same text
        alone = review_line(2, result, entry, "org/m", group_id=1)
        assert line_pair_texts(prediction, alone, encode) == (encode(prediction), encode(alone))


def test_plain_messages_skip_the_model_dump_with_the_same_shape() -> None:
    entry = _entry([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yes", "source": "x"},
                    {"role": "tool", "content": "1", "tool_call_id": "c"}], {})
    result = make_result(4, "arc", "Easy", 1.0)
    got = input_messages(result, entry)
    assert [m["role"] for m in got] == ["user", "assistant", "tool"]
    assert got[0] == {"id": f"{result.sample_hash[:6]}00", "content": "Hi", "source": None, "metadata": None,
                      "internal": None, "perf_metrics": None, "role": "user", "tool_call_id": None}
    # messages with more than role and content still go through the model's dump
    assert got[1]["source"] == "x" and got[1]["tool_calls"] is None and got[2]["tool_call_id"] == "c"
    assert got[2]["function"] is None and got[2]["error"] is None
