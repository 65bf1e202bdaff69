"""The rubric benchmarks' judge prompts, written for this project (EvalScope 1.14.1's rubric and inputs, our words)."""

from __future__ import annotations

_RUBRIC_ITEM = """You are given a conversation and one rubric item. Decide whether the final assistant message of the
conversation (the response being graded) meets the rubric item.

How to decide:
- The item is met only when every part of it holds: if it names several requirements, all of them must hold.
- When the item gives a list introduced by "such as", "for example", "e.g." or "including", the response need
  not mention every listed example (or any of them verbatim) to meet it; covering the idea is enough.
- Some items describe something undesirable and carry negative points (for example "gives inaccurate
  information" or "is overly verbose"). Grade those the same way: "criteria_met" is true when the response does
  the undesirable thing and false when it does not. You are reporting whether the item describes the response,
  not whether the response is good.

Conversation:
{conversation}

Rubric item:
{rubric}

Explain your decision in "explanation" and give "criteria_met" as true or false."""

HEALTH_BENCH = _RUBRIC_ITEM
"""health_bench: one request per rubric item; the item is shown as ``[points] criterion``."""

PRBENCH = _RUBRIC_ITEM
"""prbench: one request per rubric criterion; the criterion's title only (its weight is not shown)."""
