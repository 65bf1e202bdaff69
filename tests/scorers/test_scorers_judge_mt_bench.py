"""mt_bench: what the model is asked (turns, category temperature, max_tokens), which judge prompts are sent, and
the scale rule (1–10 unnormalised under --eval-compat evalscope, (score − 1) / 9 otherwise)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_evalindex.scorers.base import Score
from pytest_evalindex.scorers.judge.benchmarks import CONVERSATIONS, JUDGE_SPECS
from pytest_evalindex.scorers.judge.mt_bench import MTBenchSampleError
from pytest_evalindex.scorers.judge.outcome import CaseReply, score_sample
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput
from pytest_evalindex.scorers.judge.templates import BUILTIN
from pytest_evalindex.scorers.unit_range import on_unit_scale

SPEC = JUDGE_SPECS["mt_bench"]
WRITING: dict[str, Any] = {"category": "writing", "turns": ["Write a haiku.", "Now make it rhyme."], "references": []}
CODING: dict[str, Any] = {"category": "coding", "turns": ["Reverse a list in Python.", "Now in place."],
          "references": ["Use xs[::-1].", "Use xs.reverse()."]}


def _sample(metadata: dict[str, Any], answers: tuple[str, ...] = ("ANSWER-ONE", "ANSWER-TWO")) -> JudgeInput:
    return JudgeInput(question="**User**: " + str(metadata["turns"][0]),
                      target="", prediction=answers[-1] if answers else "", completion=answers[-1] if answers else "",
                      metadata=metadata, answers=answers)


def _scored(metadata: dict[str, Any], replies: list[str]) -> Score:
    sample = _sample(metadata)

    def ask(cases: list[JudgeCase]) -> list[CaseReply]:
        return [CaseReply(case, text) for case, text in zip(cases, replies, strict=True)]

    return score_sample(SPEC, "judge", sample, lambda: SPEC.build(SPEC, sample, BUILTIN), ask,
                        lambda: Score(value=None), judge_model="j", strategy="auto")


def test_the_model_is_asked_turn_two_at_the_category_temperature_with_1024_tokens_unless_set() -> None:
    plan = CONVERSATIONS["mt_bench"]
    assert plan(WRITING, {"temperature": 0.0}) == (["Now make it rhyme."], {"temperature": 0.7, "max_tokens": 1024})
    assert plan(CODING, {"temperature": 0.9, "max_tokens": 64}) == (["Now in place."], {"temperature": 0.0})
    assert plan({**WRITING, "category": "humanities"}, {})[1] == {"temperature": 0.1, "max_tokens": 1024}
    with pytest.raises(MTBenchSampleError, match="metadata.category 'poetry'"):
        plan({**WRITING, "category": "poetry"}, {})
    with pytest.raises(MTBenchSampleError, match="metadata.turns must be a list of exactly two strings"):
        plan({**WRITING, "turns": ["only one"]}, {})


def test_judge_prompts_rate_turn_one_alone_and_turn_two_in_the_conversation_with_references_where_due() -> None:
    first, second = SPEC.build(SPEC, _sample(WRITING), BUILTIN)
    assert [first.case_id, second.case_id] == ["first_turn", "second_turn"]
    assert [m["role"] for m in first.messages] == [m["role"] for m in second.messages] == ["system", "user"]
    assert "ANSWER-ONE" in first.messages[1]["content"] and "ANSWER-TWO" not in first.messages[1]["content"]
    conversation = second.messages[1]["content"]
    assert [conversation.index(t) for t in ("Write a haiku.", "ANSWER-ONE", "Now make it rhyme.", "ANSWER-TWO")] == \
        sorted(conversation.index(t) for t in ("Write a haiku.", "ANSWER-ONE", "Now make it rhyme.", "ANSWER-TWO"))
    assert "Reference" not in first.messages[1]["content"] + conversation
    assert first.messages[1]["content"].endswith(SPEC.schema.instruction()) and '"score": an integer' in conversation
    ref_first, ref_second = SPEC.build(SPEC, _sample(CODING), BUILTIN)
    assert "Use xs[::-1]." in ref_first.messages[1]["content"] and "Use xs.reverse()." not in ref_first.messages[1][
        "content"]
    assert "Use xs[::-1]." in ref_second.messages[1]["content"] and "Use xs.reverse()." in ref_second.messages[1][
        "content"]
    with pytest.raises(MTBenchSampleError, match="needs the model's answers to both turns"):
        SPEC.build(SPEC, _sample(WRITING, answers=("only the last",)), BUILTIN)
    with pytest.raises(MTBenchSampleError, match="metadata.references"):
        SPEC.build(SPEC, _sample({**CODING, "references": []}), BUILTIN)


def test_scale_rule_evalscope_keeps_one_to_ten_the_default_mode_maps_one_to_zero_and_ten_to_one() -> None:
    score = _scored(WRITING, ['{"score": 8}', '{"explanation": "weaker", "score": 6}'])
    assert (score.value, score.metric) == (7.0, "judge_score")  # what --eval-compat evalscope averages
    assert score.metrics == {"judge_score": 7.0, "first_turn_judge_score": 8.0, "second_turn_judge_score": 6.0}
    unit = on_unit_scale(score, SPEC.scale)
    assert unit.value == pytest.approx(6 / 9) and unit.metric == "judge_score"
    assert unit.metrics == pytest.approx({"judge_score": 6 / 9, "first_turn_judge_score": 7 / 9,
                                          "second_turn_judge_score": 5 / 9})
    assert unit.metadata["unit_scale"] == {"low": 1.0, "high": 10.0, "native": score.metrics}
    assert on_unit_scale(_scored(WRITING, ['{"score": 1}', '{"score": 1}']), SPEC.scale).value == 0.0
    assert on_unit_scale(_scored(WRITING, ['{"score": 10}', '{"score": 10}']), SPEC.scale).value == 1.0
    excluded = _scored(WRITING, ['{"score": 8}', '{"score": 0}'])  # out of range: never a silent score
    assert excluded.value is None and on_unit_scale(excluded, SPEC.scale).value is None
    assert excluded.metadata["status"] == "excluded" and "second_turn" in excluded.metadata["judge_error"]
    assert all(spec.scale is None for name, spec in JUDGE_SPECS.items() if name != "mt_bench")
