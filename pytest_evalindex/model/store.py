"""Answer stores for the engine: the resumable on-disk cache and answers recorded by an earlier run.

:class:`AnswerCache` keeps every answer the moment it arrives: one JSON line appended to this
process's own shard ``answers-<writer>-<pid>.jsonl`` with a single ``os.write`` on an ``O_APPEND``
descriptor. Nothing is buffered in the process, so ``kill -9`` loses at most the line being
written (a truncated last line, skipped and counted on the next load); xdist workers never share a
file, so no locks are needed. Answers are keyed by :func:`~pytest_evalindex.core.hashing.request_fingerprint`
(model name, messages, tools, generation config; never a position, never the URL), so an edited or
reordered collection reuses exactly the answers that still apply. Each line also records its request's
model and generation config, so a run that finds nothing can say what the cache does hold.

:class:`PredictionsStore` scores answers recorded elsewhere (``--eval-predictions``): an EvalScope
or pytest-evalindex run folder, a ``predictions/<model>`` folder or one predictions JSONL, matched
to samples by the content of their request messages.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pytest_evalindex.core.secrets import REGISTRY
from pytest_evalindex.model.api import Completion

SHARD_GLOB = "answers-*.jsonl"


class AnswerStoreError(Exception):
    """A cache folder or predictions path that cannot be used; ``str()`` is one line naming it and the fix."""


@dataclass
class StoreCounters:
    """What a store did in this process."""

    loaded: int = 0
    hits: int = 0
    misses: int = 0
    written: int = 0
    skipped_corrupt: int = 0
    shards: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw line) of a file, blank lines skipped."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


class AnswerCache:
    """The engine's :class:`~pytest_evalindex.model.engine.AnswerStore` backed by append-only JSONL shards.

    ``fsync=True`` also forces every line to disk (survives power loss, not only a killed process);
    it costs a disk flush per answer, paid on the engine's loop thread.
    """

    def __init__(self, directory: Path, writer: str, *, fsync: bool = False,
                 request: Mapping[str, Any] | None = None) -> None:
        """``request`` (model, generation config: what the key hashes besides the messages) is written on
        every new line, so :meth:`held_requests` can tell later runs what the cache holds."""
        self.directory = Path(directory)
        # Header values and secret-looking extra_body fields of the generation config never reach the disk.
        self.request = REGISTRY.scrub_obj(dict(request)) if request else None
        self._held: Counter[str] = Counter()  # canonical request JSON ("" when a line has none) → answers
        self.writer = "".join(c if c.isalnum() or c in "-_." else "_" for c in writer) or "main"
        self.fsync = fsync
        self.counters = StoreCounters()
        # Raw lines, decoded again on use: a decoded answer costs ~4x the memory (100,000 samples).
        self._answers: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._fd: int | None = None
        if self.directory.exists() and not self.directory.is_dir():
            raise AnswerStoreError(f"--eval-use-cache: {self.directory} is a file, not a folder; pass a folder path")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AnswerStoreError(f"--eval-use-cache: cannot create {self.directory} ({exc.strerror})") from None
        self._load()

    @property
    def shard_path(self) -> Path:
        """This process's shard (a new pid gets a new file, so a killed run's torn tail is never appended to)."""
        return self.directory / f"answers-{self.writer}-{os.getpid()}.jsonl"

    def _load(self) -> None:
        for shard in sorted(self.directory.glob(SHARD_GLOB)):
            if not shard.is_file():
                continue
            self.counters.shards += 1
            try:
                lines = list(_read_lines(shard))
            except OSError:
                self.counters.skipped_corrupt += 1
                continue
            for _, raw in lines:
                record = self._decode(raw)
                if record is None:
                    self.counters.skipped_corrupt += 1
                    continue
                fingerprint = record[0]
                if fingerprint not in self._answers:
                    self.counters.loaded += 1
                    self._held[record[2]] += 1
                self._answers[fingerprint] = raw

    @staticmethod
    def _decode(raw: bytes) -> tuple[str, dict[str, Any], str] | None:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict):
            return None
        fingerprint, completion = data.get("fingerprint"), data.get("completion")
        if not isinstance(fingerprint, str) or not isinstance(completion, dict) or not isinstance(completion.get("text"), str):
            return None
        request = data.get("request")
        return fingerprint, completion, json.dumps(request, sort_keys=True) if isinstance(request, dict) else ""

    def __len__(self) -> int:
        return len(self._answers)

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self._answers

    def held_requests(self) -> list[tuple[dict[str, Any] | None, int]]:
        """(request settings, answers) for each model and generation config the loaded answers were given
        under, most answers first; ``None`` for lines written before the settings were recorded."""
        return [(json.loads(key) if key else None, count) for key, count in self._held.most_common()]

    def fingerprints(self) -> set[str]:
        """Every request key with a stored answer."""
        with self._lock:
            return set(self._answers)

    def get(self, fingerprint: str, messages: list[dict[str, Any]], repeat: int = 0) -> Completion | None:
        """The stored answer for ``fingerprint`` (a fresh object each time), or ``None``; the repeat number
        is part of the fingerprint."""
        with self._lock:
            raw = self._answers.get(fingerprint)
            if raw is None:
                self.counters.misses += 1
                return None
            self.counters.hits += 1
        return Completion.from_dict(json.loads(raw)["completion"])

    def put(self, fingerprint: str, completion: Completion) -> None:
        """Append the answer to this process's shard before anything else happens to it."""
        data = completion.to_dict()
        record: dict[str, Any] = {"fingerprint": fingerprint, "completion": data}
        if self.request is not None:
            record["request"] = self.request
        line = json.dumps(record, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8") + b"\n"
        with self._lock:
            if self._fd is None:
                self._fd = self._open_shard()
            view = memoryview(line)
            while view:  # one write in practice; loop for the (rare) partial write
                view = view[os.write(self._fd, view):]
            if self.fsync:
                os.fsync(self._fd)
            self._answers[fingerprint] = line
            self.counters.written += 1

    def _open_shard(self) -> int:
        fd = os.open(self.shard_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")  # a torn tail (reused pid) must not swallow the next line
        return fd

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __del__(self) -> None:  # best effort: the fd is also closed at process exit
        try:
            self.close()
        except Exception:
            pass


# -- recorded predictions ----------------------------------------------------------------------

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
                lines = list(_read_lines(file))
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


__all__ = ["AnswerCache", "AnswerStoreError", "PredictionsStore", "StoreCounters", "messages_key"]
