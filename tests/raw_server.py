"""A loopback OpenAI-compatible server that misbehaves on purpose, and helpers for the hardening tests.

The server answers each request with raw bytes chosen by the test (so a response can hold a lone
surrogate escape or control characters the mock would never send) and counts requests per prompt.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from plain_openai_server import on_loopback

Responder = Callable[[str], tuple[int, bytes]]
"""Last user message text → (HTTP status, raw response body)."""


def chat_body(content_literal: str) -> bytes:
    """A chat completion whose ``message.content`` is the raw JSON literal ``content_literal`` (not re-encoded)."""
    return ('{"id":"x","object":"chat.completion","created":0,"model":"hostile","choices":[{"index":0,'
            '"finish_reason":"stop","message":{"role":"assistant","content":' + content_literal + '}}],'
            '"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}').encode("utf-8")


def error_body(message_literal: str) -> bytes:
    """An OpenAI error body whose message is the raw JSON literal ``message_literal``."""
    return ('{"error":{"message":' + message_literal + ',"type":"server_error","code":null}}').encode("utf-8")


def answer(text: str) -> tuple[int, bytes]:
    return 200, chat_body(json.dumps(text))


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_prompt: dict[str, int] = {}

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.by_prompt.values())

    def add(self, prompt: str) -> None:
        with self.lock:
            self.by_prompt[prompt] = self.by_prompt.get(prompt, 0) + 1


    request_queue_size = 128


@contextmanager
def serve(responder: Responder) -> Iterator[tuple[str, Counter]]:
    """Serve ``responder`` on loopback; yield ``(base_url, counter)``."""
    counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            messages = request.get("messages") or [{}]
            content = messages[-1].get("content", "")
            prompt = content if isinstance(content, str) else "".join(p.get("text", "") for p in content)
            counter.add(prompt)
            status, body = responder(prompt)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with on_loopback(Handler) as url:
        yield url, counter


def mcq_line(index: int, *, prompt: str | None = None, target: str = "A", subset: str = "s",
             **extra: Any) -> dict[str, Any]:
    """An EvalScope ``DatasetEntry`` line of the ``arc`` benchmark (prompt ``Q<index>`` unless given)."""
    line: dict[str, Any] = {
        "index": index,
        "prompt": {"input": [{"role": "user", "content": prompt or f"Q{index}"}],
                   "choices": ["one", "two", "three", "four"], "target": target},
        "tags": ["en"], "categories": ["hard"], "task_type": "reasoning", "weight": 1.0,
        "dataset_name": "arc", "subset_name": subset,
    }
    line.update(extra)
    return line


def write_suite(path: Path, lines: Sequence[dict[str, Any] | str]) -> Path:
    """Write JSONL lines (dicts are dumped; strings are written as they are, for raw escapes)."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _no_constants(name: str) -> Any:
    raise AssertionError(f"{name} is not strict JSON")


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate (even as an escape) raises here
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
    elif isinstance(value, float):
        assert math.isfinite(value)


def strict_load(raw: bytes) -> Any:
    """Parse strict JSON: UTF-8, no NaN/Infinity, no lone surrogate escape."""
    value = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    _check_strings(value)
    return value


def assert_run_folder_strict(run_dir: Path) -> dict[str, Any]:
    """Every JSON and JSONL file of a run folder is strict JSON; return ``evalindex_report.json``."""
    checked = 0
    for path in run_dir.rglob("*.json"):
        strict_load(path.read_bytes())
        checked += 1
    for path in run_dir.rglob("*.jsonl"):
        for raw in path.read_bytes().splitlines():
            strict_load(raw)
        checked += 1
    assert checked >= 5, f"only {checked} JSON files in {run_dir}"
    return strict_load(next(run_dir.glob("reports/*/evalindex_report.json")).read_bytes())  # type: ignore[no-any-return]


def run_limited(cwd: Path, args: Sequence[str], *, max_file_bytes: int) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` with RLIMIT_FSIZE: any file it writes stops growing at ``max_file_bytes``,
    and writes beyond fail with EFBIG, the way writes fail on a disk that fills up (Python ignores SIGXFSZ)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    # No bytecode written: a module first imported under the limit would leave a truncated .pyc in the source tree
    # (a short write is no error to CPython's cache writer), and every later import of it fails.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          preexec_fn=limit, capture_output=True, text=True, timeout=300)


def can_mount_tmpfs() -> bool:
    """Whether this machine lets us mount a private tmpfs (root with CAP_SYS_ADMIN: a real full or read-only disk)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=8k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def run_on_tmpfs(cwd: Path, mountpoint: Path, options: str, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` in a private mount namespace where ``mountpoint`` is a tmpfs mounted with
    ``options`` (``size=8k`` fills up; ``ro`` is read-only)."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    command = " ".join(["exec", sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *(_quote(a) for a in args)])
    script = f"mount -t tmpfs -o {options} tmpfs {_quote(str(mountpoint))} && {command}"
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
