"""`MockServer`: an OpenAI-compatible chat server on loopback, run by aiohttp in a daemon thread."""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from aiohttp import web

from pytest_evalindex.model.mock.stats import MockStats

from .script import (
    FaultKind,
    MockScript,
    Reply,
    last_user_text,
    message_text,
    parse_script,
    prompt_key,
)

HANG_LIMIT = 60.0
"""Upper bound on a `hang` fault, in seconds; stopping the server releases it sooner."""

_ERRORS: dict[str, tuple[int, str, str | None, str]] = {
    "400": (400, "invalid_request_error", None, "mock fault: bad request"),
    "401": (401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    "404": (404, "invalid_request_error", "model_not_found", "The model does not exist."),
    "429": (429, "requests", "rate_limit_exceeded", "mock fault: rate limit reached, retry later"),
    "500": (500, "server_error", None, "mock fault: internal server error"),
    "502": (502, "server_error", None, "mock fault: bad gateway"),
    "503": (503, "server_error", None, "mock fault: service unavailable"),
}
_WORD_PIECES = re.compile(r"\s*\S+")


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def _words(text: str | None) -> int:
    return len(text.split()) if text else 0


class _Outcome(Exception):
    """Raised inside a request to end it with an error response (recorded under `fault`)."""

    def __init__(self, kind: str, fault: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(kind)
        self.kind, self.fault, self.retry_after = kind, fault, retry_after


class MockServer:
    """Serve a `MockScript` at `http://host:port/v1` until `stop()`; also a context manager."""

    def __init__(self, script: MockScript | Mapping[str, Any], host: str = "127.0.0.1", port: int = 0) -> None:
        self.script = parse_script(script)
        self.host, self.port = host, port
        self._stats = MockStats()
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def stats(self) -> dict[str, Any]:
        """A JSON-plain snapshot of the counters (never contains request headers)."""
        return self._stats.snapshot()

    def reset_stats(self) -> None:
        """Zero every counter, including the per-prompt attempt numbers behind `times`."""
        self._stats.reset()

    # lifecycle -------------------------------------------------------------------------------------
    def start(self) -> MockServer:
        if self._thread is not None:
            raise RuntimeError("MockServer already started")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(ready, failure), name="mock-model", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = self._loop = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            loop.close()
            return
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _startup(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/_mock/stats", self._stats_endpoint)
        app.router.add_post("/_mock/reset", self._reset_endpoint)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.25)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _shutdown(self) -> None:
        assert self._stopping is not None and self._runner is not None
        self._stopping.set()
        await self._runner.cleanup()

    # endpoints -------------------------------------------------------------------------------------
    async def _models(self, request: web.Request) -> web.Response:
        names = self.script.models or [self.script.model]
        data = [{"id": n, "object": "model", "created": 0, "owned_by": "pytest-evalindex"} for n in names]
        return web.json_response({"object": "list", "data": data})

    async def _stats_endpoint(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _reset_endpoint(self, request: web.Request) -> web.Response:
        self.reset_stats()
        return web.json_response({"ok": True})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        arrival = self._stats.enter()
        key: str | None = None
        fault: FaultKind | None = None
        try:
            self._check_auth(request)
            body = await self._read_body(request)
            messages = body["messages"]
            key = prompt_key(messages)
            attempt = self._stats.attempt(key)
            if not self.script.accepts_model(body.get("model")):
                raise _Outcome("404")
            reply = self.script.match(last_user_text(messages))
            if reply.cycle:
                reply = reply.model_copy(update={"answer": reply.answer_for(attempt)})
            fault = reply.active_fault(attempt) or self.script.faults.pick(key, attempt)
            latency = reply.latency if reply.latency is not None else self.script.latency
            if latency > 0:
                await asyncio.sleep(latency)
            if fault in _ERRORS:
                raise _Outcome(fault, fault, reply.retry_after)
            if fault == "reset":
                return self._reset(request, key)
            if fault == "hang":
                await self._hang()
                raise _Outcome("503", "hang")
            model = str(body.get("model") or self.script.model)
            usage = sum(_words(message_text(m.get("content"))) for m in messages if isinstance(m, Mapping))
            content, _ = self._content(reply, fault, self.script.default)
            self._stats.tokens(arrival, usage + _words(content) + _words(reply.reasoning))
            if body.get("stream"):
                options = body.get("stream_options")
                include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
                return await self._stream(request, key, model, reply, fault, usage, include_usage)
            return self._complete(key, model, reply, fault, usage)
        except _Outcome as out:
            return self._error(out, key)
        except asyncio.CancelledError:  # the client went away (handler_cancellation) or the server stops
            self._stats.leave("cancelled", fault, key)
            raise
        except Exception:  # e.g. a write to a dropped connection; keep in_flight honest
            self._stats.leave("error", fault, key)
            raise

    # request steps -------------------------------------------------------------------------------
    def _check_auth(self, request: web.Request) -> None:
        if self.script.api_key is None:
            return
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.script.api_key}".encode()):
            raise _Outcome("401")

    async def _read_body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise _Outcome("400") from None
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            raise _Outcome("400")
        return body

    async def _hang(self) -> None:
        assert self._stopping is not None
        try:
            await asyncio.wait_for(self._stopping.wait(), HANG_LIMIT)
        except TimeoutError:
            pass

    def _error(self, out: _Outcome, key: str | None) -> web.Response:
        status, etype, code, message = _ERRORS[out.kind]
        headers: dict[str, str] = {}
        if status == 429:
            wait = out.retry_after if out.retry_after is not None else self.script.retry_after
            headers = {"Retry-After": f"{wait:g}", "retry-after-ms": str(round(wait * 1000))}
        self._stats.leave(str(status), out.fault, key)
        body = {"error": {"message": message, "type": etype, "param": None, "code": code}}
        return web.Response(body=_dumps(body), status=status, headers=headers, content_type="application/json")

    def _reset(self, request: web.Request, key: str, fault: str = "reset", status: str = "reset") -> web.Response:
        transport = request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:  # SO_LINGER 0: close with RST, not FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        self._stats.leave(status, fault, key)
        return web.Response(status=500)  # never reaches the client

    @staticmethod
    def _content(reply: Reply, fault: FaultKind | None, default: str) -> tuple[str | None, str]:
        answer = reply.answer if reply.answer is not None else default
        if fault == "empty":
            return "", "stop"
        if fault == "length":
            words = answer.split()
            return " ".join(words[: len(words) // 2]), "length"
        if fault == "content_filter":
            return None, "content_filter"
        return answer, reply.finish_reason

    def _envelope(self, model: str, obj: str) -> dict[str, Any]:
        return {"id": f"chatcmpl-mock-{next(self._ids):08x}", "object": obj, "created": int(time.time()), "model": model}

    @staticmethod
    def _usage(prompt_tokens: int, content: str | None, reasoning: str | None) -> dict[str, Any]:
        completion = _words(content) + _words(reasoning)
        return {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion,
            "completion_tokens_details": {"reasoning_tokens": _words(reasoning)},
        }

    def _complete(
        self, key: str, model: str, reply: Reply, fault: FaultKind | None, prompt_tokens: int
    ) -> web.Response:
        content, finish = self._content(reply, fault, self.script.default)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reply.reasoning is not None:
            message["reasoning_content"] = reply.reasoning
        choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
        body = self._envelope(model, "chat.completion")
        body["choices"] = None if fault == "null_choices" else [choice]
        body["usage"] = self._usage(prompt_tokens, content, reply.reasoning)
        raw = _dumps(body)
        if fault == "truncated":
            raw = raw[: len(raw) // 2]
        answered = fault not in ("truncated", "null_choices") and bool(content)
        self._stats.leave("200", fault, key, answered)
        return web.Response(body=raw, content_type="application/json")

    async def _stream(
        self,
        request: web.Request,
        key: str,
        model: str,
        reply: Reply,
        fault: FaultKind | None,
        prompt_tokens: int,
        include_usage: bool,
    ) -> web.StreamResponse:
        content, finish = self._content(reply, fault, self.script.default)
        head = self._envelope(model, "chat.completion.chunk")
        if include_usage:
            head["usage"] = None

        def chunk(delta: dict[str, Any] | None, finish_reason: str | None = None) -> bytes:
            choices = None if delta is None else [
                {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
            ]
            return b"data: " + _dumps({**head, "choices": choices}) + b"\n\n"

        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        if fault == "null_choices":
            await response.write(chunk(None) + b"data: [DONE]\n\n")
            await response.write_eof()
            self._stats.leave("200", fault, key)
            return response
        parts = [chunk({"role": "assistant", "content": ""})]
        parts += [chunk({"reasoning_content": p}) for p in _WORD_PIECES.findall(reply.reasoning or "")]
        parts += [chunk({"content": p}) for p in _WORD_PIECES.findall(content or "")]
        if fault == "truncated":  # half the stream, then the connection drops
            await response.write(b"".join(parts[: max(1, len(parts) // 2)]))
            return self._reset(request, key, "truncated", "200")
        parts.append(chunk({}, finish))
        if include_usage:
            usage = {**head, "choices": [], "usage": self._usage(prompt_tokens, content, reply.reasoning)}
            parts.append(b"data: " + _dumps(usage) + b"\n\n")
        parts.append(b"data: [DONE]\n\n")
        await response.write(b"".join(parts))
        await response.write_eof()
        self._stats.leave("200", fault, key, answered=bool(content))
        return response
