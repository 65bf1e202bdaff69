"""Provider faults, each injected by a real loopback MockServer, through the real plugin and openai client."""

from __future__ import annotations

import copy
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import (
    GENERAL_SUITE,
    MODEL,
    general_script,
    predictions,
    prompt_keys,
    run_plugin,
    write_suite,
)

from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.engine import Engine, EngineConfig
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.mock.script import MockScript, last_user_text

LINES = [json.loads(line) for line in GENERAL_SUITE.read_text(encoding="utf-8").splitlines()]
TRANSIENT = ["429", "500", "503", "reset", "truncated", "null_choices", "empty"]


def _answer(script: dict[str, Any], line: dict[str, Any]) -> str:
    reply = script["answers"][last_user_text(line["prompt"]["input"])]
    return reply if isinstance(reply, str) else reply["answer"]


def _scripted(kinds: list[str], **reply: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The general script with fault ``kinds[i]`` on line i, and those lines."""
    script = general_script()
    lines = LINES[: len(kinds)]
    for kind, line in zip(kinds, lines):
        script["answers"][last_user_text(line["prompt"]["input"])] = {"answer": _answer(script, line), "fault": kind,
                                                                      **reply}
    return script, lines


def _many(n: int) -> list[dict[str, Any]]:
    """``n`` distinct valid lines (the general suite, prompts suffixed after the first copy)."""
    out = []
    for i in range(n):
        line = copy.deepcopy(LINES[i % len(LINES)])
        line["index"] = i
        if i >= len(LINES):
            line["prompt"]["input"][-1]["content"] += f"\n(variant {i})"
        out.append(line)
    return out


def test_transient_faults_are_retried_and_answered_once(pytester: pytest.Pytester) -> None:
    """At -n0; under -n 2 the random-faults run below checks every kind with exact per-prompt counts."""
    script, lines = _scripted(TRANSIENT, times=1, retry_after=0.1)
    suite = write_suite(pytester.path / "faults.jsonl", lines)
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, suite=suite)
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    keys = prompt_keys(suite)
    # Each prompt failed once, was retried, and was answered exactly once.
    assert stats["requests_by_prompt"] == {k: 2 for k in keys}
    assert stats["answered"] == {k: 1 for k in keys}
    assert stats["by_fault"] == {k: 1 for k in TRANSIENT}
    assert len(predictions(result.stdout.str())) == len(TRANSIENT)
    assert "errors" not in result.parseoutcomes()


def test_length_and_content_filter_are_answers_with_their_stop_reason(pytester: pytest.Pytester) -> None:
    script, lines = _scripted(["length", "content_filter"])
    suite = write_suite(pytester.path / "stops.jsonl", lines)
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, suite=suite)
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert sum(stats["requests_by_prompt"].values()) == 2  # not retried: the server did answer
    stops = {p["index"]: p["model_output"]["choices"][0]["stop_reason"] for p in predictions(result.stdout.str())}
    assert stops == {lines[0]["index"]: "max_tokens", lines[1]["index"]: "content_filter"}


def test_a_hang_is_bounded_by_the_timeout_and_errors_in_one_line(pytester: pytest.Pytester) -> None:
    script, lines = _scripted(["hang"])
    suite = write_suite(pytester.path / "hang.jsonl", lines + [LINES[1]])
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "--eval-timeout", "0.5", "--eval-max-retries", "0", suite=suite)
    output = result.stdout.str()
    assert result.ret == 1, output
    assert result.parseoutcomes().get("errors") == 1
    out_lines = output.splitlines()
    header = next(i for i, line in enumerate(out_lines) if "ERROR at setup of arc/ARC-Easy/0" in line)
    # The whole error section is the one-line cause.
    assert out_lines[header + 1] == ("model call failed: request timed out: no complete answer within --eval-timeout "
                                     "0.5 s (wall clock, from sending to the last byte)")
    assert out_lines[header + 2].startswith(("=", "_")), out_lines[header + 2]
    assert "Traceback" not in output


@pytest.mark.parametrize(("fault", "workers"), [("401", "0"), ("401", "2"), ("404", "0")])
def test_a_fatal_error_stops_the_run_early_with_one_message(pytester: pytest.Pytester, fault: str, workers: str) -> None:
    suite = write_suite(pytester.path / "big.jsonl", _many(60))
    script = general_script(api_key="sk-right") if fault == "401" else general_script(models=["other-model"])
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "--eval-api-key", "sk-wrong", "--eval-batch-size", "4",
                            "-n", workers, suite=suite)
        stats = server.stats()
    output = result.stdout.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED, output
    # Requests already in flight when the first answer came back, at most (20 under -n 2): not all 60.
    assert stats["requests"] <= 2 * 4 * max(1, int(workers)) + 4, stats["requests"]
    assert stats["by_status"] == {fault: stats["requests"]}
    hint = "check --eval-api-key" if fault == "401" else "check --eval-model and --eval-api-url"
    assert re.search(rf"stopping: HTTP {fault} from the model server: .*\({hint}", output), output[-3000:]
    errors = result.parseoutcomes().get("errors", 0)
    # The first failing sample stops its process: one error at -n0, one per worker (at most) under -n 2.
    assert (errors == 1) if workers == "0" else (1 <= errors <= 2), errors


def _refusing_url() -> str:
    """A loopback URL where nothing listens (the port was just free)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize("workers", ["0", "2"])
def test_an_unreachable_server_stops_the_run_with_one_line(pytester: pytest.Pytester, workers: str) -> None:
    suite = write_suite(pytester.path / "big.jsonl", _many(60))
    url = _refusing_url()
    port = url.rsplit(":", 1)[1].split("/")[0]
    result = run_plugin(pytester, url, "--eval-max-retries", "1", "-n", workers, suite=suite)
    output = result.stdout.str()
    # Not a verdict on the model: exit 2 like any run that could not be carried out, under -n0 and xdist.
    assert result.ret == pytest.ExitCode.INTERRUPTED, output[-3000:]
    assert re.search(rf"stopping: cannot connect to the model server \(connection refused by 127\.0\.0\.1:{port}\); "
                     r"is it running\? check --eval-api-url \(after 2 attempts\) !", output), output[-3000:]
    # Requests in flight at their retry when the run learnt the server is away fail with its cause as it is,
    # never with a second attempt count appended.
    assert "attempts) (after" not in output, output[-3000:]
    assert "timed out" not in output  # the SDK's aiohttp transport calls a refused connection a timeout
    errors = result.parseoutcomes().get("errors", 0)
    # The first failing sample stops its process: one error at -n0, one per worker (at most) under -n 2.
    assert (errors == 1) if workers == "0" else (1 <= errors <= 2), errors


def test_a_server_that_answered_once_is_given_up_only_when_it_stays_away() -> None:
    """Once the server has answered, a refused connection is an outage to retry and report per sample,
    not a wrong URL: the run goes on, until twice K calls in a row could not connect."""
    line = LINES[0]
    messages = [{"role": "user", "content": last_user_text(line["prompt"]["input"])}]
    server = MockServer(general_script()).start()
    config = EngineConfig(model=MODEL, base_url=server.url, api_key=None, generation_config={}, timeout=5,
                          max_retries=0, batch_size=2)
    engine = Engine(config)
    try:
        engine.submit("first", messages)
        assert engine.result("first").text
        server.stop()
        fatal = []
        for n in range(2 * config.batch_size):
            engine.submit(f"after-{n}", [{"role": "user", "content": f"after the outage began {n}"}])
            with pytest.raises(ModelCallError) as failed:
                engine.result(f"after-{n}")
            assert failed.value.unreachable, str(failed.value)
            fatal.append(failed.value.fatal)
        assert fatal == [False] * (2 * config.batch_size - 1) + [True]
    finally:
        engine.close()
        server.stop()

    never = Engine(EngineConfig(model=MODEL, base_url=_refusing_url(), api_key=None, generation_config={},
                                timeout=5, max_retries=0, batch_size=2))
    try:
        never.submit("first", messages)
        with pytest.raises(ModelCallError) as failed:
            never.result("first")
        assert failed.value.unreachable and failed.value.fatal, str(failed.value)
    finally:
        never.close()


@pytest.mark.slow
def test_random_faults_never_lose_or_duplicate_an_answer(pytester: pytest.Pytester) -> None:
    n = 120
    suite = write_suite(pytester.path / "random.jsonl", _many(n))
    script = general_script(faults={"rate": 0.2, "kinds": TRANSIENT, "seed": 1}, retry_after=0.01)
    # The mock's faults depend only on (seed, prompt, attempt), not on which worker asks when: each prompt's
    # attempts are known in advance (a fault, a retry, ... until an answer; 1 + 5 retries at most).
    faults = MockScript.model_validate(script).faults
    expected_requests: dict[str, int] = {}
    expected_faults: dict[str, int] = {}
    for key in prompt_keys(suite):
        attempt = 0  # the mock counts a prompt's attempts from 0
        while (kind := faults.pick(key, attempt)) is not None:
            expected_faults[kind] = expected_faults.get(kind, 0) + 1
            attempt += 1
        expected_requests[key] = attempt + 1
    # This seed injects every kind, and no prompt fails more often than the 5 retries allow.
    assert set(expected_faults) == set(TRANSIENT) and max(expected_requests.values()) <= 6
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "--eval-max-retries", "5", "-n", "2", "--eval-batch-size", "4",
                            suite=suite)
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    # Every kind of transient fault was retried under xdist, each prompt exactly as often as it failed.
    assert stats["requests_by_prompt"] == expected_requests
    assert stats["by_fault"] == expected_faults
    # Every sample answered once and recorded; none vanish, none are duplicated.
    assert stats["duplicate_answers"] == [] and stats["answered"] == dict.fromkeys(expected_requests, 1)
    recorded = predictions(result.stdout.str())
    assert len(recorded) == n and all(p["model_output"]["choices"][0]["message"]["content"] for p in recorded)
    assert "errors" not in result.parseoutcomes()


def test_truncated_stream_is_retried(pytester: pytest.Pytester) -> None:
    script, lines = _scripted(["truncated", "reset"], times=1)
    suite = write_suite(pytester.path / "stream.jsonl", lines)
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "--eval-generation-config", '{"temperature": 0.0, "stream": true}',
                            suite=suite)
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert stats["answered"] == {k: 1 for k in prompt_keys(suite)}
    assert Path(suite).exists()
