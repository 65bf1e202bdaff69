"""The review line's score as EvalScope 1.14.1 writes it (seen in benchmarks/parity_evalscope.py --suite mix)."""

from __future__ import annotations

import json

from helpers_results import make_result

from pytest_evalindex.runs.evalscope import prediction_line, renumbered, renumbered_text, review_line
from pytest_evalindex.runs.writer import strict_encoder


def _score(dataset: str, metric: str, value: float, metrics: dict[str, float] | None = None) -> dict[str, object]:
    result = make_result(0, dataset, "default", value, metric=metric, metrics=metrics)
    score: dict[str, object] = review_line(0, result, None, "m")["sample_score"]["score"]
    return score


def test_the_value_holds_every_metric_in_the_scorers_order() -> None:
    ner = {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "accuracy": 0.9}
    score = _score("conll2003", "precision", 1.0, ner)
    assert list(score["value"]) == ["precision", "recall", "f1", "accuracy"]  # type: ignore[call-overload]
    assert score["value"] == ner and score["main_score_name"] is None


def test_main_score_name_follows_the_benchmark_not_the_metric() -> None:
    assert _score("agieval", "acc", 1.0)["main_score_name"] == "acc"
    assert _score("aime25", "acc", 1.0)["main_score_name"] is None
    assert _score("zebralogicbench", "Solved Puzzle", 1.0, {"Solved Puzzle": 1.0, "Cell Num": 4.0})[
        "main_score_name"] == "puzzle_acc"
    assert _score("drop", "f1", 0.5, {"em": 0.0, "f1": 0.5}) == {
        **_score("drop", "f1", 0.5, {"em": 0.0, "f1": 0.5}), "value": {"em": 0.0, "f1": 0.5}, "main_score_name": "f1"}


def test_an_excluded_sample_has_an_empty_value() -> None:
    result = make_result(0, "ifeval", "default", None, metric="prompt_level_strict", status="excluded")
    score = review_line(0, result, None, "m")["sample_score"]["score"]
    assert score["value"] == {} and score["status"] == "excluded"


def test_a_merge_renumbers_the_lines_text_as_a_parse_would_or_leaves_them_to_a_parse() -> None:
    encode = strict_encoder()
    plain = make_result(3, "arc", "easy", 1.0)
    nested = make_result(4, "arc", "easy", 1.0, score_metadata={"sample_id": 7, "note": '"sample_id": 1, '})
    for result, fast in ((plain, True), (nested, False)):
        prediction = prediction_line(3, result, None, "m")
        review = review_line(3, result, None, "m", messages=prediction["messages"], group_id=1)
        texts = (encode(prediction), encode(review))
        expected = renumbered((json.loads(texts[0]), json.loads(texts[1])), 12)
        expected[1]["sample_score"]["group_id"] = 4
        got = renumbered_text(*texts, 12, 4)
        # the same text as parse, renumber, encode; a review naming sample_id twice is left to the parse
        assert got == ((encode(expected[0]), encode(expected[1])) if fast else None)
