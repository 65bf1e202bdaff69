"""The pydantic models of one collection line (EvalScope's ``DatasetEntry`` and ``Sample``)."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

from pytest_evalindex.core.hashing import canonical_json, messages_digest
from pytest_evalindex.core.text import sanitize


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class TextPart(_Part):
    type: Literal["text"]
    text: str


class ReasoningPart(_Part):
    type: Literal["reasoning"]
    reasoning: str = ""


class ImagePart(_Part):
    type: Literal["image"]
    image: str
    detail: Literal["auto", "low", "high"] = "auto"


class AudioPart(_Part):
    type: Literal["audio"]
    audio: str
    format: Literal["wav", "mp3"] = "wav"


class VideoPart(_Part):
    type: Literal["video"]
    video: str
    format: str = "mp4"


class DataPart(_Part):
    type: Literal["data"]
    data: dict[str, Any]


ContentPart = Annotated[
    TextPart | ReasoningPart | ImagePart | AudioPart | VideoPart | DataPart,
    Field(discriminator="type"),
]


class ChatMessage(BaseModel):
    """One chat message; extra EvalScope fields (``id``, ``source``, ``metadata``…) are kept."""

    model_config = ConfigDict(extra="allow", strict=True)

    role: Literal["system", "user", "assistant", "tool"]
    content: str | list[ContentPart]
    tool_call_id: str | list[str] | None = None

    def to_openai(self) -> dict[str, Any]:
        """This message in the OpenAI chat-completions request shape."""
        message: dict[str, Any] = {"role": self.role}
        if isinstance(self.content, str):
            message["content"] = self.content
        else:
            parts = [p for p in (_part_to_openai(part) for part in self.content) if p is not None]
            if self.role in ("system", "assistant", "tool") and all(p["type"] == "text" for p in parts):
                message["content"] = "\n".join(p["text"] for p in parts)
            else:
                message["content"] = parts
        if self.role == "tool" and isinstance(self.tool_call_id, str):
            message["tool_call_id"] = self.tool_call_id
        return message


def _part_to_openai(part: Any) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ReasoningPart):
        return None  # earlier turns' reasoning is not sent back
    if isinstance(part, ImagePart):
        return {"type": "image_url", "image_url": {"url": part.image, "detail": part.detail}}
    if isinstance(part, AudioPart):
        data = part.audio.split(",", 1)[1] if part.audio.startswith("data:") else part.audio
        return {"type": "input_audio", "input_audio": {"data": data, "format": part.format}}
    if isinstance(part, VideoPart):
        return {"type": "video_url", "video_url": {"url": part.video}}
    if isinstance(part, DataPart):
        return {"type": "text", "text": json.dumps(part.data, ensure_ascii=False)}
    return None


class SamplePrompt(BaseModel):
    """EvalScope's ``Sample``: the already-templated prompt, choices, target and metadata."""

    model_config = ConfigDict(extra="allow", strict=True)

    input: list[ChatMessage]
    choices: list[str] | None = None
    target: str | list[str] = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    tools: list[dict[str, Any]] | None = None

    @field_validator("input", mode="before")
    @classmethod
    def _wrap_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [{"role": "user", "content": value}]
        return value

    @field_validator("input")
    @classmethod
    def _not_empty(cls, value: list[ChatMessage]) -> list[ChatMessage]:
        if not value:
            raise ValueError("must hold at least one message")
        return value

    @property
    def target_text(self) -> str:
        """The target as scorers see it: a list is joined with no separator (EvalScope)."""
        return "".join(self.target) if isinstance(self.target, list) else self.target


def _lax_index(value: Any) -> Any:
    """EvalScope reads ``index`` laxly: an integral float (``3.0``) or a numeric string (``"3"``) is the integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def _lax_weight(value: Any) -> Any:
    """EvalScope reads ``weight`` laxly: a numeric string (``"0.5"``) is the number."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


LaxIndex = Annotated[int, BeforeValidator(_lax_index)]
LaxWeight = Annotated[float, BeforeValidator(_lax_weight)]


class Entry(BaseModel):
    """One line of a mixed collection (EvalScope's ``DatasetEntry``), plus an optional ``scorer``."""

    model_config = ConfigDict(extra="allow", strict=True)

    index: LaxIndex
    prompt: SamplePrompt
    tags: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    task_type: str = ""
    weight: LaxWeight = 1.0
    dataset_name: str
    subset_name: str = "default"
    scorer: str | None = None

    _line: int = PrivateAttr(default=0)
    _messages: list[dict[str, Any]] | None = PrivateAttr(default=None)
    _hash: str | None = PrivateAttr(default=None)
    _messages_digest: str | None = PrivateAttr(default=None)

    @field_validator("weight")
    @classmethod
    def _positive_finite(cls, value: float) -> float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"must be a finite number > 0 (got {value})")
        return value

    @field_validator("dataset_name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("index", "weight", mode="before")
    @classmethod
    def _reject_bool_numbers(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"must be a number, not a boolean (got {str(value).lower()})")
        return value

    @property
    def _cached(self) -> dict[str, Any]:
        # The private attributes, read without BaseModel.__getattr__ (~2 µs a read, several reads per sample).
        private = self.__pydantic_private__
        assert private is not None
        return private

    @property
    def line(self) -> int:
        """1-based line number in the collection file."""
        return self._cached["_line"]  # type: ignore[no-any-return]

    @property
    def node_name(self) -> str:
        """The item name part of the node id: ``<dataset>/<subset>/<index>``."""
        return node_name_of(self.dataset_name, self.subset_name, self.index)

    def openai_messages(self) -> list[dict[str, Any]]:
        """The prompt as OpenAI chat messages (built once; treat as read-only)."""
        cached = self._cached
        messages = cached["_messages"]
        if messages is None:
            messages = cached["_messages"] = [m.to_openai() for m in self.prompt.input]
        return messages  # type: ignore[no-any-return]

    def collection_info(self) -> dict[str, Any]:
        """EvalScope's ``collection_info``: the line minus ``prompt`` (``model_dump(exclude={"prompt"},
        exclude_none=True)``; built by hand for a line without extra keys, once per written line)."""
        if self.__pydantic_extra__:
            return self.model_dump(exclude={"prompt"}, exclude_none=True)
        info = {"index": self.index, "tags": list(self.tags), "categories": list(self.categories),
                "task_type": self.task_type, "weight": self.weight, "dataset_name": self.dataset_name,
                "subset_name": self.subset_name}
        if self.scorer is not None:
            info["scorer"] = self.scorer
        return info

    def sample_hash(self) -> str:
        """A content hash identifying this sample independent of its position (16 hex chars)."""
        cached = self._cached
        if cached["_hash"] is None:
            cached["_hash"] = self._content_hash()
        return cached["_hash"]  # type: ignore[no-any-return]

    def forget_request(self) -> None:
        """Drop the cached OpenAI messages once the sample ran (memory; they are rebuilt on demand)."""
        self._cached["_messages"] = None

    def messages_digest(self) -> str:
        """SHA-256 of the OpenAI messages' canonical JSON (sorted keys, no spaces), computed once."""
        cached = self._cached
        if cached["_messages_digest"] is None:
            cached["_messages_digest"] = messages_digest(self.openai_messages())
        return cached["_messages_digest"]  # type: ignore[no-any-return]

    def _content_hash(self) -> str:
        rest = {"choices": self.prompt.choices, "target": self.prompt.target,
                "dataset_name": self.dataset_name, "subset_name": self.subset_name}
        return hashlib.sha256(f"{canonical_json(rest)}\n{self.messages_digest()}".encode()).hexdigest()[:16]


def node_name_of(dataset_name: str, subset_name: str, index: int) -> str:
    """``<dataset>/<subset>/<index>``, control characters escaped: node ids reach terminals and JUnit."""
    return sanitize(f"{dataset_name}/{subset_name}/{index}")
