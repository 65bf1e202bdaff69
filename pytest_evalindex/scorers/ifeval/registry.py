"""The instruction ids each dataset knows, mapped to their checkers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pytest_evalindex.scorers.ifeval import (
    ifbench_custom,
    ifbench_format,
    ifbench_sentences,
    ifbench_words,
    ifeval_layout,
    ifeval_words,
)
from pytest_evalindex.scorers.ifeval.base import Instruction


def _index(*groups: Iterable[Instruction]) -> Mapping[str, Instruction]:
    table: dict[str, Instruction] = {}
    for group in groups:
        for instruction in group:
            if instruction.id in table:
                raise ValueError(f"duplicate instruction id {instruction.id!r}")
            table[instruction.id] = instruction
    return table


IFEVAL: Mapping[str, Instruction] = _index(ifeval_words.INSTRUCTIONS, ifeval_layout.INSTRUCTIONS)
"""IFEval's 25 instruction ids."""

IFBENCH: Mapping[str, Instruction] = _index(
    ifbench_words.INSTRUCTIONS, ifbench_sentences.INSTRUCTIONS, ifbench_format.INSTRUCTIONS,
    ifbench_custom.INSTRUCTIONS,
)
"""IFBench's 58 instruction ids."""
