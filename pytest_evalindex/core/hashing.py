"""canonical_json and every sha256 identity: collection fingerprint, request key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pytest_evalindex.core.jsonsafe import prebuilt_encoder

_CANONICAL = prebuilt_encoder(json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str))


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value (sorted keys, no spaces), for hashing."""
    return _CANONICAL(value)


def request_head(model: str, base_url: str, generation_config: Mapping[str, Any], repeat: int = 0,
                 server: str | None = None) -> str:
    """The part of a request's identity shared by every sample of a run: the model name, the generation
    config, the repeat number and, for a server whose answers are known by content (the built-in mock:
    its script), that identity.

    ``base_url`` is deliberately not part of it: the URL says where the model is served (a port, a host
    name, ``localhost`` or ``127.0.0.1``, a load balancer), not which model answers, so moving the server
    keeps every cached answer. The parameter stays so callers describe the whole request.
    """
    del base_url
    head: dict[str, Any] = {
        "model": model, "repeat": repeat,
        "generation_config": {k: v for k, v in generation_config.items()
                              if k not in ("timeout", "retries", "retry_interval", "batch_size")},
    }
    if server is not None:
        head["server"] = server
    return canonical_json(head)


def messages_digest(messages: list[dict[str, Any]]) -> str:
    """SHA-256 of the messages' canonical JSON."""
    return hashlib.sha256(canonical_json(messages).encode("utf-8")).hexdigest()


def chain_digest(digest: str, follow_ups: Any) -> str:
    """The digest of a conversation: the first request's :func:`messages_digest` and the user turns after it."""
    return hashlib.sha256(f"{digest}\n{canonical_json(list(follow_ups))}".encode()).hexdigest()


def fingerprint_from(head: str, tools: list[dict[str, Any]] | None, digest: str) -> str:
    """:func:`request_fingerprint` from a precomputed head and the :func:`messages_digest`."""
    text = f"{head}\n{'null' if tools is None else canonical_json(tools)}\n{digest}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_fingerprint(model: str, base_url: str, messages: list[dict[str, Any]],
                        tools: list[dict[str, Any]] | None, generation_config: Mapping[str, Any],
                        repeat: int = 0) -> str:
    """What determines an answer, hashed: the key of the answer cache (never a position)."""
    return fingerprint_from(request_head(model, base_url, generation_config, repeat), tools,
                            messages_digest(messages))


def fingerprint(raw: bytes) -> str:
    """``sha256:<hex>`` of a collection's bytes (what a report measured)."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()
