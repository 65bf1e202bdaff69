"""The scorer contract: what a scorer receives and what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ScoreInput:
    """Everything a scorer may look at for one sample.

    ``completion`` is the model's answer text (reasoning parts and paired ``<think>`` blocks
    already removed); ``target`` is the sample's target, a list already joined with no
    separator as EvalScope does; ``choices`` is ``None`` for non-MCQ samples.
    """

    completion: str
    target: str
    choices: tuple[str, ...] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    dataset_name: str = ""
    subset_name: str = ""


@dataclass(frozen=True)
class Score:
    """A scorer's verdict on one sample.

    ``value`` is in [0, 1]; ``None`` means the scorer could not judge the sample, which
    makes it *excluded* (counted, never silently dropped). ``extracted`` is the answer the
    scorer pulled out of the completion, kept in every result.
    """

    value: float | None
    extracted: str | None = None
    metric: str = "accuracy"
    explanation: str | None = None


class Scorer(Protocol):
    """A callable that scores one sample."""

    def __call__(self, sample: ScoreInput, /) -> Score: ...
