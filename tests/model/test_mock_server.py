"""The mock model over real HTTP with the real `openai` client: matching, latency, faults, stats."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from helpers_runs import wait_until
from openai.types.chat import ChatCompletionMessageParam
from plain_openai_server import serve_plain

from pytest_evalindex.model.mock import (
    MockScriptError,
    MockServer,
    load_script,
    prompt_key,
)

SCRIPT: dict[str, Any] = {
    "model": "mock-model",
    "default": "I don't know.",
    "answers": {
        "What is 2+2?": "4",
        "Think first": {"answer": "B", "reasoning": "A is wrong, so B"},
        "slow": {"answer": "done", "latency": 0.2},
        "flaky": {"answer": "finally", "fault": "500", "times": 2},
        "limited": {"answer": "after wait", "fault": "429", "times": 1, "retry_after": 0.8},
        "long answer": {"answer": "one two three four five six", "fault": "length"},
    },
    "rules": [
        {"contains": "capital of France", "answer": "Paris"},
        {"contains": "capital", "answer": "some capital"},
    ],
}


def user(text: str) -> list[ChatCompletionMessageParam]:
    return [{"role": "user", "content": text}]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(SCRIPT) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: MockServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.url, api_key="sk-test", max_retries=0) as c:
        yield c


def ask(client: openai.OpenAI, text: str, **kwargs: Any) -> Any:
    return client.chat.completions.create(model="mock-model", messages=user(text), **kwargs)


def fault_server(kind: str, **extra: Any) -> MockServer:
    return MockServer({"answers": {"q": {"answer": "a", "fault": kind, **extra}}})


# matching ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is 2+2?", "4"),  # exact
        ("What is the capital of France?", "Paris"),  # first matching rule wins
        ("Name a capital city", "some capital"),
        ("unscripted", "I don't know."),  # default
    ],
)
def test_matching_order(client: openai.OpenAI, text: str, expected: str) -> None:
    response = ask(client, text)
    assert response.choices[0].message.content == expected
    assert response.choices[0].finish_reason == "stop"
    assert response.model == "mock-model" and response.id and response.created > 0
    assert response.usage.prompt_tokens == len(text.split())
    assert response.usage.completion_tokens == len(expected.split())


def test_last_user_message_text_parts_are_joined(client: openai.OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "5"},
        {"role": "user", "content": [{"type": "text", "text": "Tell me the capital"}, {"type": "text", "text": "of France"}]},
    ]
    response = client.chat.completions.create(model="any-model", messages=messages)
    assert response.choices[0].message.content == "some capital"  # parts joined by a newline
    assert response.model == "any-model"  # the requested model is echoed


def test_reasoning_content(client: openai.OpenAI) -> None:
    message = ask(client, "Think first").choices[0].message
    assert message.content == "B"
    assert message.reasoning_content == "A is wrong, so B"


def test_latency_is_honoured(client: openai.OpenAI) -> None:
    start = time.perf_counter()
    assert ask(client, "slow").choices[0].message.content == "done"
    assert time.perf_counter() - start >= 0.2


# faults ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "error", "code"),
    [
        ("400", openai.BadRequestError, None),
        ("401", openai.AuthenticationError, "invalid_api_key"),
        ("404", openai.NotFoundError, "model_not_found"),
        ("429", openai.RateLimitError, "rate_limit_exceeded"),
        ("500", openai.InternalServerError, None),
        ("502", openai.InternalServerError, None),
        ("503", openai.InternalServerError, None),
    ],
)
def test_http_error_faults(kind: str, error: type[openai.APIStatusError], code: str | None) -> None:
    with fault_server(kind) as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        with pytest.raises(error) as info:
            ask(c, "q")
        assert info.value.status_code == int(kind)
        assert info.value.code == code
        assert isinstance(info.value.body, dict) and info.value.body["message"]
        stats = srv.stats()
        assert stats["by_status"] == {kind: 1} and stats["by_fault"] == {kind: 1}
        assert stats["answered"] == {}


def test_rate_limit_retry_after_is_honoured_and_counted(client: openai.OpenAI, server: MockServer) -> None:
    start = time.perf_counter()
    response = ask(client.with_options(max_retries=2), "limited")
    elapsed = time.perf_counter() - start
    assert response.choices[0].message.content == "after wait"
    assert elapsed >= 0.8  # the SDK's own first backoff is at most 0.5 s
    key = prompt_key(user("limited"))
    stats = server.stats()
    assert stats["requests_by_prompt"][key] == 2 and stats["answered"][key] == 1


def test_rate_limit_headers() -> None:
    with fault_server("429") as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        with pytest.raises(openai.RateLimitError) as info:
            ask(c, "q")
        assert info.value.response.headers["retry-after-ms"] == "50"
        assert info.value.response.headers["retry-after"] == "0.05"


def test_transient_fault_then_success(client: openai.OpenAI, server: MockServer) -> None:
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            ask(client, "flaky")
    assert ask(client, "flaky").choices[0].message.content == "finally"
    key = prompt_key(user("flaky"))
    assert server.stats()["requests_by_prompt"][key] == 3
    assert server.stats()["answered"][key] == 1


def test_reset_is_a_connection_error() -> None:
    with fault_server("reset") as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        with pytest.raises(openai.APIConnectionError) as info:
            ask(c, "q")
        assert not isinstance(info.value, openai.APITimeoutError)
        assert srv.stats()["by_status"] == {"reset": 1}


def test_hang_times_out_and_stop_releases_it() -> None:
    srv = fault_server("hang").start()
    try:
        with openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0, timeout=0.3) as c:
            with pytest.raises(openai.APITimeoutError):
                ask(c, "q")
        wait_until(lambda: srv.stats()["in_flight"] == 0)  # the client's disconnect cancels the hanging handler
        assert srv.stats()["by_status"] == {"cancelled": 1} and srv.stats()["by_fault"] == {"hang": 1}
        # A client still waiting when the server stops is released promptly.
        errors: list[BaseException] = []

        def wait_forever() -> None:
            with openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0, timeout=600) as c:
                try:
                    ask(c, "q")
                except openai.APIError as exc:
                    errors.append(exc)

        waiter = threading.Thread(target=wait_forever)
        waiter.start()
        wait_until(lambda: srv.stats()["in_flight"] == 1)
    finally:
        start = time.perf_counter()
        srv.stop()
        # Far below the waiting client's own 600 s timeout, yet loose enough for a loaded machine.
        assert time.perf_counter() - start < 60
    waiter.join(timeout=60)
    assert not waiter.is_alive() and len(errors) == 1


def test_truncated_body_raises() -> None:
    # Recorded behaviour: the SDK does not wrap the decode failure; it raises json.JSONDecodeError.
    with fault_server("truncated") as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        with pytest.raises((ValueError, openai.APIError)):
            ask(c, "q")
        assert srv.stats()["by_status"] == {"200": 1} and srv.stats()["answered"] == {}


def test_null_choices_reach_the_caller() -> None:
    # Recorded behaviour: the SDK does not validate; `choices` is None (EvalScope issue #1674).
    with fault_server("null_choices") as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        assert ask(c, "q").choices is None
        assert srv.stats()["answered"] == {}


@pytest.mark.parametrize(
    ("kind", "content", "finish"),
    [("empty", "", "stop"), ("content_filter", None, "content_filter")],
)
def test_empty_and_filtered_answers(kind: str, content: str | None, finish: str) -> None:
    with fault_server(kind) as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        choice = ask(c, "q").choices[0]
        assert (choice.message.content, choice.finish_reason) == (content, finish)
        assert srv.stats()["answered"] == {}


def test_length_fault_cuts_the_answer(client: openai.OpenAI) -> None:
    choice = ask(client, "long answer").choices[0]
    assert (choice.message.content, choice.finish_reason) == ("one two three", "length")


def test_random_faults_are_deterministic_per_seed() -> None:
    def failures(seed: int) -> list[int]:
        script = {"faults": {"rate": 0.5, "kinds": ["500", "503"], "seed": seed}}
        failed = []
        with MockServer(script) as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
            for i in range(30):
                try:
                    ask(c, f"prompt {i}")
                except openai.InternalServerError:
                    failed.append(i)
            assert sum(srv.stats()["by_fault"].values()) == len(failed)
        return failed

    first = failures(7)
    assert 5 <= len(first) <= 25
    assert failures(7) == first
    assert failures(8) != first


# auth and models ---------------------------------------------------------------------------------
def test_api_key_is_enforced_and_never_stored() -> None:
    secret = "sk-very-secret-123"
    with MockServer({"api_key": secret, "default": "ok"}) as srv:
        with openai.OpenAI(base_url=srv.url, api_key="sk-wrong-456", max_retries=0) as bad:
            with pytest.raises(openai.AuthenticationError) as info:
                ask(bad, "q")
            assert info.value.code == "invalid_api_key" and "sk-wrong" not in str(info.value)
        with openai.OpenAI(base_url=srv.url, api_key=secret, max_retries=0) as good:
            assert ask(good, "q").choices[0].message.content == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/_mock/stats") as resp:
            endpoint = json.loads(resp.read())
        assert endpoint == srv.stats()
        assert endpoint["by_status"] == {"401": 1, "200": 1}
        for text in (json.dumps(endpoint), repr(srv.script)):
            assert secret not in text and "sk-wrong" not in text


def test_models_list_and_unknown_model() -> None:
    with MockServer({"models": ["a", "b"]}) as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        assert [m.id for m in c.models.list()] == ["a", "b"]
        assert c.chat.completions.create(model="b", messages=user("q")).model == "b"
        with pytest.raises(openai.NotFoundError) as info:
            c.chat.completions.create(model="c", messages=user("q"))
        assert info.value.code == "model_not_found"


# streaming ---------------------------------------------------------------------------------------
def test_streaming_with_usage(client: openai.OpenAI) -> None:
    chunks = list(ask(client, "Think first", stream=True, stream_options={"include_usage": True}))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices)
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert (content, reasoning, finish) == ("B", "A is wrong, so B", ["stop"])
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 6


def test_streaming_without_usage_and_truncated_stream() -> None:
    with fault_server("truncated") as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        with pytest.raises(openai.APIConnectionError):
            list(ask(c, "q", stream=True))
    with MockServer({"default": "a b c"}) as srv, openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
        chunks = list(ask(c, "q", stream=True))
        assert "".join(ch.choices[0].delta.content or "" for ch in chunks) == "a b c"
        assert all(ch.usage is None for ch in chunks)


# concurrency and control -------------------------------------------------------------------------
def test_concurrent_requests_are_in_flight_together() -> None:
    async def run(url: str) -> list[str | None]:
        async with openai.AsyncOpenAI(base_url=url, api_key="k", max_retries=0) as c:
            calls = [c.chat.completions.create(model="m", messages=user(f"q{i}")) for i in range(20)]
            return [r.choices[0].message.content for r in await asyncio.gather(*calls)]

    with MockServer({"latency": 0.5, "default": "a"}) as srv:  # a starved client still sends all 20 before one returns
        assert asyncio.run(run(srv.url)) == ["a"] * 20
        stats = srv.stats()
        assert stats["max_in_flight"] >= 15 and stats["in_flight"] == 0
        assert len(stats["answered"]) == 20 and stats["duplicate_answers"] == []


def test_reset_endpoint_zeroes_stats() -> None:
    with MockServer({"answers": {"q": {"fault": "500", "times": 1}}}) as srv:
        with openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0) as c:
            with pytest.raises(openai.InternalServerError):
                ask(c, "q")
            request = urllib.request.Request(f"http://127.0.0.1:{srv.port}/_mock/reset", method="POST")
            urllib.request.urlopen(request).close()
            assert srv.stats()["requests"] == 0
            with pytest.raises(openai.InternalServerError):  # attempt numbers restart too
                ask(c, "q")


# script loading and the command ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"latency": "slow"}', "field 'latency'"),
        ('{"answers": {"q": {"fault": "418"}}}', "field 'answers.q.fault'"),
        ('{"rules": [{"answer": "x"}]}', "field 'rules.0.contains'"),
        ('{"latency": 1,}', "invalid JSON"),
        ("[]", "must be a JSON object"),
    ],
)
def test_script_errors_are_one_line(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "script.json"
    path.write_text(text)
    with pytest.raises(MockScriptError) as info:
        load_script(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and needle in message


def test_load_script_reads_answers(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"answers": {"a": "b", "c": {"answer": "d", "latency": 0.5}}}))
    script = load_script(path)
    assert script.match("a").answer == "b" and script.match("c").latency == 0.5
    with pytest.raises(MockScriptError, match="cannot read"):
        load_script(tmp_path / "missing.json")


def test_command_line_serves(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"default": "from the command"}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_evalindex.model.mock", "--script", str(path), "--latency", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("mock model listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        with openai.OpenAI(base_url=url, api_key="k", max_retries=0) as c:
            assert ask(c, "q").choices[0].message.content == "from the command"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


# the independent plain server --------------------------------------------------------------------
def test_plain_server_answers() -> None:
    with serve_plain({"What is 2+2?": "4"}) as (url, counter):
        with openai.OpenAI(base_url=url, api_key="k", max_retries=0) as c:
            assert ask(c, "What is 2+2?").choices[0].message.content == "4"
            assert ask(c, "other").choices[0].message.content == ""
        assert counter.total == 2 and counter.by_prompt == {"What is 2+2?": 1, "other": 1}
