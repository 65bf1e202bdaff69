"""Judged benchmarks: given the same judge replies, our scores are EvalScope 1.14.1's (data/judge_oracle.json).

The oracles (data/judge_oracle*.json, one per family of cases) were written by data/gen_judge_oracle.py, which runs EvalScope's own adapters and judge executor
with the judge's ``generate`` scripted. Here the same replies go through our verdict contract, label
mappings, rule fallbacks and strategies; the reply text is first split as our model layer splits every
reply (paired ``<think>`` blocks go to the reasoning), as EvalScope's message layer does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.model.openai_chat import split_reasoning
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.judge.outcome import CaseReply, score_sample
from pytest_evalindex.scorers.judge.plan import conversation_of, plan_for, pretty_prompt
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput
from pytest_evalindex.scorers.judge.templates import BUILTIN
from pytest_evalindex.scorers.registry import lookup

ORACLE_CASES = [case for path in sorted((Path(__file__).parent / "data").glob("judge_oracle*.json"))
                for case in json.loads(path.read_text(encoding="utf-8"))["cases"]]
CASES = [c for c in ORACLE_CASES if None not in c["replies"] and "error" not in c["expected"]]
TRANSPORT = [c for c in ORACLE_CASES if None in c["replies"]]
FAILING = [c for c in ORACLE_CASES if None not in c["replies"] and "error" in c["expected"]]


ASKED_AT_ONCE = {"health_bench", "prbench"}
"""Benchmarks with one judge request per rubric item, all sent as soon as the answer is in."""


class _Message:
    def __init__(self, role: str, content: str) -> None:
        self.role, self.content = role, content


def _ours(case: dict[str, Any]) -> tuple[Score, list[list[dict[str, str]]]]:
    plan = plan_for(case["dataset_name"], case["strategy"])
    assert plan is not None
    spec = plan.spec
    metadata = case["metadata"]
    turns = case["input"] if isinstance(case["input"], list) else [{"role": "user", "content": case["input"]}]
    messages = [_Message(turn["role"], turn["content"]) for turn in turns]
    question = pretty_prompt(messages)
    if spec.question_key and isinstance(metadata.get(spec.question_key), str):
        question = metadata[spec.question_key]
    target = case["target"]  # a list for cl_bench's rubrics: joined as scorers see it, its items kept
    sample = JudgeInput(question=question, target="".join(target) if isinstance(target, list) else target,
                        prediction=spec.extract(case["answer"]), completion=case["answer"], metadata=metadata,
                        targets=tuple(target) if isinstance(target, list) else (target,),
                        conversation=conversation_of(messages), answers=tuple(case.get("answers", ())))
    rule_spec = lookup(case["dataset_name"])
    assert rule_spec is not None
    sent: list[list[dict[str, str]]] = []
    replies = list(case["replies"])

    def ask(cases: list[JudgeCase]) -> list[CaseReply]:
        out = []
        for judge_case in cases:
            sent.append(judge_case.messages)
            text, reasoning = split_reasoning(replies.pop(0), None)
            out.append(CaseReply(judge_case, text, reasoning=reasoning))
        return out

    def rule() -> Score:
        return rule_spec.fn(ScoreInput(completion=case["answer"], target=case["target"], targets=(case["target"],),
                                       metadata=metadata, dataset_name=case["dataset_name"]))

    score = score_sample(spec, plan.mode, sample, lambda: spec.build(spec, sample, BUILTIN), ask, rule,
                         judge_model="judge-model", strategy=case["strategy"])
    return score, sent


@pytest.mark.parametrize("case", CASES, ids=[f"{c['dataset_name']}-{c['strategy']}-{c['note']}" for c in CASES])
def test_same_verdict_same_score_as_evalscope(case: dict[str, Any]) -> None:
    expected = case["expected"]
    score, sent = _ours(case)
    roles = [[m["role"] for m in messages] for messages in sent]
    if expected["value"] is None and case["dataset_name"] in ASKED_AT_ONCE:
        # EvalScope stops at the first unusable rubric item; we ask every item at once (excluded all the same).
        assert len(sent) == len(case["replies"]) >= expected["requests"]
        assert roles[:len(expected["roles"])] == expected["roles"]
    elif case["dataset_name"] == "mt_bench":
        # Where we differ on purpose: both turns' ratings are requested at once (the pipeline); EvalScope asks
        # for the second only once the first has parsed. The score is the same either way.
        assert len(sent) == 2 and roles[:expected["requests"]] == expected["roles"]
    else:
        assert len(sent) == expected["requests"]  # llm_recall asks nothing when the rule score is already right
        assert roles == expected["roles"]
    assert score.metadata.get("judge_summary") == expected["judge_summary"]  # EvalScope's JudgeSummary, field by field
    if expected["value"] is None:
        assert score.value is None and score.metadata["status"] == "excluded"
        assert case["replies"][0] in [a["raw_response"] for a in score.metadata["judge_attempts"]] or not case["replies"][0]
        return
    assert score.value == expected["value"]
    metrics: dict[str, float | None] = {**score.metrics} or {score.metric: score.value}
    assert metrics == expected["values"]
    assert score.metric == expected["metric"]
    assert score.metadata.get("status", "success") == expected["status"]
    if "rubric_tag_scores" in expected:  # health_bench: the score per rubric tag, in the review's metadata
        assert score.metadata["rubric_tag_scores"] == expected["rubric_tag_scores"]


def test_every_judged_benchmark_and_strategy_is_covered() -> None:
    from pytest_evalindex.scorers.judge.benchmarks import JUDGE_SPECS

    covered = {c["dataset_name"] for c in CASES}
    assert set(JUDGE_SPECS) <= covered
    assert {c["strategy"] for c in CASES} == {"auto", "llm", "llm_recall"}
    # Outcomes of every kind are in the oracle: scored, excluded, rule fallbacks of both kinds.
    assert {c["expected"]["status"] for c in CASES} == {"success", "excluded", "degraded", "fallback"}


def test_transport_failures_are_errors_here_not_exclusions() -> None:
    """Where we differ on purpose: EvalScope excludes (or falls back on) a sample whose judge call failed; here
    that is a pytest error counted in the error budget (tests/plugin/test_judge_end_to_end.py)."""
    assert {c["expected"]["status"] for c in TRANSPORT} <= {"excluded", "degraded"}


@pytest.mark.parametrize("case", FAILING, ids=[f"{c['dataset_name']}-{c['note']}" for c in FAILING])
def test_a_verdict_evalscope_fails_on_fails_the_sample_here_too(case: dict[str, Any]) -> None:
    """Where EvalScope's own scoring raises on a sample (a rubric without positive points, a verdict lacking a
    part the rubric scores), ours raises too: the sample is a pytest error, never a made-up score."""
    with pytest.raises(ValueError):
        _ours(case)
