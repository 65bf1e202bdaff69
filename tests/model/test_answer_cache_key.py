"""What identifies a cached answer: the model, the generation config and the messages; never the API key or URL."""

from __future__ import annotations

import json

import pytest
from helpers_runs import MODEL, run_plugin

from conftest import SEED_SCRIPT, SEED_SUITE
from pytest_evalindex.core.hashing import request_fingerprint
from pytest_evalindex.model.mock import MockServer

URL = "http://127.0.0.1:8000/v1"
MESSAGES = [{"role": "user", "content": "2+2?"}]
CONFIG = {"temperature": 0.0}


def test_the_key_changes_with_model_config_messages_and_repeat() -> None:
    base = request_fingerprint(MODEL, URL, MESSAGES, None, CONFIG)
    assert request_fingerprint(MODEL, URL, [dict(m) for m in MESSAGES], None, dict(CONFIG)) == base
    variants = [
        request_fingerprint("other-model", URL, MESSAGES, None, CONFIG),
        request_fingerprint(MODEL, URL, MESSAGES, None, {"temperature": 0.7}),
        request_fingerprint(MODEL, URL, MESSAGES, None, {**CONFIG, "max_tokens": 5}),
        request_fingerprint(MODEL, URL, [{"role": "user", "content": "2+3?"}], None, CONFIG),
        request_fingerprint(MODEL, URL, [{"role": "system", "content": "x"}, *MESSAGES], None, CONFIG),
        request_fingerprint(MODEL, URL, MESSAGES, None, CONFIG, repeat=1),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_local_settings_do_not_change_the_key() -> None:
    """Timeouts, retries and the URL decide how an answer is fetched, not what it is."""
    base = request_fingerprint(MODEL, URL, MESSAGES, None, CONFIG)
    assert request_fingerprint(MODEL, URL, MESSAGES, None, {**CONFIG, "timeout": 9, "retries": 3}) == base
    # The URL says where the model is served, not which model answers (README "The answer cache").
    for url in ("http://localhost:8000/v1", "http://127.0.0.1:8000/v1/", "https://lb.example.com/v1"):
        assert request_fingerprint(MODEL, url, MESSAGES, None, CONFIG) == base


def test_a_new_api_key_reuses_every_cached_answer(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(pytester.path / "cache")
    script = json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))
    with MockServer(script) as server:
        monkeypatch.setenv("EVALINDEX_API_KEY", "key-one")
        first = run_plugin(pytester, server.url, "--eval-use-cache", cache, suite=SEED_SUITE)
        assert first.ret == 0 and server.stats()["requests"] == 10
        server.reset_stats()
        monkeypatch.setenv("EVALINDEX_API_KEY", "key-two")
        second = run_plugin(pytester, server.url, "--eval-use-cache", cache, suite=SEED_SUITE)
        assert second.ret == 0 and server.stats()["requests"] == 0
        server.reset_stats()
        third = run_plugin(pytester, server.url, "--eval-use-cache", cache, "--eval-generation-config",
                           '{"temperature": 0.5}', suite=SEED_SUITE)
        assert third.ret == 0 and server.stats()["requests"] == 10
