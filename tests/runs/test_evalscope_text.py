"""The prediction and review lines written straight as text are the bytes the dict builders and the writer's
encoder give, and every line off the plain shape is left to the dict builders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers_results import make_result

from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.core.secrets import MASK
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.runs.evalscope import prediction_line, review_line
from pytest_evalindex.runs.evalscope_text import line_texts
from pytest_evalindex.runs.writer import make_run_dir, model_id, strict_encoder, write_outputs

MODEL = "org/módel \"x\""


def _entry(index: int, prompt: dict[str, Any], **line: Any) -> Entry:
    return Entry.model_validate({"index": index, "prompt": prompt, "dataset_name": "gsm8k", **line})


def _result(index: int, **fields: Any) -> SampleResult:
    result = make_result(index, "gsm8k", "main", 1.0, tags=["en", "数学"], categories=["math", "grade school"],
                         completion="The answer is 42.", extracted="42", finish_reason="stop",
                         usage=Usage(12, 5, 17), latency=0.25)
    for name, value in fields.items():
        setattr(result, name, value)
    return result


def _dict_texts(index: int, result: SampleResult, entry: Entry, *, group_id: int | None = None,
                generation_index: int = 0) -> tuple[str, str]:
    encode = strict_encoder()
    prediction = prediction_line(index, result, entry, MODEL)
    review = review_line(index, result, entry, MODEL, messages=prediction["messages"], group_id=group_id,
                         generation_index=generation_index, metadata=prediction["metadata"])
    return encode(prediction), encode(review)


PLAIN_PROMPT = {"input": [{"role": "system", "content": "Be brief."},
                          {"role": "user", "content": "Wie viel ist 6×7? 请回答 \"quoted\"\n\ttab \u2028 \x01 </script>"},
                          {"role": "assistant", "content": "Earlier answer"},
                          {"role": "tool", "content": "tool output"},
                          {"role": "user", "content": "And now?"}],
                "target": ["42", " 42 ", ""], "metadata": {"id": "q1", "nested": {"a": [1, 2.5, None, True]},
                                                           "emoji": "😀", "e": 1e300}}

PLAIN_CASES: list[tuple[str, Entry, SampleResult]] = [
    ("plain", _entry(3, PLAIN_PROMPT, tags=["en"], categories=["math"], weight=0.5), _result(3)),
    ("string prompt, scorer, no usage, no latency", _entry(0, {"input": "hi", "target": "A"}, scorer="exact_match"),
     _result(0, usage=Usage(), latency=None, finish_reason=None, extracted=None, completion=None)),
    ("lone surrogate and non-ASCII in the answer",
     _entry(1, {"input": "q\ud800", "target": "x"}), _result(1, completion="a\udfffb 答案", extracted="\ud800")),
    ("metrics, judge summary, explanation, excluded",
     _entry(2, {"input": "q"}), _result(2, metrics={"em": 0.0, "f1": 0.5}, explanation="because\n\"so\"",
                                        score_metadata={"judge_summary": {"status": "ok"}, "rating": 7})),
    ("excluded", _entry(4, {"input": "q"}), _result(4, status="excluded", score=None)),
    ("input-only usage, big numbers", _entry(5, {"input": "q"}),
     _result(5, usage=Usage(10**20, 0, 0), latency=1e-7, finish_reason="length")),
    ("extra keys on the line", _entry(11, {"input": "q"}, source="extra", note=None), _result(11)),
]

NOT_PLAIN_CASES: list[tuple[str, Entry, SampleResult]] = [
    ("a message with an id", _entry(6, {"input": [{"role": "user", "content": "q", "id": "76edd7a5"}]}), _result(6)),
    ("a content list", _entry(7, {"input": [{"role": "user", "content": [{"type": "text", "text": "q"}]}]}),
     _result(7)),
    ("a tool call id", _entry(8, {"input": [{"role": "tool", "content": "q", "tool_call_id": "c1"}]}), _result(8)),
    ("reasoning", _entry(9, {"input": "q"}), _result(9, reasoning="thinking")),
    ("NaN in the prompt metadata", _entry(10, {"input": "q", "metadata": {"x": float("nan")}}), _result(10)),
    ("an infinite latency", _entry(12, {"input": "q"}), _result(12, latency=float("inf"))),
    ("a boolean token count", _entry(13, {"input": "q"}), _result(13, usage=Usage(True, 0, 0))),
    ("a set in the score metadata", _entry(14, {"input": "q"}), _result(14, score_metadata={"s": {1}})),
]


def test_plain_lines_are_written_as_text_with_the_dict_paths_bytes() -> None:
    for name, entry, result in PLAIN_CASES:
        for group_id, generation_index in ((None, 0), (7, 2)):
            texts = line_texts(result.index, result, entry, MODEL, group_id=group_id,
                               generation_index=generation_index)
            assert texts is not None, name  # the fast path is taken for the plain shape
            assert texts == _dict_texts(result.index, result, entry, group_id=group_id,
                                        generation_index=generation_index), name
            json.loads(texts[0].encode("utf-8", "surrogatepass"))  # valid JSON either way


def test_lines_off_the_plain_shape_are_left_to_the_dict_builders() -> None:
    for name, entry, result in NOT_PLAIN_CASES:
        assert line_texts(result.index, result, entry, MODEL) is None, name
        _dict_texts(result.index, result, entry)  # which still build them
    assert line_texts(0, _result(0), None, MODEL) is None  # no collection line: the fallback metadata


def test_the_written_files_hold_the_dict_paths_lines_with_secrets_scrubbed(tmp_path: Path) -> None:
    secret = "sk-evalscope-text-0123456789"
    cases = [*PLAIN_CASES[:1], *NOT_PLAIN_CASES[:2]]
    results, entries = [], {}
    for ordinal, (_, entry, result) in enumerate(cases):
        result.ordinal = ordinal
        result.completion = f"leaked {secret} here"
        results.append(result)
        entries[result.node_id] = entry
    run_dir = make_run_dir(tmp_path, datetime(2026, 8, 1, 12, 0, 0))
    write_outputs(run_dir, report=aggregate(results, compat=False), results=results, entries=entries,
                  settings={"model": MODEL, "api_key": secret}, log_text="")
    model_dir = model_id(MODEL)
    predictions = (run_dir / "predictions" / model_dir / "data_collection_default.jsonl").read_text("utf-8")
    reviews = (run_dir / "reviews" / model_dir / "data_collection_default.jsonl").read_text("utf-8")
    assert secret not in predictions + reviews
    expected = [_dict_texts(i, r, entries[r.node_id]) for i, r in enumerate(results)]
    assert predictions.split("\n")[:-1] == [p.replace(secret, MASK) for p, _ in expected]
    assert reviews.split("\n")[:-1] == [r.replace(secret, MASK) for _, r in expected]
