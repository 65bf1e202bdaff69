"""The answer cache and recorded predictions: unit behaviour, then through the real plugin."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from helpers_runs import (
    GENERAL_SUITE,
    detailed_report,
    general_script,
    prompt_keys,
    run_plugin,
    write_suite,
)

from conftest import output_dir_of
from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.predictions import PredictionsStore, messages_key
from pytest_evalindex.model.store import AnswerCache, AnswerStoreError

ANSWER = Completion(text="ANSWER: B", reasoning="because", finish_reason="stop", input_tokens=7, output_tokens=2,
                    total_tokens=9, latency=0.25, raw_model="m")


def shard_lines(directory: Path) -> list[str]:
    return [line for p in sorted(directory.glob("answers-*.jsonl")) for line in p.read_text().splitlines()]


def test_answers_survive_a_new_process_and_are_fresh_objects(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c", "gw0")
    cache.put("fp1", ANSWER)
    assert cache.counters.written == 1
    assert cache.shard_path.name.startswith("answers-gw0-")
    reread = AnswerCache(tmp_path / "c", "gw1")
    got = reread.get("fp1", [])
    assert got == ANSWER and got is not reread.get("fp1", [])
    assert reread.get("other", []) is None
    assert reread.counters.to_dict() == {"loaded": 1, "hits": 2, "misses": 1, "written": 0, "skipped_corrupt": 0,
                                         "shards": 1, "write_failed": 0, "write_error": "", "refreshed": 0}


def test_torn_and_corrupt_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path, "main")
    for i in range(3):
        cache.put(f"fp{i}", ANSWER)
    cache.close()
    with cache.shard_path.open("ab") as handle:
        handle.write(b'[1, 2]\n{"fingerprint": "x"}\n\xff\xfe\n{"fingerprint": "fp9", "completion": {"te')  # kill -9 mid-line
    reread = AnswerCache(tmp_path, "main")
    # The unterminated tail may still be being written by a live process: judged once it ends (below).
    assert (len(reread), reread.counters.skipped_corrupt) == (3, 3)
    # Same pid appends after the torn tail: the new line must not be glued to it.
    reread.put("fp3", ANSWER)
    assert (len(AnswerCache(tmp_path, "x")), AnswerCache(tmp_path, "x").counters.skipped_corrupt) == (4, 4)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    caches = [AnswerCache(tmp_path, f"gw{i}") for i in range(4)]
    # Same pid here, so give each writer its own shard name as separate processes would have.
    def write(cache: AnswerCache, n: int) -> None:
        for j in range(250):
            cache.put(f"{n}-{j}", ANSWER)

    threads = [threading.Thread(target=write, args=(c, n)) for n, c in enumerate(caches)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(AnswerCache(tmp_path, "reader")) == 1000
    assert all(json.loads(line)["completion"]["text"] == "ANSWER: B" for line in shard_lines(tmp_path))


def test_cache_folder_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(AnswerStoreError, match=r"^--eval-use-cache: .*/f is a file, not a folder; pass a folder path$"):
        AnswerCache(tmp_path / "f", "main")


def test_messages_key_matches_openai_and_evalscope_shapes() -> None:
    openai_msgs = [{"role": "system", "content": "be brief\nplease"},
                   {"role": "user", "content": [{"type": "text", "text": "Q?"},
                                                {"type": "image_url", "image_url": {"url": "data:x", "detail": "auto"}}]}]
    evalscope_msgs = [{"id": "1", "role": "system", "content": [{"type": "text", "text": "be brief"},
                                                                 {"type": "text", "text": "please"}], "source": None},
                      {"id": "2", "role": "user", "content": [{"type": "text", "text": "Q?"},
                                                              {"type": "image", "image": "data:x"}]},
                      {"role": "assistant", "content": "ANSWER"}]
    assert messages_key(openai_msgs) == messages_key(evalscope_msgs)
    assert messages_key(openai_msgs) != messages_key([{"role": "user", "content": "Q?"}])


def _prediction(messages: list[dict[str, object]], answer: object, stop: str = "stop") -> dict[str, object]:
    return {"index": 0, "model": "m", "messages": messages + [{"role": "assistant", "content": answer}],
            "model_output": {"model": "m", "choices": [{"message": {"role": "assistant", "content": answer},
                                                        "stop_reason": stop}],
                             "usage": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}, "time": 0.5}}


def test_predictions_store_reads_a_file_and_folders(tmp_path: Path) -> None:
    q: list[dict[str, object]] = [{"role": "user", "content": "2+2?"}]
    line = _prediction(q, [{"type": "reasoning", "reasoning": "add"}, {"type": "text", "text": "4"}], "max_tokens")
    folder = tmp_path / "run" / "predictions" / "m"
    folder.mkdir(parents=True)
    write_suite(folder / "data_collection_default.jsonl", [line, '{"messages": [{"ro'])
    for path in (tmp_path / "run", folder, folder / "data_collection_default.jsonl"):
        store = PredictionsStore(path)
        got = store.get("ignored", q)
        assert got is not None and (got.text, got.reasoning, got.finish_reason, got.total_tokens) == ("4", "add", "length", 4)
        assert store.counters.skipped_corrupt == 1
        assert store.get("ignored", [{"role": "user", "content": "3+3?"}]) is None


@pytest.mark.parametrize(("setup", "message"), [
    ("missing", r"^--eval-predictions: .*/nope does not exist; pass a run folder or a predictions \.jsonl file$"),
    ("empty_dir", r"^--eval-predictions: .* has no predictions/ folder and no \*\.jsonl file"),
    ("two_models", r"^--eval-predictions: .*/predictions holds predictions of several models \(a, b\); pass one"),
    ("not_prediction", r"^.*/p\.jsonl:2: field 'model_output\.choices': must hold the recorded answer$"),
    ("no_messages", r"^.*/p\.jsonl:1: field 'messages': must be the non-empty message list"),
    ("only_torn", r"^--eval-predictions: no usable predictions line in .*/p\.jsonl$"),
])
def test_predictions_store_errors_are_one_line(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "p.jsonl"
    good = _prediction([{"role": "user", "content": "q"}], "a")
    if setup == "missing":
        path = tmp_path / "nope"
    elif setup == "empty_dir":
        path = tmp_path / "d"
        path.mkdir()
    elif setup == "two_models":
        for model in ("a", "b"):
            (tmp_path / "predictions" / model).mkdir(parents=True)
            write_suite(tmp_path / "predictions" / model / "x.jsonl", [good])
        path = tmp_path
    elif setup == "not_prediction":
        write_suite(path, [good, {"messages": [{"role": "user", "content": "q"}], "model_output": {"choices": None}}])
    elif setup == "no_messages":
        write_suite(path, [{"model_output": {}}])
    else:
        write_suite(path, ['{"messages": '])
    with pytest.raises(AnswerStoreError, match=message) as info:
        PredictionsStore(path)
    assert "\n" not in str(info.value)


# -- through the real plugin ------------------------------------------------------------------

@pytest.mark.slow
def test_second_run_and_recorded_predictions_send_nothing_and_report_the_same(pytester: pytest.Pytester) -> None:
    """The cache written by two xdist workers, read back under -n 2 and -n0, and the run folder replayed as
    recorded predictions: nothing is sent and every report is the first one. (Writing at -n0: the next test;
    predictions under -n 2: plugin/test_offline_modes.)"""
    cache = pytester.path / "answers"
    with MockServer(general_script()) as server:
        first = run_plugin(pytester, server.url, "--eval-use-cache", str(cache), "-n", "2")
        assert first.ret == 0, first.stdout.str()
        assert server.stats()["requests"] == 33
        assert len(shard_lines(cache)) == 33
        server.reset_stats()
        again = {workers: run_plugin(pytester, server.url, "--eval-use-cache", str(cache), "-n", workers)
                 for workers in ("2", "0")}
        # The first run's folder as recorded predictions (--eval-predictions): scored, nothing sent either.
        third = run_plugin(pytester, server.url, "--eval-predictions", str(output_dir_of(first.stdout.str())))
        assert server.stats()["requests"] == 0
    for second in (*again.values(), third):
        assert second.ret == 0, second.stdout.str()
        assert detailed_report(second.stdout.str()) == detailed_report(first.stdout.str())
    for second in again.values():
        line = next(ln for ln in second.outlines if "answers from" in ln)
        assert " 0 requests" in line
        assert f"33 of 33 answers from {cache}" in line


@pytest.mark.slow
def test_edited_and_reordered_collection_reuses_only_what_still_applies(pytester: pytest.Pytester) -> None:
    cache = pytester.path / "answers"
    lines = GENERAL_SUITE.read_text(encoding="utf-8").splitlines()
    with MockServer(general_script()) as server:
        assert run_plugin(pytester, server.url, "--eval-use-cache", str(cache)).ret == 0
        server.reset_stats()
        edited = [json.loads(line) for line in reversed(lines)]  # every position changes
        edited[5]["prompt"]["input"][-1]["content"] += " (reworded)"
        suite = write_suite(pytester.path / "edited.jsonl", edited)
        result = run_plugin(pytester, server.url, "--eval-use-cache", str(cache), suite=suite)
        assert result.ret == 0, result.stdout.str()
        stats = server.stats()
    assert f"32 of 33 answers from {cache}" in result.stdout.str()
    # Only the reworded prompt is asked again; every other line, now at another position, reuses its answer.
    reworded = next(k for k, i in prompt_keys(suite).items() if i == edited[5]["index"])
    assert stats["requests_by_prompt"] == {reworded: 1}
