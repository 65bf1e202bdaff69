"""Secret masking by key and scrubbing of literal secret values."""

from __future__ import annotations

import pytest

from pytest_evalindex.core.secrets import (
    MASK,
    is_secret_key,
    redact,
    scrub,
    scrub_obj,
    secret_values,
)


@pytest.mark.parametrize("key", [
    "api_key", "API_KEY", "apikey", "ApiKey", "openai_api_key", "access_token", "client_secret", "token", "secret",
    "password", "db_password", "Authorization", "Proxy-Authorization", "x-api-key", "X-API-Key", "Cookie",
    "private-key",
])
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["model", "max_tokens", "input_tokens", "keys", "monkey", "api_url", "tokenizer", 3])
def test_plain_keys(key: object) -> None:
    assert not is_secret_key(key)


def test_redact_masks_at_every_depth_and_copies() -> None:
    settings = {
        "api_key": "sk-1",
        "generation_config": {"extra_headers": {"Authorization": "Bearer t"}, "extra_body": {"x": {"token": 42}},
                              "temperature": 0.5},
        "model_args": {"default_headers": {"X-Api-Key": "k"}},
        "judges": [{"api_key": "sk-2", "name": "j"}],
        "tuple": ("a", {"password": "p"}),
        "unset_key": None,
        "empty_token": "",
    }
    out = redact(settings)
    assert out == {
        "api_key": MASK,
        "generation_config": {"extra_headers": {"Authorization": MASK}, "extra_body": {"x": {"token": MASK}},
                              "temperature": 0.5},
        "model_args": {"default_headers": {"X-Api-Key": MASK}},
        "judges": [{"api_key": MASK, "name": "j"}],
        "tuple": ["a", {"password": MASK}],
        "unset_key": None,
        "empty_token": "",
    }
    assert settings["api_key"] == "sk-1"  # input untouched
    out["judges"][0]["name"] = "changed"
    assert settings["judges"][0]["name"] == "j"  # type: ignore[index]


def test_secret_values_include_bearer_credential() -> None:
    values = secret_values({"headers": {"Authorization": "Bearer abcdef12"}, "api_key": "sk-xyz9",
                            "short_token": "abc", "model": "not-a-secret"})
    assert values == ["Bearer abcdef12", "abcdef12", "sk-xyz9"]


def test_scrub_text() -> None:
    text = "key=sk-abcdef, again sk-abcdef; short abc"
    assert scrub(text, ["sk-abcdef", "abc"]) == f"key={MASK}, again {MASK}; short abc"
    # the longest secret wins when one contains another
    assert scrub("Bearer tok12345", ["tok12345", "Bearer tok12345"]) == MASK
    assert scrub("nothing here", []) == "nothing here"


def test_scrub_obj_deep() -> None:
    obj = {"a": ["x sk-9999 y", {"sk-9999": 1}], "n": 5}
    assert scrub_obj(obj, ["sk-9999"]) == {"a": [f"x {MASK} y", {MASK: 1}], "n": 5}


def test_url_credentials() -> None:
    settings = {"api_url": "https://alice:s3cr3t-pw@proxy.example/v1", "plain": "http://host:8000/v1"}
    assert redact(settings) == {"api_url": f"https://alice:{MASK}@proxy.example/v1", "plain": "http://host:8000/v1"}
    assert secret_values(settings) == ["s3cr3t-pw"]
