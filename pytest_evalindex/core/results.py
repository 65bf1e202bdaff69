"""SampleResult: the outcome of one sample, carried from the process that ran it to the controller.

It travels on the pytest ``TestReport`` as a JSON-plain dict (``to_dict``/``from_dict``), so
pytest-xdist serialises it like any other report attribute and ``-n0`` and ``-nW`` share one path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Status = Literal["correct", "partial", "incorrect", "excluded", "error"]
"""``partial``: a graded score strictly between 0 and 1 (F1 0.67, an ifeval instruction fraction)."""

#: Name of the attribute on ``TestReport`` that holds ``SampleResult.to_dict()``.
REPORT_ATTRIBUTE = "evalindex_result"


@dataclass(slots=True)
class Usage:
    """Token counts reported by the server (zeros when it sent none)."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass(slots=True)
class SampleResult:
    """One sample's result.

    ``status`` is ``correct`` (score 1), ``partial`` (between 0 and 1) or ``incorrect`` when the scorer judged it,
    ``excluded`` when the scorer could not judge it (``score`` is ``None``), and ``error``
    when no usable answer arrived (``error`` holds the one-line cause; ``score`` is ``None``).
    ``score_metadata`` is the scorer's ``Score.metadata`` (the review's ``score.metadata``). ``metrics`` holds
    every metric the scorer produced when it produced more than the main one (``score`` under ``metric``).
    ``ordinal`` is the sample's position in the run's item order, used to sort outputs so
    that every run mode writes identical files. ``repeats`` (``--eval-repeats K`` > 1) holds each answer's own
    outcome in repeat order (JSON-plain dicts with ``score``, ``status``, ``completion``, …); ``score`` is then
    their mean and the answer fields are those of repeat 0.
    """

    node_id: str
    ordinal: int
    file: str
    line: int
    index: int
    dataset_name: str
    subset_name: str
    task_type: str
    tags: list[str]
    categories: list[str]
    weight: float
    sample_hash: str
    status: Status
    score: float | None = None
    metric: str = "accuracy"
    metrics: dict[str, float] | None = None
    extracted: str | None = None
    completion: str | None = None
    reasoning: str | None = None
    finish_reason: str | None = None
    error: str | None = None
    explanation: str | None = None
    score_metadata: dict[str, Any] | None = None
    usage: Usage = field(default_factory=Usage)
    latency: float | None = None
    cached: bool = False
    repeats: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-plain dict (only str, int, float, bool, None, list, dict); lists are shared, not copied."""
        # Hand-written rather than dataclasses.asdict: this runs once per sample on the hot path.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        usage = self.usage
        data["usage"] = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                         "total_tokens": usage.total_tokens}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SampleResult:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        values = {k: v for k, v in data.items() if k in _FIELD_SET}
        values["usage"] = Usage(**(values.get("usage") or {}))
        return cls(**values)


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SampleResult))
_FIELD_SET = frozenset(_FIELD_NAMES)
