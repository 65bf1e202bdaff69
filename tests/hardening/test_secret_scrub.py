"""Secrets are removed by value from every byte a run writes or prints, and never sent to another origin.

A hostile loopback server echoes the credentials in error bodies and in answers; each test checks that
the credentials were really used, then searches every file under the test folder (outputs, cache, JUnit,
Markdown, ``--debug`` and log files) and the captured terminal for them.
"""

from __future__ import annotations

import json

import pytest
from hardening.hostile_runs import error_lines, hostile_suite, leaks, outputs_json, run_hostile
from hardening.hostile_server import HostileServer

KEY = "sk-KEY-5ecret-0101"
HEADER = "ACME-5ecret-0202"
BODY = "BODY-5ecret-0303"
QUERY = "QRY-5ecret-0404"
MASK = "**********"


@pytest.mark.parametrize("workers", ["0", "2"])
def test_every_secret_is_scrubbed_from_every_file_and_the_terminal(pytester: pytest.Pytester, workers: str) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["ok", "answer_key", "echo_key_500", "parts"], copies=2)
    generation = {"temperature": 0.0, "extra_headers": {"X-Acme-Auth": HEADER}, "extra_body": {"client_secret": BODY}}
    with HostileServer() as server:
        result = run_hostile(
            pytester, f"{server.url}?api-key={QUERY}", suite, "--eval-api-key", KEY,
            "--eval-generation-config", json.dumps(generation), "--eval-max-retries", "0", "--eval-strict",
            "-n", workers, "-v", "-rA", "--debug", "--junitxml", str(pytester.path / "junit.xml"),
            "--eval-markdown", str(pytester.path / "summary.md"), "--eval-use-cache",
            "--log-file", str(pytester.path / "run.log"), "--log-file-level", "DEBUG")
    # Every credential was really sent, each where it belongs (the query key did not break the path).
    assert len(server.seen) == 8
    for seen in server.seen:
        assert seen.path == "/v1/chat/completions" and seen.query["api-key"] == QUERY
        assert seen.headers["authorization"] == f"Bearer {KEY}" and seen.headers["x-acme-auth"] == HEADER
        assert json.loads(seen.body)["client_secret"] == BODY
    # 2 ok + 2 parts pass; the answers echoing the key are incorrect (failures under --eval-strict); the
    # error bodies echoing it are errors, whose one line keeps the server's words with the key masked.
    outcomes = result.parseoutcomes()
    assert (outcomes["passed"], outcomes["failed"], outcomes["errors"]) == (4, 3, 2), outcomes
    assert result.ret == 1
    assert {line.split(" with headers")[0] for line in error_lines(result)} == {
        f"HTTP 500 from the model server: upstream rejected key {MASK}"}
    answers = [json.loads(line) for path in (pytester.path / "outputs").rglob("predictions/*/*.jsonl")
               for line in path.read_text(encoding="utf-8").splitlines()]
    echoed = [a["model_output"]["choices"][0]["message"]["content"] for a in answers
              if "answer_key" in json.dumps(a["messages"])]
    assert len(echoed) == 2 and all(text.startswith(f"B (your credentials: {MASK} |") for text in echoed)
    assert len(outputs_json(pytester.path)) >= 5  # every JSON file still parses
    for written in ("pytestdebug.log", "junit.xml", "summary.md", "run.log"):
        assert (pytester.path / written).stat().st_size > 0, written
    assert list((pytester.path / "outputs" / "cache").glob("answers-*.jsonl"))
    assert leaks(pytester.path, result, [KEY, HEADER, BODY, QUERY]) == []


@pytest.mark.parametrize("source", ["--eval-api-key", "EVALINDEX_API_KEY", "--eval-api-key-env"])
def test_a_pasted_key_with_a_trailing_newline_is_stripped_with_a_warning(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    key = f"sk-PASTED-5ecret-{source.strip('-')}"
    args: list[str] = []
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("EVALINDEX_API_KEY", raising=False)
    if source == "--eval-api-key":
        args = ["--eval-api-key", key + " \n"]
    elif source == "EVALINDEX_API_KEY":
        monkeypatch.setenv("EVALINDEX_API_KEY", key + "\n")
    else:
        monkeypatch.setenv("CI_MODEL_KEY", "\t" + key + "\r\n")
        args = ["--eval-api-key-env", "CI_MODEL_KEY"]
    suite = hostile_suite(pytester.path / "s.jsonl", ["ok", "answer_key"])
    with HostileServer() as server:
        result = run_hostile(pytester, server.url, suite, *args, "-W", "always")
    assert result.ret == 0, result.stdout.str()
    assert [seen.headers["authorization"] for seen in server.seen] == [f"Bearer {key}"] * 2
    where = {"--eval-api-key": "--eval-api-key", "EVALINDEX_API_KEY": "$EVALINDEX_API_KEY",
             "--eval-api-key-env": "$CI_MODEL_KEY"}[source]
    result.stdout.fnmatch_lines([f"*evalindex: the API key from {where} starts or ends with whitespace (a pasted "
                                 "newline?); it was stripped before use*"])
    assert leaks(pytester.path, result, [key]) == []


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_401_echoing_the_key_stops_the_run_with_the_key_masked(pytester: pytest.Pytester, workers: str) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["echo_key_401"], copies=6)
    with HostileServer() as server:
        result = run_hostile(pytester, server.url, suite, "--eval-api-key", KEY, "-n", workers, "--eval-batch-size", "1")
    assert result.ret == 2, result.stdout.str()
    result.stdout.fnmatch_lines([f"*stopping: HTTP 401 from the model server: Incorrect API key provided: {MASK} "
                                 "(check --eval-api-key or $EVALINDEX_API_KEY)*"])
    # One request per process: after a failure every request would repeat, none is sent.
    assert 1 <= server.count("echo_key_401") <= max(1, int(workers))
    assert leaks(pytester.path, result, [KEY]) == []


@pytest.mark.parametrize("credential", ["api_key", "custom_header", "query"])
def test_a_redirect_to_another_origin_never_carries_a_credential(pytester: pytest.Pytester, credential: str) -> None:
    secret = {"api_key": KEY, "custom_header": HEADER, "query": QUERY}[credential]
    args = {"api_key": ["--eval-api-key", KEY],
            "custom_header": ["--eval-generation-config", json.dumps({"extra_headers": {"X-Acme-Auth": HEADER}})],
            "query": []}[credential]
    suite = hostile_suite(pytester.path / "s.jsonl", ["redirect", "ok"])
    with HostileServer() as other, HostileServer(redirect_to=None) as server:
        server.redirect_to = other.url  # another port: another origin
        url = f"{server.url}?key={QUERY}&api-version=2024-06" if credential == "query" else server.url
        result = run_hostile(pytester, url, suite, *args)
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes()["passed"] == 2  # the redirected request was answered over there
    assert server.count() == 2 and all(secret in seen.text() for seen in server.seen)
    assert other.count() == 1
    moved = other.seen[0]
    assert secret not in moved.text() and "authorization" not in moved.headers
    if credential == "query":
        assert moved.query == {"api-version": "2024-06"}  # what is not a credential still goes along
    assert leaks(pytester.path, result, [secret]) == []


def test_a_redirect_whose_body_holds_a_secret_is_refused(pytester: pytest.Pytester) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["redirect"], copies=3)
    generation = {"extra_body": {"client_secret": BODY}}
    with HostileServer() as other, HostileServer() as server:
        server.redirect_to = other.url
        result = run_hostile(pytester, server.url, suite, "--eval-generation-config", json.dumps(generation),
                             "--eval-batch-size", "1")
    assert result.ret == 2, result.stdout.str()
    result.stdout.fnmatch_lines(["*stopping: the model server redirected to another origin (http://127.0.0.1:*) and "
                                 "the request body holds a credential, so it was not sent; point --eval-api-url at "
                                 "the final server*"])
    assert other.count() == 0 and server.count() == 1  # refused at once, and the run stopped
    assert leaks(pytester.path, result, [BODY]) == []


def test_a_usage_error_never_shows_a_query_credential(pytester: pytest.Pytester) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["ok"])
    result = run_hostile(pytester, f"ftp://models.example/v1?api_key={QUERY}", suite)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--eval-api-url (ini eval_api_url): 'ftp://models.example/v1?api_key={MASK}' is "
                                 "not an http:// or https:// URL with a host*"])
    assert leaks(pytester.path, result, [QUERY]) == []
