"""Recorded predictions of a repeats run: each repeat gets its own answer, in the order of the lines' ``index``
(EvalScope writes lines as they complete, so the file order is not the repeat order)."""

from __future__ import annotations

from pathlib import Path

from helpers_runs import write_suite

from pytest_evalindex.model.predictions import PredictionsStore


def _line(index: int, question: str, answer: str) -> dict[str, object]:
    messages: list[dict[str, object]] = [{"role": "user", "content": question}]
    return {"index": index, "model": "m", "messages": messages + [{"role": "assistant", "content": answer}],
            "model_output": {"model": "m", "choices": [{"message": {"role": "assistant", "content": answer},
                                                        "stop_reason": "stop"}]}}


def test_each_repeat_gets_the_answer_of_its_index(tmp_path: Path) -> None:
    # K = 3: sample 0 is index 0..2, sample 1 index 3..5; written out of order, as EvalScope does
    order = [(0, "Q0?", "a0"), (3, "Q1?", "b0"), (2, "Q0?", "a2"), (1, "Q0?", "a1"), (5, "Q1?", "b2"), (4, "Q1?", "b1")]
    path = write_suite(tmp_path / "p.jsonl", [_line(i, q, a) for i, q, a in order])
    store = PredictionsStore(path)
    for question, expected in (("Q0?", ["a0", "a1", "a2"]), ("Q1?", ["b0", "b1", "b2"])):
        messages: list[dict[str, object]] = [{"role": "user", "content": question}]
        got = [store.get("ignored", messages, repeat) for repeat in range(4)]
        assert [c.text if c is not None else None for c in got] == [*expected, None]  # no 4th answer was recorded
