"""One chat-completion call through the official ``openai`` client, and what comes back.

Maps EvalScope-style generation settings onto the SDK's ``create()`` parameters (unknown ones go to
``extra_body``, as EvalScope does), splits paired ``<think>`` blocks and ``reasoning_content`` from
the answer text, and turns every failure into a one-line :class:`ModelCallError`.
"""

from __future__ import annotations

import inspect
import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_evalindex.core.secrets import REGISTRY
from pytest_evalindex.model.api import Completion, EmptyAnswer, ModelCallError
from pytest_evalindex.model.transport import (
    ACCEPT_ENCODING,
    CredentialsToOtherOrigin,
    UnreadableBody,
    body_limit,
    origin_guard,
    split_query,
)

if TYPE_CHECKING:  # the SDK is imported on first use: it costs ~0.7 s, and cached runs never need it
    import openai
    from openai import AsyncOpenAI

THINK_RE = re.compile(r"<think(?:\s+[^>]*)?>(.*?)</think>", re.DOTALL)

# EvalScope generation_config keys that are ours to interpret, not request parameters.
_LOCAL_KEYS = {"timeout", "retries", "retry_interval", "batch_size", "do_sample", "n", "reasoning_history"}
_RENAMED = {"stop_seqs": "stop", "response_schema": "response_format"}


def make_client(base_url: str, api_key: str | None, *, timeout: float, max_retries: int,
                max_connections: int) -> AsyncOpenAI:
    """One ``AsyncOpenAI`` client (aiohttp transport when available) with a pool of at least K.

    A query string in ``base_url`` (``?api-key=…``) is sent with every request; credentials never
    follow a redirect to another origin, and response bodies are bounded (transport.py).
    """
    import openai
    from openai import AsyncOpenAI

    REGISTRY.add(api_key)
    # The engine bounds each request by the wall clock (``timeout``); the transport's own per-read limit
    # sits a little above it, so a stalled request always ends with the engine's one message.
    timeout = timeout + 1.0
    base, query = split_query(base_url)
    hooks = {"request": [origin_guard(base, REGISTRY.values)], "response": [body_limit()]}
    http_client: Any = None
    try:
        from openai._constants import DEFAULT_CONNECTION_LIMITS

        limits = type(DEFAULT_CONNECTION_LIMITS)(
            max_connections=max(max_connections * 2, 100),
            max_keepalive_connections=max(max_connections * 2, 100),
        )
        try:
            http_client = openai.DefaultAioHttpClient(limits=limits, timeout=timeout, event_hooks=hooks)
        except (RuntimeError, TypeError):
            http_client = openai.DefaultAsyncHttpxClient(limits=limits, timeout=timeout, event_hooks=hooks)
    except (ImportError, AttributeError, TypeError):
        http_client = None
    # Retries are ours (retry.py): the SDK would spend them on 429 too.
    return AsyncOpenAI(base_url=base, api_key=api_key or "EMPTY", timeout=timeout, max_retries=0,
                       http_client=http_client, default_query=query or None,
                       default_headers={"Accept-Encoding": ACCEPT_ENCODING})


_create_parameters: set[str] | None = None


def _sdk_parameters(client: AsyncOpenAI) -> set[str]:
    global _create_parameters
    if _create_parameters is None:
        _create_parameters = set(inspect.signature(client.chat.completions.create).parameters)
    return _create_parameters


def request_arguments(client: AsyncOpenAI, generation_config: Mapping[str, Any]) -> dict[str, Any]:
    """SDK ``create()`` keyword arguments for a generation config; unknown keys move to ``extra_body``."""
    known = _sdk_parameters(client)
    arguments: dict[str, Any] = {}
    extra_body: dict[str, Any] = dict(generation_config.get("extra_body") or {})
    for key, value in generation_config.items():
        if key in _LOCAL_KEYS or key == "extra_body" or value is None:
            continue
        key = _RENAMED.get(key, key)
        if key in known:
            arguments[key] = value
        else:
            extra_body[key] = value
    if extra_body:
        arguments["extra_body"] = extra_body
    if arguments.get("stream"):
        arguments.setdefault("stream_options", {"include_usage": True})
    return arguments


def split_reasoning(text: str, reasoning: str | None) -> tuple[str, str | None]:
    """Remove paired ``<think>`` blocks from the answer text and add them to the reasoning."""
    thoughts = THINK_RE.findall(text)
    if not thoughts:
        return text, reasoning
    answer = THINK_RE.sub("", text).strip()
    joined = "\n".join(t.strip() for t in thoughts)
    return answer, f"{reasoning}\n{joined}" if reasoning else joined


def describe_error(exc: BaseException, note: str | None = None) -> ModelCallError:
    """A one-line :class:`ModelCallError` for any failure of a call (``note`` is appended)."""
    error = _describe(exc)
    if note:
        error = ModelCallError(f"{error} ({note})", fatal=error.fatal, status=error.status,
                               unreachable=error.unreachable)
    return error


def guard_failure(exc: BaseException) -> UnreadableBody | CredentialsToOtherOrigin | None:
    """The transport guard's refusal behind ``exc`` (the SDK wraps it as a connection error), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (UnreadableBody, CredentialsToOtherOrigin)):
            return current
        current = current.__cause__ or current.__context__
    return None


def wall_clock_timeout(timeout: float) -> ModelCallError:
    """The error of a request that ran past ``--eval-timeout`` from its start to its last byte."""
    return ModelCallError(f"request timed out: no complete answer within --eval-timeout {timeout:g} s "
                          "(wall clock, from sending to the last byte)", retryable=True)


def _describe(exc: BaseException) -> ModelCallError:
    import openai

    if isinstance(exc, ModelCallError):
        return exc
    guarded = guard_failure(exc)
    if guarded is not None:
        return ModelCallError(str(guarded), fatal=isinstance(guarded, CredentialsToOtherOrigin))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = _server_message(exc)
        fatal = status in (401, 403, 404)
        hint = {401: " (check --eval-api-key or $EVALINDEX_API_KEY)",
                403: " (the key is not allowed to use this model)",
                404: " (check --eval-model and --eval-api-url)"}.get(status, "")
        return ModelCallError(f"HTTP {status} from the model server: {message}{hint}", fatal=fatal, status=status)
    if isinstance(exc, openai.APIConnectionError) and (refused := _connect_failure(exc)) is not None:
        hint = "is it running? check --eval-api-url" if refused.startswith("connection refused") \
            else "check --eval-api-url"
        return ModelCallError(f"cannot connect to the model server ({refused}); {hint}", unreachable=True)
    if isinstance(exc, openai.APITimeoutError):
        return ModelCallError("request timed out (raise --eval-timeout if the model is slow)")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f": {type(cause).__name__}: {cause}" if cause else ""
        return ModelCallError(f"cannot reach the model server{detail}"[:300])
    if isinstance(exc, openai.APIResponseValidationError):
        return ModelCallError(f"malformed response from the model server: {exc}"[:300])
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):  # the SDK's error for a truncated body
        return ModelCallError(f"malformed response from the model server: {type(exc).__name__}: {exc}"[:300])
    return ModelCallError(f"{type(exc).__name__}: {exc}"[:300])


def _connect_failure(exc: BaseException) -> str | None:
    """Why no connection could be made (refused, unknown host), from the exception's causes; ``None``
    for other connection errors. The SDK's aiohttp transport reports a refused connection as a timeout,
    so the causes are read rather than the exception's type."""
    import socket

    seen: set[int] = set()
    current: BaseException | None = exc
    host = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if host is None and isinstance(getattr(current, "host", None), str):
            port = getattr(current, "port", None)
            host = f"{current.host}:{port}" if port else current.host  # type: ignore[attr-defined]
        if isinstance(current, socket.gaierror):
            return f"host name not found{f': {host}' if host else ''}"
        if isinstance(current, ConnectionRefusedError):
            return f"connection refused{f' by {host}' if host else ''}"
        current = current.__cause__ or current.__context__
    return None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return " ".join(str(inner["message"]).split())[:200]
    return " ".join(str(exc.message).split())[:200]


async def call_chat(client: AsyncOpenAI, model: str, messages: list[dict[str, Any]],
                    generation_config: Mapping[str, Any], *, tools: list[dict[str, Any]] | None = None) -> Completion:
    """Send one chat completion (one attempt) and return its :class:`Completion`.

    SDK and transport errors propagate as they are (retry.py classifies them); a 200 answer
    without a usable choice raises a retryable :class:`ModelCallError`.
    """
    arguments = request_arguments(client, generation_config)
    if tools:
        arguments["tools"] = tools
    started = time.perf_counter()
    if arguments.get("stream"):
        completion = await _streamed(client, model, messages, arguments)
    else:
        completion = _from_response(await _post_chat(client, model, messages, arguments))
    completion.latency = time.perf_counter() - started
    if not completion.text and not completion.reasoning and completion.finish_reason in (None, "stop"):
        raise EmptyAnswer(completion)
    return completion


_NOT_BODY = {"extra_body", "extra_headers", "extra_query", "timeout"}
"""``create()`` parameters that are request options, not body fields."""


async def _post_chat(client: AsyncOpenAI, model: str, messages: list[dict[str, Any]],
                     arguments: dict[str, Any]) -> Any:
    """A non-streamed chat completion through the SDK's ``post`` (its public low-level call).

    ``create()`` first walks the whole request through the SDK's typed-dict transform, which costs about
    as much CPU as the rest of the call and changes nothing in a request built from JSON (what the
    collection and the generation config are); the body sent is the same, ``extra_body`` merged last.
    """
    from openai.types.chat import ChatCompletion

    body = {key: value for key, value in arguments.items() if key not in _NOT_BODY}
    body = {"model": model, "messages": messages, **body, **(arguments.get("extra_body") or {})}
    options: dict[str, Any] = {}
    if arguments.get("extra_headers"):
        options["headers"] = arguments["extra_headers"]
    if arguments.get("extra_query"):
        options["params"] = arguments["extra_query"]
    if "timeout" in arguments:
        options["timeout"] = arguments["timeout"]
    call: Any = client.post  # the SDK types ``options`` as its private RequestOptions
    return await call("/chat/completions", body=body, cast_to=ChatCompletion, options=options)


def content_text(content: Any) -> tuple[str, str | None]:
    """(answer text, reasoning) of a message content: a string, or a list of parts whose text parts are
    joined (``{"type": "text", "text": …}``; reasoning/thinking parts go to the reasoning)."""
    if content is None:
        return "", None
    if isinstance(content, str):
        return content, None
    texts: list[str] = []
    thoughts: list[str] = []
    for part in content if isinstance(content, (list, tuple)) else [content]:
        if isinstance(part, str):
            texts.append(part)
            continue
        data = part if isinstance(part, dict) else getattr(part, "__dict__", {})
        kind = str(data.get("type", "text"))
        if kind in ("reasoning", "thinking"):
            value = data.get("reasoning", data.get("thinking", data.get("text")))
            if isinstance(value, str):
                thoughts.append(value)
        elif isinstance(data.get("text"), str):
            texts.append(data["text"])
    return "".join(texts), "\n".join(thoughts) or None


def _body_reason(text: str) -> str:
    """What a non-JSON 200 body says, in one line: an HTML page's title, else its first words."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title or re.match(r"\s*<(?:!doctype|html)", text, re.IGNORECASE):
        detail = " ".join((title.group(1) if title else re.sub(r"<[^>]+>", " ", text)).split())[:120]
        return f"an HTML page ({detail or 'no title'})"
    words = " ".join(text.split())[:160]
    return f"a body that is not a chat completion ({words or 'empty'})"


def _error_reason(error: Any) -> str:
    if isinstance(error, dict):
        parts = [str(error[k]) for k in ("message", "type", "code") if error.get(k) not in (None, "")]
        return " ".join(" — ".join(parts).split())[:200] or "no message"
    return " ".join(str(error).split())[:200]


def _from_response(response: Any) -> Completion:
    if isinstance(response, (str, bytes)):  # the SDK hands back the text of a body that is not JSON
        text = response.decode("utf-8", "replace") if isinstance(response, bytes) else response
        raise ModelCallError(f"the model server answered HTTP 200 with {_body_reason(text)}", retryable=True)
    choices = getattr(response, "choices", None)
    if not choices:
        extra = getattr(response, "model_extra", None) or {}
        error = extra.get("error") if isinstance(extra, dict) else None
        if error:
            raise ModelCallError(f"the model server answered HTTP 200 with an error: {_error_reason(error)}",
                                 retryable=True)
        raise ModelCallError("the model server answered with no choices (HTTP 200 without an answer)",
                             retryable=True)
    choice = choices[0]
    message = choice.message
    if message is None:
        raise ModelCallError("the model server answered with an empty message", retryable=True)
    text, part_reasoning = content_text(message.content)
    reasoning = getattr(message, "reasoning_content", None) or getattr(message, "reasoning", None)
    reasoning = reasoning if isinstance(reasoning, str) else part_reasoning
    text, reasoning = split_reasoning(text, reasoning)
    usage = getattr(response, "usage", None)
    return Completion(
        text=text,
        reasoning=reasoning,
        finish_reason=choice.finish_reason,
        input_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        output_tokens=getattr(usage, "completion_tokens", 0) or 0,
        total_tokens=getattr(usage, "total_tokens", 0) or 0,
        raw_model=getattr(response, "model", None),
    )


async def _streamed(client: AsyncOpenAI, model: str, messages: list[dict[str, Any]],
                    arguments: dict[str, Any]) -> Completion:
    parts: list[str] = []
    reasoning_parts: list[str] = []
    finish_reason = None
    usage = None
    model_name = None
    stream: Any = await client.chat.completions.create(model=model, messages=messages, **arguments)  # type: ignore[arg-type]
    async for chunk in stream:
        model_name = chunk.model or model_name
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices or []:
            delta = choice.delta
            if delta is not None and delta.content:
                piece, thought = content_text(delta.content)
                parts.append(piece)
                if thought:
                    reasoning_parts.append(thought)
            extra = getattr(delta, "reasoning_content", None) if delta is not None else None
            if isinstance(extra, str):
                reasoning_parts.append(extra)
            if choice.finish_reason:
                finish_reason = choice.finish_reason
    if finish_reason is None:
        # The SDK ends quietly when the connection closes early; a finished answer always says why it ended.
        raise ModelCallError(f"the streamed answer was cut off: the stream ended after {len(parts)} chunks without "
                             "a finish_reason", retryable=True)
    text, reasoning = split_reasoning("".join(parts), "".join(reasoning_parts) or None)
    return Completion(
        text=text, reasoning=reasoning, finish_reason=finish_reason,
        input_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        output_tokens=getattr(usage, "completion_tokens", 0) or 0,
        total_tokens=getattr(usage, "total_tokens", 0) or 0,
        raw_model=model_name,
    )
