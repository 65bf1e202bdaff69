"""The resolved judge settings of one run (what every --eval-judge-* option and ini twin became)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JUDGE_API_KEY_ENV = "EVALINDEX_JUDGE_API_KEY"
DEFAULT_JUDGE_GENERATION_CONFIG: dict[str, Any] = {"temperature": 0.0, "max_tokens": 4096}


@dataclass(frozen=True)
class JudgeSettings:
    """The judge endpoint and how samples are judged; ``api_url`` ``None`` means the model's URL."""

    model: str | None
    api_url: str | None
    api_key: str | None = field(repr=False)
    generation_config: dict[str, Any]
    batch_size: int
    strategy: str
    templates: Path | None = None

    def public(self, model_url: str | None) -> dict[str, Any]:
        """Settings safe to write and print: no API key."""
        return {"model": self.model, "api_url": self.api_url or model_url,
                "generation_config": self.generation_config, "batch_size": self.batch_size,
                "strategy": self.strategy, "templates": str(self.templates) if self.templates else None}
