"""The judge's engine: the model engine's client, retries and cache, with its own loop, limit and key space.

A :class:`JudgeEngine` is an :class:`~pytest_evalindex.model.engine.Engine` for the judge model:
its own event-loop thread and concurrency limit (``--eval-judge-batch-size``), so judge calls run
alongside the model's requests instead of after them, and its own counters. Its cache keys live
in a separate namespace of the same answer cache: judge model, generation config, the rendered
messages and what the caller adds (verdict schema, protocol version, placement, repeat) — never
the URL or the key, so a proxy does not split the cache and a rerun asks the judge nothing.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
from collections.abc import Mapping
from typing import Any

from pytest_evalindex.core.hashing import canonical_json
from pytest_evalindex.model.api import Completion, ModelCallError
from pytest_evalindex.model.engine import AnswerStore, Engine, EngineConfig


class JudgeCallError(ModelCallError):
    """A judge call that failed after retries; ``str()`` names the judge."""


def judge_head(model: str, generation_config: Mapping[str, Any]) -> str:
    """The part of every judge request's cache key shared by the run (no URL, no key)."""
    return canonical_json({
        "namespace": "judge", "model": model,
        "generation_config": {k: v for k, v in generation_config.items()
                              if k not in ("timeout", "retries", "retry_interval", "batch_size")},
    })


def judge_digest(messages: list[dict[str, Any]], identity: Mapping[str, Any]) -> str:
    """SHA-256 of the rendered messages together with the caller's identity of the request."""
    return hashlib.sha256(canonical_json({"messages": messages, "identity": dict(identity)}).encode()).hexdigest()


class JudgeEngine(Engine):
    """Judge calls for one process, at most ``config.batch_size`` at a time."""

    def __init__(self, config: EngineConfig, store: AnswerStore | None = None) -> None:
        super().__init__(config, store=store)
        self._request_head = judge_head(config.model, config.generation_config)

    def submit_case(self, key: str, messages: list[dict[str, Any]],
                    identity: Mapping[str, Any]) -> concurrent.futures.Future[Completion]:
        """Start (once) the judge call ``key``; ``identity`` joins the messages in its cache key."""
        return self.submit(key, messages, None, reclaim=True, digest=judge_digest(messages, identity))

    def result(self, key: str, repeat: int = 0) -> Completion:
        try:
            return super().result(key, repeat)
        except JudgeCallError:
            raise
        except ModelCallError as exc:
            raise JudgeCallError(f"judge {self.config.model}: {exc}", fatal=exc.fatal, status=exc.status,
                                 retryable=exc.retryable, unreachable=exc.unreachable) from None


__all__ = ["JudgeCallError", "JudgeEngine", "judge_digest", "judge_head"]
