"""The mock model's script: what it answers, how slowly, and which faults it injects.

A script is a JSON object (:class:`MockScript`): ``answers`` maps a prompt (the last user message) to a
reply, a plain string or a :class:`Reply` object; ``rules`` pick a reply by substring; ``default`` answers the
rest. A reply may fail its first ``times`` requests with ``fault``, and ``faults`` injects seeded random ones.
To answer one prompt inconsistently (a flaky sample under ``--eval-repeats``), give the reply a ``cycle`` of
answers: the n-th request for that prompt (retries included) gets ``cycle[n % len(cycle)]``, e.g.
``{"answers": {"Which gas…?": {"cycle": ["ANSWER: B", "ANSWER: C", "ANSWER: B"]}}}`` answers B, C, B, B, C, …
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FaultKind = Literal[
    "429",
    "500",
    "502",
    "503",
    "400",
    "401",
    "404",
    "reset",
    "hang",
    "truncated",
    "null_choices",
    "empty",
    "length",
    "content_filter",
]
_DEFAULT_FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500")
FinishReason = Literal["stop", "length", "content_filter", "tool_calls"]


class MockScriptError(ValueError):
    """A script file or mapping that cannot be loaded; the message is one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reply(_Strict):
    """How to answer one prompt; `None` fields fall back to the script's defaults."""

    answer: str | None = None
    cycle: list[str] | None = Field(default=None, min_length=1)
    reasoning: str | None = None
    latency: float | None = Field(default=None, ge=0)
    finish_reason: FinishReason = "stop"
    fault: FaultKind | None = None
    times: int | None = Field(default=None, ge=0)
    retry_after: float | None = Field(default=None, ge=0)

    def answer_for(self, attempt: int) -> str | None:
        """The answer to the `attempt`-th request (0-based) of a prompt: from `cycle`, else `answer`."""
        return self.cycle[attempt % len(self.cycle)] if self.cycle else self.answer

    def active_fault(self, attempt: int) -> FaultKind | None:
        """The scripted fault for the `attempt`-th request (0-based) of a prompt, if any."""
        if self.fault is None or (self.times is not None and attempt >= self.times):
            return None
        return self.fault


class Rule(Reply):
    """A reply chosen when `contains` occurs in the last user message."""

    contains: str = Field(min_length=1)


class RandomFaults(_Strict):
    """Seeded random fault injection: each request fails with probability `rate`."""

    rate: float = Field(default=0.0, ge=0, le=1)
    kinds: list[FaultKind] = Field(default_factory=lambda: list(_DEFAULT_FAULT_KINDS), min_length=1)
    seed: int = 0

    def pick(self, key: str, attempt: int) -> FaultKind | None:
        """Deterministic in (seed, prompt key, attempt number)."""
        if self.rate <= 0:
            return None
        digest = hashlib.sha256(f"{self.seed}:{key}:{attempt}".encode()).hexdigest()
        if int(digest[:13], 16) / 16**13 >= self.rate:
            return None
        return self.kinds[int(digest[13:21], 16) % len(self.kinds)]


class MockScript(_Strict):
    """The whole behaviour of the mock model (see the module docs for the JSON shape)."""

    model: str = "mock-model"
    models: list[str] | None = None
    latency: float = Field(default=0.0, ge=0)
    default: str = "I don't know."
    answers: dict[str, Reply] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    faults: RandomFaults = Field(default_factory=RandomFaults)
    api_key: str | None = Field(default=None, repr=False)
    retry_after: float = Field(default=0.05, ge=0)

    @field_validator("answers", mode="before")
    @classmethod
    def _wrap_plain_answers(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: {"answer": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    def match(self, text: str) -> Reply:
        """Exact `answers` first, then the first `rules` hit, then `default`."""
        exact = self.answers.get(text)
        if exact is not None:
            return exact
        for rule in self.rules:
            if rule.contains in text:
                return rule
        return Reply(answer=self.default)

    def accepts_model(self, name: str | None) -> bool:
        return self.models is None or name in self.models


def message_text(content: Any) -> str:
    """Text of one message's `content`: a string, or its text parts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        return "\n".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""


def last_user_text(messages: Sequence[Any]) -> str:
    """Text of the last `user` message ("" when there is none)."""
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "user":
            return message_text(message.get("content"))
    return ""


def prompt_key(messages: Any) -> str:
    """First 16 hex digits of the sha256 of the canonical JSON of a request's messages."""
    canonical = json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _one_line(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "<root>"
    more = f" (+{error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{source}: field {where!r}: {first['msg']}{more}"


def parse_script(data: Any, source: str = "<script>") -> MockScript:
    """Validate a mapping as a `MockScript`, raising `MockScriptError` with a one-line message."""
    if isinstance(data, MockScript):
        return data
    if not isinstance(data, Mapping):
        raise MockScriptError(f"{source}: the script must be a JSON object, got {type(data).__name__}")
    try:
        return MockScript.model_validate(data)
    except ValidationError as exc:
        raise MockScriptError(_one_line(exc, source)) from None


def load_script(path: str | Path) -> MockScript:
    """Load a JSON script file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MockScriptError(f"{p}: cannot read the script: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise MockScriptError(f"{p}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    return parse_script(data, str(p))
