"""NER scorers (22 EvalScope benchmarks) against EvalScope 1.14.1's own scores, plus the tag reader's rules.

The oracle file tests/scorers/data/match_oracle.json was written by tests/scorers/data/gen_match_oracle.py,
which scored every case of benchmarks/parity_cases/match_ner.py (and a few broken inputs) with EvalScope's
adapters as its data_collection does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.ner import bio_tags, find_entities, tagged_body
from pytest_evalindex.scorers.ner_labels import NER_DATASETS, tag_types
from pytest_evalindex.scorers.registry import lookup

pytest.importorskip("seqeval")

ORACLE = json.loads((Path(__file__).parent / "data" / "match_oracle.json").read_text(encoding="utf-8"))


def _cases(names: frozenset[str]) -> list[dict[str, Any]]:
    return [c for c in ORACLE["cases"] if c["dataset_name"] in names]


def _sample(case: dict[str, Any]) -> ScoreInput:
    target = case["target"]
    targets = (target,) if isinstance(target, str) else tuple(target)
    return ScoreInput(completion=case["answer"], target="".join(targets), targets=targets, choices=None,
                      metadata=case["metadata"], dataset_name=case["dataset_name"], subset_name=case["subset_name"])


def _check_against_oracle(case: dict[str, Any]) -> None:
    """The registered scorer gives EvalScope's main value, metric, every metric, extraction and metadata;
    where EvalScope itself fails on the sample, ours excludes it."""
    spec = lookup(case.get("scorer") or case["dataset_name"])
    assert spec is not None and spec.family == "match"
    score = spec.fn(_sample(case))
    expected = case["expected"]
    if "error" in expected:
        assert score.value is None, expected["error"]
        return
    if expected["value"] is None:
        assert score.value is None
        assert score.extracted == expected["extracted"]
        return
    assert score.value == pytest.approx(expected["value"], abs=1e-12)
    assert score.metric == expected["metric"] == spec.metric
    metrics: dict[str, float | None] = {**score.metrics} or {score.metric: score.value}  # empty metrics: the main one is the only one
    assert metrics == pytest.approx(expected["values"], abs=1e-12)
    assert list(metrics) == list(expected["values"])  # same keys, same order as EvalScope's value dict
    assert score.extracted == expected["extracted"]
    assert dict(score.metadata) == expected["metadata"]


NER_CASES = _cases(frozenset(NER_DATASETS))


@pytest.mark.parametrize("case", NER_CASES,
                         ids=[f"{c.get('scorer') or c['dataset_name']}-{c['note']}" for c in NER_CASES])
def test_ner_scores_match_evalscope(case: dict[str, Any]) -> None:
    _check_against_oracle(case)


def test_every_ner_benchmark_is_registered_and_probed() -> None:
    assert len(NER_DATASETS) == 22
    assert {c["dataset_name"] for c in NER_CASES} == set(NER_DATASETS)
    for name in NER_DATASETS:
        spec = lookup(name)
        assert spec is not None
        assert (spec.metric, spec.family, spec.needs) == ("precision", "match", ("package:seqeval",))


def test_collection_main_metric_is_precision_not_f1() -> None:
    # One false positive among three predicted entities: precision 2/3 is what a collection averages.
    case = next(c for c in ORACLE["cases"] if c["note"] == "one false positive")
    score = lookup("conll2003").fn(_sample(case))  # type: ignore[union-attr]
    assert score.value == pytest.approx(2 / 3)
    assert score.metrics["f1"] == pytest.approx(0.8)


def test_tagged_body_takes_first_response_and_renames_closing_tags() -> None:
    assert tagged_body("x <response>a</response> <response>b</response>") == "a"
    assert tagged_body("<person>Ann</org> met") == "<person>Ann</person> met"
    assert tagged_body("<response>line\nbreak</response>") == "line\nbreak"


def test_find_entities_keeps_unknown_closed_tags_and_only_known_unclosed_ones() -> None:
    types = tag_types("conll2003")
    found = find_entities("<person>Ann</person> and <robot>R2</robot> in <location>Rome", types)
    assert [(e.label, e.text) for e in found] == [("PER", "Ann"), ("robot", "R2"), ("LOC", "Rome")]
    assert [e.text for e in find_entities("<robot>R2 walks", types)] == []


def test_repeated_name_is_placed_exactly_when_text_is_kept() -> None:
    tokens = ["Peter", "said", "Peter", "left"]
    assert bio_tags("Peter said <person>Peter</person> left", tokens, tag_types("conll2003")) == [
        "O", "O", "B-PER", "O"]
    # Changed text (double space): the entity is found by the text around it, still the second "Peter".
    assert bio_tags("Peter said  <person>Peter</person> left", tokens, tag_types("conll2003")) == [
        "O", "O", "B-PER", "O"]
    # Changed text and no telling context: the first occurrence is taken.
    assert bio_tags("<person>Peter</person>  said Peter left", tokens, tag_types("conll2003")) == [
        "B-PER", "O", "O", "O"]


def test_cross_ner_subset_tags_variant_scores_a_correct_answer() -> None:
    case = next(c for c in NER_CASES if c.get("scorer") == "cross_ner@subset_tags" and c["note"] == "correct")
    assert case["expected"]["value"] == 1.0  # EvalScope on cross_ner alone
    assert lookup("cross_ner@subset_tags").fn(_sample(case)).value == 1.0  # type: ignore[union-attr]
    assert lookup("cross_ner").fn(_sample(case)).value == 0.0  # type: ignore[union-attr]


def test_cross_ner_tags_keep_their_own_names_in_a_collection() -> None:
    assert dict(tag_types("cross_ner")) == {}
    assert bio_tags("<algorithm>CNN</algorithm> rocks", ["CNN", "rocks"], tag_types("cross_ner")) == [
        "B-algorithm", "O"]
