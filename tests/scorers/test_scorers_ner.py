"""NER scorers (22 EvalScope benchmarks) against EvalScope 1.14.1's own scores, plus the tag reader's rules.

The oracle file tests/scorers/data/match_oracle.json was written by tests/scorers/data/gen_match_oracle.py,
which scored every case of benchmarks/parity_cases/match_ner.py (and a few broken inputs) with EvalScope's
adapters as its data_collection does.
"""

from __future__ import annotations

from typing import Any

import pytest
from match_oracle import ORACLE, check_against_oracle, oracle_cases, oracle_sample

from pytest_evalindex.scorers.ner import bio_tags, find_entities, tagged_body
from pytest_evalindex.scorers.ner_labels import NER_DATASETS, tag_types
from pytest_evalindex.scorers.registry import lookup

pytest.importorskip("seqeval")

NER_CASES = oracle_cases(frozenset(NER_DATASETS))


@pytest.mark.parametrize("case", NER_CASES,
                         ids=[f"{c.get('scorer') or c['dataset_name']}-{c['note']}" for c in NER_CASES])
def test_ner_scores_match_evalscope(case: dict[str, Any]) -> None:
    check_against_oracle(case)


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
    score = lookup("conll2003").fn(oracle_sample(case))  # type: ignore[union-attr]
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
    assert lookup("cross_ner@subset_tags").fn(oracle_sample(case)).value == 1.0  # type: ignore[union-attr]
    assert lookup("cross_ner").fn(oracle_sample(case)).value == 0.0  # type: ignore[union-attr]


def test_cross_ner_tags_keep_their_own_names_in_a_collection() -> None:
    assert dict(tag_types("cross_ner")) == {}
    assert bio_tags("<algorithm>CNN</algorithm> rocks", ["CNN", "rocks"], tag_types("cross_ner")) == [
        "B-algorithm", "O"]
