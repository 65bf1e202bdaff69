"""Which samples the judge scores under ``--eval-judge-strategy``, as EvalScope 1.14.1 decides it.

``auto`` follows the benchmark's policy (judge-only and judge-default benchmarks are judged, the rest
scored by rule); ``rule`` never asks the judge and is refused for judge-only benchmarks; ``llm``
judges everything (benchmarks without a judge definition get the generic judge); ``llm_recall``
asks the judge only where the rule score is not already above 0.99 and keeps the larger one (also
refused for judge-only benchmarks, which have no rule score).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_evalindex.scorers.judge.benchmarks import GENERIC, JUDGE_SPECS
from pytest_evalindex.scorers.judge.spec import JudgeSpec

STRATEGIES = ("auto", "rule", "llm", "llm_recall")


@dataclass(frozen=True)
class JudgePlan:
    """How one benchmark is scored: ``mode`` is ``judge``, ``judge_default`` (rule fallback) or ``recall``."""

    spec: JudgeSpec
    mode: str


def spec_for(name: str) -> JudgeSpec | None:
    """The benchmark's own judge definition, if it has one."""
    return JUDGE_SPECS.get(name)


def plan_for(name: str, strategy: str) -> JudgePlan | None:
    """How ``name`` is judged under ``strategy``; ``None`` when it is scored by rule only."""
    own = JUDGE_SPECS.get(name)
    if strategy == "rule":
        return None
    if strategy == "llm_recall":
        return JudgePlan(own or GENERIC, "recall")
    if strategy == "llm" or (own is not None and own.policy != "rule_default"):
        # An unusable verdict falls back to the rule score wherever a rule score exists.
        spec = own or GENERIC
        return JudgePlan(spec, "judge" if spec.judge_only else "judge_default")
    return None


def refused(names: Iterable[str], strategy: str) -> list[str]:
    """The judge-only benchmarks among ``names`` that ``strategy`` cannot score (``rule``, ``llm_recall``)."""
    if strategy not in ("rule", "llm_recall"):
        return []
    return sorted({n for n in names if (spec := JUDGE_SPECS.get(n)) is not None and spec.judge_only})


def conversation_of(messages: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    """The prompt's messages as (role, text) pairs; a message's text parts are joined by newlines."""
    pairs = []
    for message in messages:
        content = getattr(message, "content", "")
        if not isinstance(content, str):
            content = "\n".join(getattr(part, "text", "") for part in content if getattr(part, "type", "") == "text")
        pairs.append((str(getattr(message, "role", "")), content))
    return tuple(pairs)


def pretty_prompt(messages: Sequence[Any]) -> str:
    """The prompt as EvalScope's ``input_text`` shows it: ``**Role**: text`` blocks joined by blank lines."""
    blocks = []
    for message in messages:
        role = str(getattr(message, "role", "")).capitalize()
        content = getattr(message, "content", "")
        if not isinstance(content, str):
            content = "\n".join(getattr(part, "text", "") for part in content if getattr(part, "type", "") == "text")
        blocks.append(f"**{role}**: {content}")
    return "\n\n".join(blocks)
