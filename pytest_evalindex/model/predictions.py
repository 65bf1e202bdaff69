"""Answers recorded by an earlier run (``--eval-predictions``): an EvalScope or pytest-evalindex run folder, a
``predictions/<model>`` folder or one predictions JSONL, matched to samples by the content of their request
messages."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.store import AnswerStoreError, StoreCounters, read_lines

_STOP_TO_FINISH = {"max_tokens": "length", "model_length": "length", "unknown": None}


def _content_parts(content: Any) -> tuple[str, list[str], str | None]:
    """(joined text, media references, reasoning) of a message content in EvalScope or OpenAI shape."""
    if isinstance(content, str):
        return content, [], None
    texts: list[str] = []
    media: list[str] = []
    reasoning: list[str] = []
    if isinstance(content, Sequence):
        for part in content:
            if not isinstance(part, Mapping):
                continue
            kind = part.get("type")
            if kind == "text":
                texts.append(str(part.get("text", "")))
            elif kind == "reasoning":
                reasoning.append(str(part.get("reasoning", "")))
            elif kind == "image":
                media.append(str(part.get("image", "")))
            elif kind == "image_url":
                url = part.get("image_url")
                media.append(str(url.get("url", "")) if isinstance(url, Mapping) else str(url))
            elif kind == "video":
                media.append(str(part.get("video", "")))
            elif kind == "video_url":
                url = part.get("video_url")
                media.append(str(url.get("url", "")) if isinstance(url, Mapping) else str(url))
            elif kind == "data":
                texts.append(json.dumps(part.get("data"), ensure_ascii=False))
    return "\n".join(texts), media, "\n".join(reasoning) or None


def messages_key(messages: Sequence[Any]) -> str:
    """Content hash of a request: role, text and media of each non-assistant message, in order.

    The same for the OpenAI messages the engine sends and the EvalScope messages a predictions
    line records (whose content parts and ids differ in shape), so answers match by content.
    """
    canonical: list[list[Any]] = []
    for message in messages:
        if not isinstance(message, Mapping) or message.get("role") == "assistant":
            continue
        text, media, _ = _content_parts(message.get("content"))
        canonical.append([str(message.get("role")), text, media])
    payload = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _prediction_files(path: Path) -> list[Path]:
    """The predictions JSONL files behind ``--eval-predictions PATH``."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise AnswerStoreError(f"--eval-predictions: {path} does not exist; pass a run folder or a predictions .jsonl file")
    if not path.is_dir():
        raise AnswerStoreError(f"--eval-predictions: {path} is neither a file nor a folder")
    root = path / "predictions"
    if root.is_dir():
        models = sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.jsonl")))
        if not models:
            raise AnswerStoreError(f"--eval-predictions: {root} holds no <model>/*.jsonl files")
        if len(models) > 1:
            names = ", ".join(p.name for p in models)
            raise AnswerStoreError(f"--eval-predictions: {root} holds predictions of several models ({names}); "
                                   f"pass one of them, e.g. {models[0]}")
        return sorted(p for p in models[0].glob("*.jsonl") if p.is_file())
    files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
    if not files:
        raise AnswerStoreError(f"--eval-predictions: {path} has no predictions/ folder and no *.jsonl file; "
                               "pass an EvalScope or pytest-evalindex run folder or a predictions .jsonl file")
    return files


def _prediction_answer(data: Mapping[str, Any], where: str) -> tuple[str, Completion]:
    """(request key, recorded answer) of one ``ModelResult`` line; raise :class:`AnswerStoreError` if malformed."""
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise AnswerStoreError(f"{where}: field 'messages': must be the non-empty message list of a predictions line")
    request = messages[:-1] if isinstance(messages[-1], Mapping) and messages[-1].get("role") == "assistant" else messages
    raw_output = data.get("model_output")
    output: Mapping[str, Any] = raw_output if isinstance(raw_output, Mapping) else {}
    choices = output.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise AnswerStoreError(f"{where}: field 'model_output.choices': must hold the recorded answer")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, Mapping):
        raise AnswerStoreError(f"{where}: field 'model_output.choices[0].message': must be an object")
    text, _, reasoning = _content_parts(message.get("content") or "")
    stop = choice.get("stop_reason", choice.get("finish_reason"))
    raw_usage = output.get("usage")
    usage: Mapping[str, Any] = raw_usage if isinstance(raw_usage, Mapping) else {}
    completion = Completion(
        text=text, reasoning=reasoning,
        finish_reason=_STOP_TO_FINISH.get(stop, stop) if isinstance(stop, str) else None,
        input_tokens=int(usage.get("input_tokens") or 0), output_tokens=int(usage.get("output_tokens") or 0),
        total_tokens=int(usage.get("total_tokens") or 0),
        latency=float(output.get("time") or 0.0) if isinstance(output.get("time"), (int, float)) else 0.0,
        raw_model=output.get("model") if isinstance(output.get("model"), str) else None,
    )
    return messages_key(request), completion


class PredictionsStore:
    """Answers recorded by an earlier EvalScope or pytest-evalindex run, matched to samples by content.

    Lines whose JSON is torn (a run killed mid-write) are skipped and counted; a line that is JSON
    but not a predictions line raises :class:`AnswerStoreError` naming file, line and field. When
    one request was recorded more than once (repeats), its answers serve repeats 0, 1, … in the order of their
    ``index`` (EvalScope writes lines as they complete; its ``index`` is position·K + repeat).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.counters = StoreCounters()
        self._answers: dict[str, list[Completion]] = {}
        self.models: Counter[str] = Counter()  # the ``model`` each line names → lines
        self.files = _prediction_files(self.path)
        recorded: dict[str, list[tuple[int, int, Completion]]] = {}
        for file in self.files:
            self.counters.shards += 1
            try:
                lines = list(read_lines(file))
            except OSError as exc:
                raise AnswerStoreError(f"--eval-predictions: cannot read {file} ({exc.strerror})") from None
            for number, raw in lines:
                try:
                    data = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    self.counters.skipped_corrupt += 1
                    continue
                if not isinstance(data, dict):
                    raise AnswerStoreError(f"{file}:{number}: expected a predictions JSON object, got {type(data).__name__}")
                key, completion = _prediction_answer(data, f"{file}:{number}")
                if isinstance(data.get("model"), str) and data["model"]:
                    self.models[data["model"]] += 1
                index = data.get("index")
                order = index if isinstance(index, int) and not isinstance(index, bool) else 1 << 62
                recorded.setdefault(key, []).append((order, len(recorded.get(key, ())), completion))
                self.counters.loaded += 1
        self._answers = {key: [c for _, _, c in sorted(found, key=lambda t: t[:2])] for key, found in recorded.items()}
        if not self._answers:
            raise AnswerStoreError(f"--eval-predictions: no usable predictions line in {self.path}")

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, fingerprint: str, messages: list[dict[str, Any]], repeat: int = 0) -> Completion | None:
        """The ``repeat``-th recorded answer to these request messages (``fingerprint`` is ignored: model and
        URL may differ)."""
        found = self._answers.get(messages_key(messages), [])
        if repeat >= len(found):
            self.counters.misses += 1
            return None
        self.counters.hits += 1
        return Completion.from_dict(found[repeat].to_dict())

    def put(self, fingerprint: str, completion: Completion) -> None:
        """Recorded predictions are read-only (the engine never calls the model in this mode)."""


__all__ = ["PredictionsStore", "messages_key"]
