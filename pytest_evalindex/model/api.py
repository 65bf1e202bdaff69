"""The model-call contract shared by every endpoint: Completion and ModelCallError."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


class ModelCallError(Exception):
    """A model call that failed after retries; ``str()`` is the one-line cause.

    ``fatal`` marks failures that will fail every other call too (bad key, unknown model);
    ``unreachable`` a server that refused or could not be found (fatal until it has answered once).
    """

    def __init__(self, message: str, *, fatal: bool = False, status: int | None = None,
                 retryable: bool = False, unreachable: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal
        self.status = status
        self.retryable = retryable
        self.unreachable = unreachable



class EmptyAnswer(ModelCallError):
    """A 200 answer whose text is empty: retried like a glitch, then scored as the model's answer.

    EvalScope scores an empty answer (usually 0); erroring it would drop a real model failure from the numbers.
    """

    def __init__(self, completion: Completion) -> None:
        super().__init__("the model server answered with empty content", retryable=True)
        self.completion = completion

@dataclass
class Completion:
    """The useful parts of one chat completion."""

    text: str
    reasoning: str | None = None
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    latency: float = 0.0
    raw_model: str | None = None
    cached: bool = False
    # A multi-turn request's answers to the turns before the last (``text`` answers the last); usage and
    # latency above are summed over every turn.
    earlier: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form (for the answer cache)."""
        return {k: v for k, v in asdict(self).items() if k != "cached" and (k != "earlier" or v is not None)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Completion:
        known = _COMPLETION_FIELDS
        return cls(**{k: v for k, v in data.items() if k in known})


_COMPLETION_FIELDS = frozenset(f.name for f in fields(Completion))


def chained(answers: list[Completion]) -> Completion:
    """A conversation's answers as one: the last answer, the earlier texts in ``earlier``, usage and latency summed."""
    if len(answers) == 1:
        return answers[0]
    last = answers[-1]
    return Completion(
        text=last.text, reasoning=last.reasoning, finish_reason=last.finish_reason,
        input_tokens=sum(a.input_tokens for a in answers), output_tokens=sum(a.output_tokens for a in answers),
        total_tokens=sum(a.total_tokens for a in answers), latency=sum(a.latency for a in answers),
        raw_model=last.raw_model, earlier=[a.text for a in answers[:-1]])
