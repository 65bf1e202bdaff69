"""The resolved settings of one run (what every --eval-* option and ini twin became)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API_KEY_ENV_VARS = ("EVALINDEX_API_KEY", "OPENAI_API_KEY")


DEFAULT_BATCH_SIZE = 8


DEFAULT_SEED = 42


COMPAT_MODES = ("corrected", "evalscope", "evalscope-legacy")


GATE_ON = ("point", "bound")


DEFAULT_CONFIDENCE = 0.95


DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class Shard:
    """``--eval-shard I/N``: this run evaluates share ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/3"`` → ``Shard(2, 3)``; raises ``ValueError`` with the fix in its message."""
        head, sep, tail = str(text).strip().partition("/")
        try:
            index, count = int(head), int(tail)
        except ValueError:
            index = count = 0
        if not sep or count < 1 or not 1 <= index <= count:
            raise ValueError(f"expected I/N with 1 <= I <= N, like 2/3 (got {text!r})")
        return cls(index, count)

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Settings:
    """All resolved ``--eval-*`` settings of one run."""

    collections: tuple[Path, ...]
    model: str | None
    api_url: str | None
    api_key: str | None = field(repr=False)
    generation_config: dict[str, Any]
    timeout: float
    max_retries: int
    batch_size: int
    limit: int | None
    shuffle: bool
    seed: int
    strict: bool
    compat: str
    output_dir: Path
    mock: Path | None
    thresholds: tuple[str, ...] = ()
    max_error_rate: float | None = None  # None: 0, and the budget gate shows only when a sample errored
    baseline: Path | None = None
    max_drop: float = 0.0
    baseline_allow_mismatch: bool = False
    markdown: Path | None = None
    cache_dir: Path | None = None
    rerun_review: bool = False
    predictions: Path | None = None
    max_concurrency: int | None = None
    allow_partial: bool = False
    shard: Shard | None = None
    max_requests_per_minute: int | None = None
    max_tokens_per_minute: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    price_input: float = 0.0  # USD per million input tokens
    price_output: float = 0.0  # USD per million output tokens
    repeats: int = 1
    confidence: float = DEFAULT_CONFIDENCE  # the level of every row's interval
    gate_on: str = "point"  # what a threshold without .point/.lower/.upper compares: the value or its bound
    alpha: float | None = DEFAULT_ALPHA  # regression gate: a drop must be significant at alpha; None: any drop
    junit_incorrect: str = "skipped"  # how --junitxml shows an incorrect sample: "skipped" (with why) or "passed"
    code_exec: str | None = None  # None: code-execution samples are refused; "bwrap" or "unsafe"
    code_workers: int | None = None  # programs at once per machine (None: one per CPU)

    @property
    def active(self) -> bool:
        """Whether this run evaluates anything (collections given on the command line or ini)."""
        return bool(self.collections)

    def public(self) -> dict[str, Any]:
        """Settings safe to write and print: no API key."""
        return {
            "model": self.model,
            "api_url": self.api_url,
            "generation_config": self.generation_config,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "batch_size": self.batch_size,
            "limit": self.limit,
            "shuffle": self.shuffle,
            "seed": self.seed,
            "strict": self.strict,
            "compat": self.compat,
            "thresholds": list(self.thresholds),
            "max_error_rate": self.max_error_rate,
            "max_drop": self.max_drop,
            "baseline": str(self.baseline) if self.baseline else None,
            "use_cache": self.cache_dir is not None,
            "max_concurrency": self.max_concurrency,
            "allow_partial": self.allow_partial,
            "shard": self.shard.label if self.shard else None,
            "max_requests_per_minute": self.max_requests_per_minute,
            "max_tokens_per_minute": self.max_tokens_per_minute,
            "max_tokens": self.max_tokens,
            "max_cost": self.max_cost,
            "price_input": self.price_input,
            "price_output": self.price_output,
            "repeats": self.repeats,
            "confidence": self.confidence,
            "gate_on": self.gate_on,
            "alpha": self.alpha,
            "code_exec": self.code_exec,
            "code_workers": self.code_workers,
        }
