"""Class 7: the answer cache, consistently — odd lines are re-asked, the mock hits, a killed worker's answers are kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers_runs import run_pytester
from raw_server import answer, assert_run_folder_strict, mcq_line, serve, write_suite

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of
from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.store import AnswerCache


@pytest.mark.parametrize("completion", [
    {"text": 3}, {"text": "A", "input_tokens": "12"}, {"text": "A", "latency": "slow"}, {"text": "A", "reasoning": 7},
    {"text": "A", "output_tokens": True}, {"text": "A", "finish_reason": ["stop"]}, ["A"], None,
])
def test_a_cache_line_of_the_wrong_shape_is_ignored_and_counted(tmp_path: Path, completion: object) -> None:
    (tmp_path / "answers-main-1.jsonl").write_text(
        json.dumps({"fingerprint": "fp", "completion": completion}) + "\n"
        + json.dumps({"fingerprint": "ok", "completion": {"text": "B", "input_tokens": 1}}) + "\n", encoding="utf-8")
    cache = AnswerCache(tmp_path, "main")
    assert cache.get("fp", []) is None
    got = cache.get("ok", [])
    assert got is not None and got.text == "B"
    assert cache.counters.skipped_corrupt == 1 and cache.counters.loaded == 1


@pytest.mark.slow
def test_a_run_re_asks_exactly_the_samples_whose_cache_lines_were_odd(pytester: pytest.Pytester) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(i) for i in range(5)])
    with serve(lambda p: answer("ANSWER: A")) as (url, counter):
        args = ("--eval-collection", "suite.jsonl", "--eval-api-url", url, "--eval-model", "m", "--eval-use-cache", "c")
        assert run_pytester(pytester, *args).ret == 0
        (shard,) = (pytester.path / "c").glob("answers-*.jsonl")
        records = [json.loads(line) for line in shard.read_text("utf-8").splitlines()]
        records[0]["completion"]["input_tokens"] = "many"
        records[1]["completion"]["text"] = {"nested": True}
        records[2]["fingerprint"] = 12
        shard.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
        rerun = run_pytester(pytester, *args)
    output = rerun.stdout.str()
    assert rerun.ret == 0, output
    assert counter.total == 5 + 3
    assert "evalindex: 3 cache lines in" in output and "were ignored (torn, or not an answer)" in output
    assert "2 of 5 answers from" in output
    assert assert_run_folder_strict(output_dir_of(output))["totals"]["correct"] == 5


@pytest.mark.slow
def test_mock_reruns_hit_the_cache(pytester: pytest.Pytester) -> None:
    """Written at -n0 and read under -n 2, then the other way round: the mock's answers are found whoever wrote them."""
    shutil.copy(SEED_SUITE, pytester.path / "suite.jsonl")
    shutil.copy(SEED_SCRIPT, pytester.path / "script.json")
    args = ("--eval-collection", "suite.jsonl", "--eval-mock", "script.json", "--eval-use-cache", "c")
    first = run_pytester(pytester, *args)
    hits = [run_pytester(pytester, *args, *workers) for workers in ([], ["-n", "2"])]  # a new mock, a new port
    assert first.ret == 0
    one = assert_run_folder_strict(output_dir_of(first.stdout.str()))
    for second in hits:
        assert second.ret == 0, second.stdout.str()
        assert "10 of 10 answers from" in second.stdout.str()
        assert ", 0 requests," in second.stdout.str()
        assert assert_run_folder_strict(output_dir_of(second.stdout.str()))["index"] == one["index"]
    # An edited script is another model: its answers are not taken from the first script's cache.
    script = json.loads((pytester.path / "script.json").read_text("utf-8"))
    script["default"] = "changed"
    (pytester.path / "script.json").write_text(json.dumps(script), encoding="utf-8")
    third = run_pytester(pytester, *args, "-n", "2")
    assert "answers from" not in third.stdout.str() and ", 10 requests," in third.stdout.str()
    fourth = run_pytester(pytester, *args)  # what the two workers cached, read at -n0
    assert "10 of 10 answers from" in fourth.stdout.str() and ", 0 requests," in fourth.stdout.str()


def test_answers_another_process_stored_are_found_on_a_miss(tmp_path: Path) -> None:
    mine, other = AnswerCache(tmp_path, "gw0"), AnswerCache(tmp_path, "gw1")
    other.put("late", Completion(text="stored after gw0 started"))
    got = mine.get("late", [])
    assert got is not None and got.text == "stored after gw0 started"
    assert mine.counters.refreshed == 1 and mine.counters.misses == 0


def test_an_answer_the_cache_cannot_store_is_still_served_and_counted(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path, "main")
    cache.shard_path.mkdir()  # the shard cannot be opened as a file: every write fails (EISDIR)
    cache.put("fp", Completion(text="kept in memory"))
    got = cache.get("fp", [])
    assert got is not None and got.text == "kept in memory"
    assert cache.counters.write_failed == 1 and cache.counters.written == 0
    assert cache.counters.write_error == "Is a directory"


KILLING_SCORER = """
import os, pathlib, signal, time
from pytest_evalindex import scorer
from pytest_evalindex.scorers.base import Score

@scorer("kill_my_worker")
def kill(sample):
    mark = pathlib.Path("killed-once")
    if mark.exists():
        return Score(value=1.0, extracted="A")
    # Wait (bounded) until this worker has cached several prefetched answers, then die without cleanup.
    shard = next(pathlib.Path("c").glob(f"answers-*-{os.getpid()}.jsonl"), None)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (shard is None or shard.read_bytes().count(b"\\n") < 6):
        time.sleep(0.05)
        shard = next(pathlib.Path("c").glob(f"answers-*-{os.getpid()}.jsonl"), None)
    mark.write_text(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_answers_a_killed_worker_cached_are_not_requested_again(pytester: pytest.Pytester) -> None:
    lines = [mcq_line(i) for i in range(40)]
    for line in lines[:2]:
        line["scorer"] = "kill_my_worker"  # whichever worker gets one of these dies
    write_suite(pytester.path / "suite.jsonl", lines)
    pytester.makeconftest(KILLING_SCORER)
    with serve(lambda p: answer(f"ANSWER: A ({p})")) as (url, counter):
        # One file, one worker (--dist loadfile): every sample is queued on the worker that dies, so it has
        # answers in flight to cache before its scorer kills it. Under worksteal the other worker can steal all
        # but a few of them first (seen under load: 5 cached).
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                              "--eval-model", "m", "--eval-use-cache", "c", "-n", "2", "--dist", "loadfile",
                              "--eval-batch-size", "8", "--eval-max-error-rate", "0.1")
    output = result.stdout.str()
    assert "crashed while running" in output or "worker 'gw" in output, output
    killed_pid = (pytester.path / "killed-once").read_text()
    (killed_shard,) = (pytester.path / "c").glob(f"answers-*-{killed_pid}.jsonl")
    cached_by_the_dead = [json.loads(raw)["completion"]["text"] for raw in killed_shard.read_bytes().splitlines()
                          if raw.endswith(b"}")]
    assert len(cached_by_the_dead) >= 6
    for text in cached_by_the_dead:
        prompt = text.split("(")[1].rstrip(")")
        assert counter.by_prompt[prompt] == 1, (prompt, counter.by_prompt)
    assert set(counter.by_prompt) == {f"Q{i}" for i in range(40)}
    report = assert_run_folder_strict(output_dir_of(output))
    assert len(report["samples"]) == 40
