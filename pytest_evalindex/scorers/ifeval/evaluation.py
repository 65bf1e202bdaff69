"""Strict and loose instruction following for one response, and the four per-sample metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_evalindex.scorers.ifeval.base import Check, Instruction, InstructionArgsError

KwargFilter = Callable[[Mapping[str, Any]], dict[str, Any]]


def drop_falsy(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """IFEval's kwargs filter: every falsy value (None, 0, "", []) is dropped."""
    return {k: v for k, v in kwargs.items() if v}


def drop_none(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """IFBench's kwargs filter: only ``None`` values are dropped."""
    return {k: v for k, v in kwargs.items() if v is not None}


def loose_variants(response: str) -> list[str]:
    """The eight texts the loose rule tries: as is, without ``*``, and without the first/last/both lines."""
    lines = response.split("\n")
    cut = ["\n".join(lines[1:]).strip(), "\n".join(lines[:-1]).strip(), "\n".join(lines[1:-1]).strip()]
    return [response, response.replace("*", ""), *cut, *(c.replace("*", "") for c in cut)]


@dataclass(frozen=True)
class Outcome:
    """Which instructions a response follows, strictly and loosely (one flag per instruction, in order)."""

    instruction_ids: tuple[str, ...]
    strict: tuple[bool, ...]
    loose: tuple[bool, ...]

    def metrics(self) -> dict[str, float]:
        """The four per-sample metrics; inst-level values are fractions (0 when there is no instruction)."""
        count = len(self.strict)
        return {
            "prompt_level_strict": float(all(self.strict)),
            "inst_level_strict": sum(self.strict) / count if count else 0,
            "prompt_level_loose": float(all(self.loose)),
            "inst_level_loose": sum(self.loose) / count if count else 0,
        }


def _build(instruction: Instruction, kwargs: Mapping[str, Any], prompt: str) -> Check:
    check = instruction.make(kwargs)
    if instruction.uses_prompt:
        check = instruction.make({"prompt": prompt})
    return check


def _checks(
    registry: Mapping[str, Instruction], ids: Sequence[str], kwargs_list: Sequence[Mapping[str, Any]],
    keep: KwargFilter, prompt: str,
) -> list[Check]:
    checks = []
    for index, instruction_id in enumerate(ids):
        instruction = registry.get(instruction_id)
        if instruction is None:
            raise InstructionArgsError(f"unknown instruction id {instruction_id!r}")
        if index >= len(kwargs_list):
            raise InstructionArgsError(f"no kwargs for instruction {index} ({instruction_id})")
        kwargs = kwargs_list[index]
        if not isinstance(kwargs, Mapping):
            raise InstructionArgsError(f"kwargs of {instruction_id} must be an object, got {type(kwargs).__name__}")
        checks.append(_build(instruction, keep(kwargs), prompt))
    return checks


def evaluate(
    response: str, *, prompt: str, instruction_ids: Sequence[str], kwargs_list: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Instruction], keep: KwargFilter,
) -> Outcome:
    """Check every instruction on ``response``; an unscorable instruction raises (never a silent zero)."""
    # Each pass builds its own checkers, so a checker's state never leaks from strict into loose.
    strict_checks = _checks(registry, instruction_ids, kwargs_list, keep, prompt)
    strict = tuple(bool(response.strip()) and check(response) for check in strict_checks)
    variants = [v for v in loose_variants(response) if v.strip()]
    loose_checks = _checks(registry, instruction_ids, kwargs_list, keep, prompt)
    loose = tuple(any(check(v) for v in variants) for check in loose_checks)
    return Outcome(tuple(instruction_ids), strict, loose)
