"""Answers as servers really send them: content parts, 200s that are errors, streams cut short."""

from __future__ import annotations

import json

import pytest
from hardening.hostile_runs import MODEL, error_lines, hostile_suite, run_hostile
from hardening.hostile_server import ERROR_200, HTML_TITLE, HostileServer


def _predictions(pytester: pytest.Pytester) -> dict[str, dict[str, object]]:
    found = {}
    for path in (pytester.path / "outputs").rglob(f"predictions/{MODEL}/*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            prompt = data["messages"][0]["content"]
            text = prompt if isinstance(prompt, str) else prompt[0]["text"]
            found[text.split()[0].removeprefix("case=")] = data["model_output"]["choices"][0]["message"]
    return found


def test_content_parts_are_an_answer_and_200_errors_keep_the_servers_reason(pytester: pytest.Pytester) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["parts", "html_200", "error_200", "ok"])
    with HostileServer() as server:
        result = run_hostile(pytester, server.url, suite, "--eval-max-retries", "1")
    assert result.ret == 1, result.stdout.str()
    assert sorted(error_lines(result)) == [
        f"the model server answered HTTP 200 with an HTML page ({HTML_TITLE}) (after 2 attempts)",
        f"the model server answered HTTP 200 with an error: {ERROR_200} — server_error — 503 (after 2 attempts)"]
    assert server.count("html_200") == 2 and server.count("error_200") == 2
    assert server.count("parts") == 1 and result.parseoutcomes()["passed"] == 2
    answers = _predictions(pytester)
    assert set(answers) == {"parts", "ok"}
    parts = answers["parts"]["content"]
    assert isinstance(parts, list)  # EvalScope's shape: the reasoning part is kept beside the text
    assert [(p["type"], p.get("text", p.get("reasoning"))) for p in parts] == [
        ("reasoning", "thinking it over"), ("text", "B")]


def test_a_stream_cut_without_finish_reason_is_an_error_not_an_answer(pytester: pytest.Pytester) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["cut_stream", "ok"])
    generation = json.dumps({"temperature": 0.0, "stream": True})
    with HostileServer() as server:
        result = run_hostile(pytester, server.url, suite, "--eval-max-retries", "1", "--eval-generation-config",
                             generation)
    assert result.ret == 1, result.stdout.str()
    assert error_lines(result) == ["the streamed answer was cut off: the stream ended after 2 chunks without a "
                                   "finish_reason (after 2 attempts)"]
    assert server.count("cut_stream") == 2 and server.count("ok") == 1
    assert set(_predictions(pytester)) == {"ok"}  # the partial text "ANSWER: " was never scored
