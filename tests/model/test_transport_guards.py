"""The HTTP guards under the openai client, the Retry-After rules and the answer shapes, one function at a time."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx2
import openai
import pytest

from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.openai_chat import _body_reason, content_text
from pytest_evalindex.model.retry import AdaptiveLimit, _retry_after, with_retries
from pytest_evalindex.model.transport import (
    CredentialsToOtherOrigin,
    UnreadableBody,
    _limited_stream_type,
    origin_guard,
    split_query,
)

PAYLOAD = b'{"choices": [{"message": {"content": "B"}}]}' * 50


async def _chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def _read(data: bytes, encoding: str, limit: int = 1 << 20) -> bytes:
    async def run() -> bytes:
        stream = _limited_stream_type()(_chunks(data), encoding, limit)
        return b"".join([piece async for piece in stream])
    return asyncio.run(run())


@pytest.mark.parametrize(("encoding", "encode"), [
    ("", lambda b: b), ("identity", lambda b: b), ("gzip", gzip.compress), ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
])
def test_bodies_are_decoded_exactly(encoding: str, encode: Any) -> None:
    assert _read(encode(PAYLOAD), encoding) == PAYLOAD


def test_a_bomb_stops_at_the_limit_without_inflating() -> None:
    bomb = gzip.compress(bytes(64 << 20), 9)  # 64 MiB of zeros in ~64 KB
    with pytest.raises(UnreadableBody, match=r"exceeded 1 MiB once decompressed"):
        _read(bomb, "gzip", limit=1 << 20)


@pytest.mark.parametrize(("encoding", "data", "message"), [
    ("br", b"\x8b\x02\x80", r"Content-Encoding 'br', which cannot be read in bounded memory"),
    ("gzip", b"\x1f\x8bnot gzip at all", r"does not decompress"),
])
def test_bodies_that_cannot_be_bounded_are_refused(encoding: str, data: bytes, message: str) -> None:
    with pytest.raises(UnreadableBody, match=message):
        _read(data, encoding)


@pytest.mark.parametrize(("url", "base", "query"), [
    ("https://h/v1?api-key=K&api-version=2024", "https://h/v1", {"api-key": "K", "api-version": "2024"}),
    ("http://localhost:8000/v1", "http://localhost:8000/v1", {}),
])
def test_the_query_leaves_the_base_url(url: str, base: str, query: dict[str, str]) -> None:
    assert split_query(url) == (base, query)


def _guarded(url: str, **kwargs: Any) -> httpx2.Request:
    request = httpx2.Request("POST", url, **kwargs)
    guard = origin_guard("http://127.0.0.1:8000/v1", lambda: ["hdr-5ecret", "body-5ecret"])

    async def run() -> None:
        await guard(request)

    asyncio.run(run())
    return request


def test_the_home_origin_keeps_its_credentials() -> None:
    request = _guarded("http://127.0.0.1:8000/v1/chat/completions?key=q-5ecret",
                       headers={"Authorization": "Bearer k", "X-Acme": "hdr-5ecret"})
    assert request.headers["Authorization"] == "Bearer k" and request.headers["X-Acme"] == "hdr-5ecret"
    assert request.url.params["key"] == "q-5ecret"


@pytest.mark.parametrize("target", ["http://127.0.0.1:9000/v1/chat/completions", "https://elsewhere.example/v1"])
def test_another_origin_gets_no_credential(target: str) -> None:
    request = _guarded(f"{target}?key=q-5ecret&api-version=1", json={"model": "m"},
                       headers={"Authorization": "Bearer k", "X-Acme": "x hdr-5ecret", "X-Trace": "t1"})
    assert "Authorization" not in request.headers and "X-Acme" not in request.headers
    assert request.headers["X-Trace"] == "t1" and dict(request.url.params) == {"api-version": "1"}


def test_another_origin_never_gets_a_body_holding_a_secret() -> None:
    with pytest.raises(CredentialsToOtherOrigin, match=r"redirected to another origin \(http://127.0.0.1:9000\)"):
        _guarded("http://127.0.0.1:9000/v1", json={"client_secret": "body-5ecret"})


def _rate_limited(headers: dict[str, str]) -> openai.RateLimitError:
    response = httpx2.Response(429, headers=headers, request=httpx2.Request("POST", "http://h/v1"))
    return openai.RateLimitError("slow down", response=response, body=None)


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"retry-after": "2"}, 2.0), ({"retry-after-ms": "250"}, 0.25), ({"retry-after": "soon"}, None),
    ({"retry-after": "-5"}, 0.0), ({}, None),
])
def test_retry_after_is_read(headers: dict[str, str], seconds: float | None) -> None:
    assert _retry_after(_rate_limited(headers)) == seconds


def test_retry_after_as_an_http_date() -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    asked = _retry_after(_rate_limited({"retry-after": when}))
    assert asked is not None and 20 < asked <= 31


def test_a_retry_after_beyond_the_cap_fails_at_once_without_waiting() -> None:
    sleeps: list[float] = []
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        raise _rate_limited({"retry-after": "1000000000"})

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def run() -> str:
        return await with_retries(attempt, AdaptiveLimit(2), 3, sleep=sleep)

    with pytest.raises(ModelCallError, match=r"asked to retry after 1000000000 s, more than the 60 s"):
        asyncio.run(run())
    assert attempts == 1 and sleeps == []


def test_rate_limit_waits_are_counted_and_bounded() -> None:
    waits: list[float] = []

    async def attempt() -> str:
        raise _rate_limited({"retry-after": "50"})

    async def sleep(seconds: float) -> None:
        pass

    async def run() -> str:
        return await with_retries(attempt, AdaptiveLimit(2), 3, sleep=sleep, on_rate_limit=waits.append)

    with pytest.raises(ModelCallError, match=r"after 6 rate-limit waits \(300.0 s\)"):
        asyncio.run(run())
    assert waits == [50.0] * 6  # the 300 s budget per request is spent, not 30 waits of 50 s


@pytest.mark.parametrize(("content", "expected"), [
    ("plain", ("plain", None)),
    (None, ("", None)),
    ([{"type": "text", "text": "A"}, {"type": "text", "text": "B"}], ("AB", None)),
    ([{"type": "thinking", "thinking": "hmm"}, {"type": "output_text", "text": "B"}, "!"], ("B!", "hmm")),
])
def test_content_parts_become_one_answer(content: Any, expected: tuple[str, str | None]) -> None:
    assert content_text(content) == expected


@pytest.mark.parametrize(("body", "expected"), [
    ("<html><head><title>\n 504 Gateway Time-out </title></head></html>", "an HTML page (504 Gateway Time-out)"),
    ("upstream connect error or disconnect/reset before headers", "a body that is not a chat completion "
                                                                 "(upstream connect error or disconnect/reset before headers)"),
])
def test_a_200_that_is_not_a_completion_is_described(body: str, expected: str) -> None:
    assert _body_reason(body) == expected
