"""A tiny stdlib-only OpenAI-compatible chat server, independent of pytest_evalindex.

Integration tests use it to show the plugin works against a server that is not our own mock.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class RequestCounter:
    """Thread-safe count of chat requests, total and per last-user-message text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_prompt: dict[str, int] = {}
        self.bodies: list[dict[str, Any]] = []  # every request body, in arrival order

    def add(self, prompt: str, body: dict[str, Any] | None = None) -> None:
        with self._lock:
            self.total += 1
            self.by_prompt[prompt] = self.by_prompt.get(prompt, 0) + 1
            if body is not None:
                self.bodies.append(body)


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return "\n".join(p.get("text", "") for p in content or [] if p.get("type") == "text")
    return ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 refuses bursts of parallel clients


def _handler(answers: dict[str, str], counter: RequestCounter) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": "not found", "type": "invalid_request_error", "code": None}})
                return
            request = json.loads(body)
            prompt = _last_user_text(request.get("messages", []))
            counter.add(prompt, request)
            answer = answers.get(prompt, "")
            usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(answer.split())}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            self._send(200, {
                "id": f"chatcmpl-plain-{counter.total}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request.get("model", "plain"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": answer}}],
                "usage": usage,
            })

    return Handler


@contextmanager
def serve_plain(answers: dict[str, str]) -> Iterator[tuple[str, RequestCounter]]:
    """Serve `answers` (last user message text → answer) on loopback; yield `(base_url, counter)`."""
    counter = RequestCounter()
    with on_loopback(_handler(answers, counter)) as url:
        yield url, counter


@contextmanager
def on_loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port, one thread per request; yield the ``/v1`` base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
