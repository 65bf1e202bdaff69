"""The registry of secret values: what it learns from settings and URLs, and how it scrubs."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest

from pytest_evalindex.core.secrets import ENV_VAR, MASK, SecretRegistry, redact, url_secrets


@pytest.mark.parametrize(("url", "expected"), [
    ("https://api.example/v1?api-key=AZ-5ecret&api-version=2024-06", ["AZ-5ecret"]),
    ("https://api.example/v1?key=GOOG-5ecret&sig=SIG-5ecret&alt=json", ["GOOG-5ecret", "SIG-5ecret"]),
    ("https://user:PW-5ecret@api.example/v1", ["PW-5ecret"]),
    ("https://TOKEN-5ecret@api.example/v1", ["TOKEN-5ecret"]),
    ("http://localhost:8000/v1", []),
])
def test_url_credentials_are_found_and_nothing_else(url: str, expected: list[str]) -> None:
    assert sorted(url_secrets(url)) == expected


def test_every_encoding_of_a_value_is_scrubbed() -> None:
    registry = SecretRegistry()
    secret = 'sk-"quoted"/ü+key'
    registry.add(secret)
    texts = [secret, json.dumps(secret), json.dumps(secret, ensure_ascii=False), quote(secret, safe=""),
             f"prefix {json.dumps({'k': secret})} suffix"]
    for text in texts:
        assert "quoted" not in registry.scrub(text), text
        assert MASK in registry.scrub(text)


def test_bearer_values_whitespace_and_short_values() -> None:
    registry = SecretRegistry()
    registry.add("Bearer tok-5ecret-77", "  pasted-5ecret\n", "abc", None, "")
    assert registry.scrub("auth tok-5ecret-77 and pasted-5ecret") == f"auth {MASK} and {MASK}"
    assert registry.scrub("abc stays") == "abc stays"  # too short to scrub without mangling text


def test_settings_fill_it_custom_header_names_included() -> None:
    registry = SecretRegistry()
    registry.add_from({"extra_headers": {"X-Acme-Auth": "acme-5ecret", "X-Trace": "trace-value-1"},
                       "extra_body": {"client_secret": "body-5ecret", "top_k": 5, "nested": {"token": "tok-5ecret"}},
                       "temperature": 0.0})
    assert registry.values() == sorted(["acme-5ecret", "trace-value-1", "body-5ecret", "tok-5ecret"])


def test_redact_masks_every_header_value_and_url_query_credentials() -> None:
    out = redact({"extra_headers": {"X-Acme-Auth": "acme-5ecret", "Accept": "json"},
                  "api_url": "https://h/v1?api-key=AZ-5ecret&api-version=2024"})
    assert out == {"extra_headers": {"X-Acme-Auth": MASK, "Accept": MASK},
                   "api_url": f"https://h/v1?api-key={MASK}&api-version=2024"}


def test_values_reach_child_processes_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    parent, child = SecretRegistry(), SecretRegistry()
    parent.add("parent-5ecret")
    parent.export()
    child.import_env()
    assert child.values() == ["parent-5ecret"]
    monkeypatch.setenv(ENV_VAR, "not json")
    SecretRegistry().import_env()  # a damaged variable is ignored, never fatal


def test_withdraw_puts_the_variable_back_as_it_was_before_the_first_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    registry = SecretRegistry()
    registry.add("first-5ecret")
    registry.export()
    registry.add("judge-5ecret")
    registry.export()  # the judge's secrets join later in the same run
    registry.withdraw()
    assert ENV_VAR not in os.environ
    registry.withdraw()  # nothing exported any more: nothing to do
    monkeypatch.setenv(ENV_VAR, '["outer-5ecret"]')  # a run inside a run: the outer one's values stay
    registry.export()
    registry.withdraw()
    assert os.environ[ENV_VAR] == '["outer-5ecret"]'


def test_scrub_obj_reaches_keys_and_nested_values() -> None:
    registry = SecretRegistry()
    assert registry.scrub_obj({"a": "sk-5ecret-1"}) == {"a": "sk-5ecret-1"}  # nothing registered: unchanged
    registry.add("sk-5ecret-1")
    assert registry.scrub_obj({"sk-5ecret-1": ["x sk-5ecret-1", {"y": "sk-5ecret-1"}], "n": 3}) == {
        MASK: [f"x {MASK}", {"y": MASK}], "n": 3}
