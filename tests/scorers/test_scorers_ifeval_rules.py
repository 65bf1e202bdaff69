"""Scorer contract of ifeval/ifbench: registration, the four metrics, kwargs filtering and unscorable samples."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.ifeval import score_ifbench, score_ifeval
from pytest_evalindex.scorers.ifeval.evaluation import loose_variants
from pytest_evalindex.scorers.registry import lookup


def _meta(ids: list[str], kwargs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": 1, "prompt": "Write something.", "instruction_id_list": ids, "kwargs": kwargs}


def _score(dataset: str, answer: str, ids: list[str], kwargs: list[dict[str, Any]]) -> Any:
    fn = score_ifeval if dataset == "ifeval" else score_ifbench
    return fn(ScoreInput(completion=answer, target="", metadata=_meta(ids, kwargs), dataset_name=dataset))


@pytest.mark.parametrize("name", ["ifeval", "ifbench"])
def test_registered_in_the_instruction_family(name: str) -> None:
    spec = lookup(name)
    assert spec is not None
    assert (spec.family, spec.metric, spec.requires_choices) == ("instruction", "prompt_level_strict", False)


def test_four_metrics_fractions_and_weights() -> None:
    # Two of three instructions followed, strictly and loosely (values checked against EvalScope 1.14.1).
    score = _score("ifeval", "**<<Plan>>**\nNo commas here\nP.S. bye",
                   ["punctuation:no_comma", "detectable_format:title", "keywords:existence"],
                   [{}, {}, {"keywords": ["budget"]}])
    assert score.metric == "prompt_level_strict" and score.value == 0.0
    assert score.metrics == {"prompt_level_strict": 0.0, "inst_level_strict": 2 / 3,
                             "prompt_level_loose": 0.0, "inst_level_loose": 2 / 3}
    assert score.metadata == {"metric_weights": {"inst_level_strict": 3, "inst_level_loose": 3}}
    assert "keywords:existence" in (score.explanation or "")


def test_loose_rule_tries_eight_variants() -> None:
    variants = loose_variants("Sure!\n*body*\nBye")
    assert variants == ["Sure!\n*body*\nBye", "Sure!\nbody\nBye", "*body*\nBye", "Sure!\n*body*", "*body*",
                        "body\nBye", "Sure!\nbody", "body"]
    score = _score("ifeval", "Sure, here it is:\nMy answer is yes", ["punctuation:no_comma"], [{}])
    assert score.metrics["inst_level_strict"] == 0.0 and score.metrics["prompt_level_loose"] == 1.0


def test_ifeval_drops_falsy_kwargs_so_a_zero_threshold_is_a_random_draw() -> None:
    score = _score("ifeval", "One. Two.", ["length_constraints:number_sentences"],
                   [{"num_sentences": 0, "relation": "at least"}])
    assert score.value is None
    assert "EvalScope draws a random value" in (score.explanation or "")


def test_ifbench_keeps_zero_kwargs() -> None:
    score = _score("ifbench", "No digits at all.", ["count:numbers"], [{"N": 0, "sep": None}])
    assert score.value == 1.0


@pytest.mark.parametrize(("ids", "kwargs", "cause"), [
    (["detectable_format:nope"], [{}], "unknown instruction id"),
    (["punctuation:no_comma"], [], "no kwargs for instruction"),
    (["punctuation:no_comma"], [{"num_words": 3}], "unexpected kwargs"),
    (["keywords:frequency"], [{"keyword": "a", "frequency": 2, "relation": "at most"}], "relation must be one of"),
])
def test_unscorable_samples_are_excluded_with_a_cause(ids: list[str], kwargs: list[dict[str, Any]],
                                                       cause: str) -> None:
    score = _score("ifeval", "Some answer.", ids, kwargs)
    assert score.value is None and cause in (score.explanation or "")
    assert "\n" not in (score.explanation or "")


def test_missing_metadata_is_excluded() -> None:
    score = score_ifeval(ScoreInput(completion="x", target="", metadata={}, dataset_name="ifeval"))
    assert score.value is None and "instruction_id_list" in (score.explanation or "")


def test_empty_answer_follows_nothing() -> None:
    score = _score("ifeval", "   ", ["punctuation:no_comma"], [{}])
    assert score.value == 0.0 and score.metrics["prompt_level_loose"] == 0.0
