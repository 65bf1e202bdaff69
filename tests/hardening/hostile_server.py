"""A misbehaving OpenAI-compatible server on loopback (aiohttp in a daemon thread), for the hardening tests.

Each request's last user message names its behaviour: ``case=<name>`` (e.g. ``case=trickle #3``). The
server records every request it receives (port, path, query, headers, body) so tests can count requests
and check that no credential reached a place it must not.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ANSWER = "B"
HTML_TITLE = "502 Bad Gateway (upstream shard-7 is down)"
ERROR_200 = "model overloaded: shard 7 is draining, try later"
_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB of zeros (made once per process)."""
    global _BOMB
    if _BOMB is None:
        # Deflating 1 GiB costs seconds of CPU; after a full flush the compressor starts afresh, so every further
        # MiB of zeros deflates to the same bytes: deflate two, repeat the second. A valid gzip member all the same
        # (header, raw deflate, CRC-32 and length of the whole GiB).
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        block = bytes(1 << 20)
        first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        crc = 0
        for _ in range(1024):
            crc = zlib.crc32(block, crc)
        _BOMB = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + first + again * 1023 + compressor.flush()
                 + struct.pack("<II", crc, (1 << 30) & 0xFFFFFFFF))
    return _BOMB


@dataclass
class Seen:
    """One request as the server received it."""

    port: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    case: str

    def text(self) -> str:
        """Everything the client sent, as one string (to search for a secret)."""
        return json.dumps([self.path, self.query, self.headers, self.body])


@dataclass
class HostileServer:
    """Serve hostile behaviours at ``http://127.0.0.1:<port>/v1``; ``redirect_to`` names the other origin."""

    redirect_to: str | None = None
    rate_limit_times: int = 2
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def count(self, case: str | None = None) -> int:
        with self._lock:
            return sum(1 for s in self.seen if case is None or s.case == case)

    def __enter__(self) -> HostileServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application(client_max_size=16 << 20)
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        loop, runner = self._loop, self._runner
        if loop is not None and runner is not None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    # -- behaviours -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        prompt = _last_user(body.get("messages") or [])
        case = prompt.split("case=", 1)[1].split()[0] if "case=" in prompt else "ok"
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self.seen.append(Seen(self.port, request.path, dict(request.query), headers,
                                  raw.decode("utf-8", "replace"), case))
            tries = sum(1 for s in self.seen if s.case == case and _last_user_of(s) == prompt)
        key = headers.get("authorization", "").removeprefix("Bearer ")
        handler: Callable[..., Any] = getattr(self, f"_case_{case}", self._case_ok)
        result: web.StreamResponse = await handler(request, body, key=key, tries=tries, headers=headers)
        return result

    async def _case_ok(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        return await _answer(request, body, ANSWER)

    async def _case_parts(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        content = [{"type": "text", "text": ANSWER[:1]}, {"type": "reasoning", "reasoning": "thinking it over"},
                   {"type": "text", "text": ANSWER[1:]}]
        return await _answer(request, body, content)

    async def _case_answer_key(self, request: web.Request, body: dict[str, Any], key: str, headers: dict[str, str],
                               **_: Any) -> web.StreamResponse:
        echoed = " ".join(v for k, v in headers.items() if k.lower() not in ("host", "content-length"))
        return await _answer(request, body, f"{ANSWER} (your credentials: {key} | {echoed} | {request.query_string})")

    async def _case_echo_key_401(self, request: web.Request, body: dict[str, Any], key: str,
                                 **_: Any) -> web.StreamResponse:
        return _json(401, {"error": {"message": f"Incorrect API key provided: {key}", "type": "invalid_request_error",
                                     "code": "invalid_api_key"}})

    async def _case_echo_key_500(self, request: web.Request, body: dict[str, Any], key: str,
                                 headers: dict[str, str], **_: Any) -> web.StreamResponse:
        return _json(500, {"error": {"message": f"upstream rejected key {key} with headers {headers} "
                                                f"and query {request.query_string}", "type": "server_error"}})

    async def _case_trickle(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        """A valid answer, one byte every half second (about a minute in all)."""
        payload = json.dumps(_completion(body, ANSWER)).encode() + b" " * 40
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = len(payload)
        await response.prepare(request)
        for index in range(len(payload)):
            await response.write(payload[index:index + 1])
            await asyncio.sleep(0.5)
        await response.write_eof()
        return response

    async def _case_trickle_stream(self, request: web.Request, body: dict[str, Any],
                                   **_: Any) -> web.StreamResponse:
        """A stream that sends one short chunk every half second (about a minute in all)."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for _chunk in range(120):
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "m"),
                     "choices": [{"index": 0, "delta": {"content": "."}, "finish_reason": None}]}
            await response.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            await asyncio.sleep(0.5)
        await response.write_eof()
        return response

    async def _case_retry_after_huge(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        return _json(429, {"error": {"message": "slow down", "type": "requests"}}, {"Retry-After": "1000000000"})

    async def _case_retry_after_small(self, request: web.Request, body: dict[str, Any], tries: int,
                                      **_: Any) -> web.StreamResponse:
        if tries <= self.rate_limit_times:
            return _json(429, {"error": {"message": "slow down", "type": "requests"}}, {"Retry-After": "0.05"})
        return await _answer(request, body, ANSWER)

    async def _case_gzip_bomb(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        return web.Response(body=gzip_bomb(), headers={"Content-Type": "application/json",
                                                       "Content-Encoding": "gzip"})

    async def _case_gzip_ok(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        raw = json.dumps(_completion(body, ANSWER)).encode()
        return web.Response(body=gzip.compress(raw), headers={"Content-Type": "application/json",
                                                              "Content-Encoding": "gzip"})

    async def _case_endless(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        """A JSON body that never ends: whitespace, as fast as the client reads it (stops after 64 MiB)."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"choices": [')
        chunk = b" " * (1 << 20)
        try:
            for _chunk in range(64):
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            return response
        await response.write_eof()
        return response

    async def _case_redirect(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        if self.redirect_to is None:  # the redirect's target answers
            return await _answer(request, body, ANSWER)
        location = self.redirect_to.rstrip("/") + request.path.removeprefix("/v1")
        if request.query_string:
            location += "?" + request.query_string
        raise web.HTTPTemporaryRedirect(location)

    async def _case_html_200(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        page = f"<!DOCTYPE html><html><head><title>{HTML_TITLE}</title></head><body><h1>Oops</h1></body></html>"
        return web.Response(text=page, content_type="text/html")

    async def _case_error_200(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        return _json(200, {"error": {"message": ERROR_200, "type": "server_error", "code": 503}})

    async def _case_cut_stream(self, request: web.Request, body: dict[str, Any], **_: Any) -> web.StreamResponse:
        """Two content chunks, then the stream ends: no finish_reason, no ``[DONE]``."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in ("ANSWER", ": "):
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "m"),
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            await response.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        await response.write_eof()
        return response


def _last_user(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content)
    return ""


def _last_user_of(seen: Seen) -> str:
    try:
        return _last_user(json.loads(seen.body or "{}").get("messages") or [])
    except ValueError:
        return ""


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(payload), content_type="application/json",
                        headers=headers or {})


def _completion(body: dict[str, Any], content: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-hostile", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "m"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}


async def _answer(request: web.Request, body: dict[str, Any], content: Any) -> web.StreamResponse:
    if not body.get("stream"):
        return _json(200, _completion(body, content))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    text = content if isinstance(content, str) else "".join(p.get("text", "") for p in content)
    for delta, finish in (({"role": "assistant", "content": text}, None), ({}, "stop")):
        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "m"),
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        await response.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response
