"""The scorer contract: what a scorer receives and what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pytest_evalindex.sandbox.api import Sandbox


@dataclass(frozen=True)
class ScoreInput:
    """Everything a scorer may look at for one sample.

    ``completion`` is the model's answer text (reasoning parts and paired ``<think>`` blocks
    already removed); ``target`` is the sample's target, a list already joined with no
    separator as the older EvalScope did; ``targets`` is the target as the line lists it (a
    string target is a one-element tuple; empty when the caller only knew ``target``), which
    EvalScope 1.14.1's scorers use as the accepted answers; ``choices`` is ``None`` for
    non-MCQ samples; ``sandbox`` is given to code-execution scorers only (``--eval-code-exec``).
    """

    completion: str
    target: str
    choices: tuple[str, ...] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    dataset_name: str = ""
    subset_name: str = ""
    targets: tuple[str, ...] = ()
    sandbox: Sandbox | None = None  # set for scorers that need ("sandbox",): where to run the model's code


@dataclass(frozen=True)
class Score:
    """A scorer's verdict on one sample.

    ``value`` is in [0, 1]; ``None`` means the scorer could not judge the sample, which
    makes it *excluded* (counted, never silently dropped). ``extracted`` is the answer the
    scorer pulled out of the completion, kept in every result. ``metadata`` is what EvalScope
    writes as the review's ``score.metadata`` (e.g. aime's ``math_reason``). ``metrics`` holds every
    metric the scorer produced (e.g. ifeval's four), the main one included under ``metric``; when
    empty, the only metric is ``{metric: value}``. ``value`` is always the main metric's value.
    """

    value: float | None
    extracted: str | None = None
    metric: str = "accuracy"
    explanation: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)


class Scorer(Protocol):
    """A callable that scores one sample."""

    def __call__(self, sample: ScoreInput, /) -> Score: ...
