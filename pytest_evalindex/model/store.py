"""The engine's resumable on-disk answer cache (and what every answer store shares: its error and counters).

:class:`AnswerCache` keeps every answer the moment it arrives: one JSON line appended to this
process's own shard ``answers-<writer>-<pid>.jsonl`` with a single ``os.write`` on an ``O_APPEND``
descriptor. Nothing is buffered in the process, so ``kill -9`` loses at most the line being
written (a truncated last line, skipped and counted on the next load); xdist workers never share a
file, so no locks are needed. Answers are keyed by :func:`~pytest_evalindex.core.hashing.request_fingerprint`
(model name, messages, tools, generation config; never a position, never the URL), so an edited or
reordered collection reuses exactly the answers that still apply. Each line also records its request's
model and generation config, so a run that finds nothing can say what the cache does hold.

Answers recorded elsewhere (``--eval-predictions``) are read by :mod:`pytest_evalindex.model.predictions`.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pytest_evalindex.core.jsonsafe import ERRORS
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
    write_failed: int = 0  # answers kept in memory only: the shard could not be written (full disk…)
    write_error: str = ""  # the first such failure's cause
    refreshed: int = 0  # answers another process stored during this run, read on a miss

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)


_COMPLETION_TYPES: dict[str, tuple[type, ...]] = {
    "reasoning": (str, type(None)), "finish_reason": (str, type(None)), "raw_model": (str, type(None)),
    "input_tokens": (int,), "output_tokens": (int,), "total_tokens": (int,), "latency": (int, float),
}


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
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
        self._offsets: dict[Path, int] = {}  # bytes of each shard read so far
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
            self._read_shard(shard)

    def _read_shard(self, shard: Path) -> int:
        """Read the complete lines of ``shard`` not read yet; return how many answers were new."""
        offset = self._offsets.get(shard, 0)
        try:
            with shard.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except OSError:
            self.counters.skipped_corrupt += 1
            return 0
        end = data.rfind(b"\n") + 1  # a line still being written (no newline yet) is read next time
        self._offsets[shard] = offset + end
        new = 0
        for raw in data[:end].splitlines(keepends=True):
            if not raw.strip():
                continue
            record = self._decode(raw)
            if record is None:
                self.counters.skipped_corrupt += 1
                continue
            fingerprint = record[0]
            if fingerprint not in self._answers:
                self.counters.loaded += 1
                self._held[record[2]] += 1
                new += 1
            self._answers[fingerprint] = raw
        return new

    def _refresh(self) -> None:
        """Read what other processes appended since: a worker killed by ``kill -9`` leaves answers its
        replacement (or another worker) is handed the samples of."""
        own = self.shard_path
        for shard in self.directory.glob(SHARD_GLOB):
            try:
                size = shard.stat().st_size
            except OSError:
                continue
            if shard != own and size > self._offsets.get(shard, 0):
                self.counters.refreshed += self._read_shard(shard)

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
        for name, kinds in _COMPLETION_TYPES.items():  # valid JSON of the wrong shape: ignored, asked again
            value = completion.get(name)
            if name in completion and (not isinstance(value, kinds) or isinstance(value, bool)):
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
                self._refresh()
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
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", ERRORS) + b"\n"
        with self._lock:
            self._answers[fingerprint] = line
            try:
                if self._fd is None:
                    self._fd = self._open_shard()
                view = memoryview(line)
                while view:  # one write in practice; loop for the (rare) partial write
                    view = view[os.write(self._fd, view):]
                if self.fsync:
                    os.fsync(self._fd)
            except OSError as exc:
                # A full disk must not cost the answer: it is scored from memory, and counted as not kept.
                self.counters.write_failed += 1
                self.counters.write_error = self.counters.write_error or str(exc.strerror or exc)
                if self._fd is not None:
                    os.close(self._fd)  # reopened next time, which ends a torn line first
                    self._fd = None
                return
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


__all__ = ["AnswerCache", "AnswerStoreError", "StoreCounters", "read_lines"]
