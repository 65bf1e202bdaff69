"""Class 1: one bad sample never costs the run — odd answers and odd metadata still give strict-JSON outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from helpers_runs import run_pytester
from raw_server import answer, assert_run_folder_strict, chat_body, error_body, mcq_line, serve, write_suite

from conftest import output_dir_of
from pytest_evalindex.core.jsonsafe import REPLACEMENT, clean_text, dumps, json_safe

WORKERS = [pytest.param([], id="n0"), pytest.param(["-n", "2"], id="n2")]


def _responder(prompt: str) -> tuple[int, bytes]:
    if prompt == "Q1":
        return 200, chat_body('"ANSWER: A \\ud800 lone"')  # a lone surrogate escape, as a server may send it
    if prompt == "Q2":
        return 200, chat_body('"\\udfff ANSWER: B"')
    return answer("ANSWER: A")


@pytest.mark.parametrize("workers", WORKERS)
def test_lone_surrogates_and_non_finite_metadata_are_written_as_strict_json(
        pytester: pytest.Pytester, workers: list[str]) -> None:
    """A lone surrogate in an answer is scored and written as U+FFFD; NaN/Infinity in a line's metadata (Python's
    json and EvalScope's reader accept them; strict JSON has no spelling for them) are written as named strings."""
    raw = [json.dumps(mcq_line(i, target="AABB"[i])) for i in range(4)]
    raw[0] = raw[0].replace('"target": "A"', '"target": "A", "metadata": {"big": 1e400, "nan": NaN, "neg": -1e400}')
    raw[3] = raw[3].replace('"target": "B"', '"target": "B", "metadata": {"deep": [NaN, {"x": Infinity}]}')
    write_suite(pytester.path / "suite.jsonl", raw)
    with serve(_responder) as (url, counter):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", "--eval-use-cache", "cache", *workers)
    output = result.stdout.str()
    assert result.ret == 0, output
    assert "INTERNALERROR" not in output + result.stderr.str()
    run_dir = output_dir_of(output)
    report = assert_run_folder_strict(run_dir)
    statuses = {s["index"]: s["status"] for s in report["samples"]}
    assert statuses == {0: "correct", 1: "correct", 2: "correct", 3: "incorrect"}  # Q1 said A, Q2 said B
    predictions = next(run_dir.glob("predictions/*/*.jsonl")).read_text(encoding="utf-8")
    assert f"ANSWER: A {REPLACEMENT} lone" in predictions and f"{REPLACEMENT} ANSWER: B" in predictions
    for shard in (pytester.path / "cache").glob("answers-*.jsonl"):  # the cache is strict UTF-8 too
        for line in shard.read_bytes().splitlines():
            json.loads(line.decode("utf-8"))
    for folder in ("reviews", "predictions"):
        text = next(run_dir.glob(f"{folder}/*/*.jsonl")).read_text("utf-8")
        assert '"big": "Infinity"' in text and '"nan": "NaN"' in text and '"neg": "-Infinity"' in text
        assert '"deep": ["NaN", {"x": "Infinity"}]' in text
    assert counter.total == 4


def test_a_cached_surrogate_answer_scores_the_same_on_the_rerun(pytester: pytest.Pytester) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(i) for i in range(3)])
    with serve(_responder) as (url, counter):
        args = ("--eval-collection", "suite.jsonl", "--eval-api-url", url, "--eval-model", "m", "--eval-use-cache")
        first = run_pytester(pytester, *args)
        second = run_pytester(pytester, *args)
    assert first.ret == second.ret == 0
    assert counter.total == 3  # the rerun asked nothing
    assert "3 of 3 answers from" in second.stdout.str()
    one = assert_run_folder_strict(output_dir_of(first.stdout.str()))
    two = assert_run_folder_strict(output_dir_of(second.stdout.str()))
    assert [s["status"] for s in one["samples"]] == [s["status"] for s in two["samples"]]


def test_a_scorer_returning_nan_or_text_errors_only_its_sample(pytester: pytest.Pytester) -> None:
    lines = [mcq_line(i) for i in range(5)]
    lines[1]["scorer"] = "nan_scorer"
    lines[2]["scorer"] = "text_scorer"
    lines[3]["scorer"] = "odd_metadata"
    lines[4]["scorer"] = "raises"
    write_suite(pytester.path / "suite.jsonl", lines)
    pytester.makeconftest(
        """
        from pytest_evalindex import scorer
        from pytest_evalindex.scorers.base import Score

        @scorer("nan_scorer")
        def nan_scorer(sample):
            return Score(value=float("nan"), extracted="A", metric="acc")

        @scorer("text_scorer")
        def text_scorer(sample):
            return Score(value="high", extracted="A", metric="acc")

        @scorer("odd_metadata")
        def odd_metadata(sample):
            return Score(value=1.0, extracted="A\\ud800", metric="acc", metrics={"acc": 1.0, "f": float("inf")},
                         metadata={"seen": {3, 1}, "ratio": float("-inf"), "obj": object()})

        @scorer("raises")
        def raises(sample):
            raise KeyError("no such field")
        """
    )
    with serve(lambda prompt: answer("ANSWER: A")) as (url, _):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", "--eval-max-error-rate", "0.5")
    output = result.stdout.str()
    assert result.ret == 0, output  # two errors are within the 0.5 error budget
    assert "INTERNALERROR" not in output
    report = assert_run_folder_strict(output_dir_of(output))
    by_index = {s["index"]: s for s in report["samples"]}
    assert by_index[0]["status"] == "correct" and by_index[3]["status"] == "correct"
    assert by_index[1]["status"] == by_index[2]["status"] == "error"
    assert "returned the score nan" in by_index[1]["error"]
    assert "returned the score 'high'" in by_index[2]["error"]
    assert by_index[3]["metrics"] == {"acc": 1.0}  # the infinite extra metric is dropped
    assert by_index[3]["extracted"] == f"A{REPLACEMENT}"
    assert by_index[4]["status"] == "excluded"  # a scorer that raises could not judge: excluded, explained
    reviews = next(output_dir_of(output).glob("reviews/*/*.jsonl")).read_text("utf-8")
    assert "scorer 'raises' raised KeyError" in reviews
    failure_lines = [line for line in output.splitlines() if "scoring failed" in line]
    assert failure_lines and all("Traceback" not in line for line in failure_lines)
    assert "Traceback" not in output


def test_a_server_error_holding_a_lone_surrogate_is_a_clean_one_line_error(pytester: pytest.Pytester) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(0), mcq_line(1)])

    def respond(prompt: str) -> tuple[int, bytes]:
        return (400, error_body('"bad \\ud800 request"')) if prompt == "Q1" else answer("ANSWER: A")

    with serve(respond) as (url, _):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", "--eval-max-retries", "0")
    output = result.stdout.str()
    assert result.ret == 1, output  # the error budget (0) fails the run; nothing crashed
    assert "INTERNALERROR" not in output + result.stderr.str()
    report = assert_run_folder_strict(output_dir_of(output))
    errors = [s for s in report["samples"] if s["status"] == "error"]
    assert len(errors) == 1 and "bad" in errors[0]["error"] and "\ud800" not in errors[0]["error"]


@pytest.mark.parametrize(("value", "expected"), [
    (float("nan"), "NaN"), (float("inf"), "Infinity"), (-math.inf, "-Infinity"), ("a\ud800b", f"a{REPLACEMENT}b"),
    ({"k\udc00": [1e400, (1, 2)]}, {f"k{REPLACEMENT}": ["Infinity", [1, 2]]}), (Path("a/b"), "a/b"),
])
def test_json_safe_names_what_strict_json_cannot_hold(value: object, expected: object) -> None:
    assert json_safe(value) == expected
    json.loads(dumps(value), parse_constant=lambda name: pytest.fail(name))


def test_dumps_is_plain_json_dumps_for_ordinary_data() -> None:
    data = {"a": [1, 2.5, "é", None], "emoji": "\U0001f600"}
    assert dumps(data, ensure_ascii=False) == json.dumps(data, ensure_ascii=False)
    assert dumps(data) == json.dumps(data)
    assert clean_text("\U0001f600") == "\U0001f600"  # a real pair is one character, kept
