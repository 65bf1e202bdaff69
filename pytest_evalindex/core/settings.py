"""The resolved settings of one run (what every --eval-* option and ini twin became)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API_KEY_ENV_VARS = ("EVALINDEX_API_KEY", "OPENAI_API_KEY")


DEFAULT_BATCH_SIZE = 8


DEFAULT_SEED = 42


COMPAT_MODES = ("corrected", "evalscope", "evalscope-legacy")


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
            "code_exec": self.code_exec,
            "code_workers": self.code_workers,
        }
