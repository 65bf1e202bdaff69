"""What an instruction checker is, and the argument readers every checker shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Check = Callable[[str], bool]
"""A built checker: the response text in, whether the instruction is followed out."""

Args = Mapping[str, Any]

LESS_THAN = "less than"
AT_LEAST = "at least"
RELATIONS = (LESS_THAN, AT_LEAST)


class InstructionArgsError(ValueError):
    """The instruction's kwargs cannot be scored deterministically (EvalScope would raise or draw at random)."""


@dataclass(frozen=True)
class Instruction:
    """One instruction id: the kwargs it accepts and how to build its checker from them."""

    id: str
    params: tuple[str, ...] | None
    """The accepted kwarg names; ``None`` accepts any (and ignores them)."""
    build: Callable[[Args], Check]
    uses_prompt: bool = False
    """Rebuilt with only ``prompt=<sample prompt>`` after the first build (as IFBench does for such checkers)."""

    def make(self, args: Args) -> Check:
        """Validate ``args`` against :attr:`params` and build the checker."""
        if self.params is None:
            return self.build({})
        extra = sorted(set(args) - set(self.params))
        if extra:
            raise InstructionArgsError(f"{self.id}: unexpected kwargs {extra}")
        return self.build(args)


def random_draw(instruction_id: str, name: str) -> InstructionArgsError:
    """The error for a missing or out-of-range kwarg for which EvalScope would draw a random value."""
    return InstructionArgsError(
        f"{instruction_id}: kwarg {name!r} is missing or out of range; EvalScope draws a random value "
        f"there, so the sample cannot be scored reproducibly"
    )


def count_arg(args: Args, instruction_id: str, name: str) -> Any:
    """A count threshold: absent or negative means a random draw in EvalScope."""
    value = args.get(name)
    if value is None or value < 0:
        raise random_draw(instruction_id, name)
    return value


def relation_arg(args: Args, instruction_id: str, name: str = "relation") -> str:
    """A comparison relation, ``less than`` or ``at least``."""
    value = args.get(name)
    if value is None:
        raise random_draw(instruction_id, name)
    if value not in RELATIONS:
        raise InstructionArgsError(f"{instruction_id}: {name} must be one of {list(RELATIONS)}, got {value!r}")
    return str(value)


def compare(actual: Any, relation: str, threshold: Any) -> bool:
    """``actual < threshold`` for ``less than``, ``actual >= threshold`` for ``at least``."""
    return bool(actual < threshold) if relation == LESS_THAN else bool(actual >= threshold)


def text_arg(args: Args, instruction_id: str, name: str) -> Any:
    """A required string kwarg (stripped); absent means a random pick in EvalScope."""
    value = args.get(name)
    if value is None:
        raise random_draw(instruction_id, name)
    return value.strip() if isinstance(value, str) else value
