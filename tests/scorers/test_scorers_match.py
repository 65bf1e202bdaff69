"""Match scorers: exact, normalized_match, trivia_qa (EvalScope 1.14.1, and the older quirks as
``trivia_qa_legacy``), includes."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.match import (
    exact,
    extract_answer_line,
    extract_trivia_answer,
    includes,
    normalize_text,
    normalize_trivia_answer,
    normalized_match,
    trivia_qa,
    trivia_qa_legacy,
)


def s(completion: str, target: str, **metadata: Any) -> ScoreInput:
    return ScoreInput(completion=completion, target=target, metadata=metadata)


def test_exact_strips_but_is_case_sensitive() -> None:
    assert exact(s("  Paris\n", "Paris")).value == 1.0
    assert exact(s("paris", "Paris")).value == 0.0
    assert exact(s("<think>London?</think>Paris", "Paris")).extracted == "Paris"


def test_normalize_text_is_squad_normalisation() -> None:
    assert normalize_text("  The  Eiffel-Tower, in PARIS! ") == "eiffeltower in paris"
    assert normalize_text("an apple a day") == "apple day"


def test_normalized_match() -> None:
    assert normalized_match(s("The Beatles.", "beatles")).value == 1.0
    assert normalized_match(s("The Beatles were great", "beatles")).value == 0.0


@pytest.mark.parametrize(
    ("text", "extracted"),
    [
        ("Reasoning...\nANSWER: Paris", "Paris"),
        ("ANSWER: Lyon\nthinking again\nANSWER: Paris", "Paris"),
        ("  Paris  ", "Paris"),
    ],
)
def test_trivia_extraction(text: str, extracted: str) -> None:
    assert extract_trivia_answer(text) == extracted


def test_trivia_qa_legacy_case_sensitive_substring_quirk() -> None:
    target = "ParisParis, France" + "parisparis france"  # aliases + normalized aliases, no separator
    assert trivia_qa_legacy(s("ANSWER: Paris", target)).value == 1.0
    assert trivia_qa_legacy(s("ANSWER: a", "Paris")).value == 1.0  # any substring passes (older EvalScope)
    assert trivia_qa_legacy(s("ANSWER: PARIS", "Paris")).value == 0.0
    assert trivia_qa_legacy(s("ANSWER: paris", "Paris")).value == 0.0
    assert trivia_qa_legacy(s("ANSWER: Paris, the capital", "Paris")).value == 0.0


def test_trivia_qa_legacy_empty_prediction_is_wrong_empty_target_excluded() -> None:
    empty = trivia_qa_legacy(s("ANSWER:   ", "Paris"))
    assert (empty.value, empty.extracted) == (0.0, "")
    assert trivia_qa_legacy(s("ANSWER: Paris", "")).value is None


def aliases(completion: str, *targets: str) -> ScoreInput:
    return ScoreInput(completion=completion, target="".join(targets), targets=targets)


# Expected (extracted, value): EvalScope 1.14.1's TriviaQaAdapter.extract_answer and
# Accuracy(allow_inclusion=True) on the same answer and target list.
@pytest.mark.parametrize(
    ("completion", "targets", "extracted", "value"),
    [
        ("ANSWER: a", ("Paris", "paris"), "", 0.0),
        ("ANSWER: paris", ("Paris",), "paris", 1.0),
        ("ANSWER: The Pacific Ocean.", ("Pacific Ocean", "pacific ocean"), "pacific ocean", 1.0),
        ("**Answer: Paris**", ("Paris",), "paris", 1.0),
        ("It is Paris", ("Paris",), "it is paris", 0.0),
        ("ANSWER: Paris, France", ("Paris",), "paris france", 0.0),
        ("answer: O'Neill", ("O Neill",), "o neill", 1.0),
        ("ANSWER: Paris", (), "paris", 0.0),
        ("ANSWER: Lyon\nANSWER: Paris\nthanks", ("paris",), "paris", 1.0),
        ("ANSWER: ", ("Paris",), "", 0.0),
    ],
)
def test_trivia_qa_1_14(completion: str, targets: tuple[str, ...], extracted: str, value: float) -> None:
    score = trivia_qa(aliases(completion, *targets))
    assert (score.extracted, score.value) == (extracted, value)


def test_trivia_qa_helpers() -> None:
    assert extract_answer_line("x\n**ANSWER:** *Lyon*\nmore") == "Lyon"
    assert extract_answer_line("no marker") is None
    assert normalize_trivia_answer("The  Beatles’_Song!") == "beatles song"


def test_trivia_qa_strips_think_blocks() -> None:
    score = trivia_qa(aliases("<think>ANSWER: Lyon</think>ANSWER: Paris", "Paris"))
    assert (score.extracted, score.value) == ("paris", 1.0)
    score = trivia_qa_legacy(s("<think>ANSWER: Lyon</think>ANSWER: Paris", "Paris"))
    assert (score.extracted, score.value) == ("Paris", 1.0)


def test_includes_uses_normalized_whole_words() -> None:
    assert includes(s("I believe it is the Eiffel Tower.", "eiffel tower")).value == 1.0
    assert includes(s("Paris", "Par")).value == 0.0  # unlike trivia_qa, no partial words
    assert includes(s("Parisian", "Paris")).value == 0.0


def test_includes_accepts_any_alias() -> None:
    sample = s("It was J.F.K.", "John F. Kennedy", aliases=["John F. Kennedy", "JFK"])
    score = includes(sample)
    assert score.value == 1.0 and score.explanation == "matched 'jfk'"
    assert includes(s("Nixon", "JFK", aliases=["JFK", "Kennedy"])).value == 0.0


def test_includes_empty_target_is_excluded() -> None:
    assert includes(s("anything", " ... ")).value is None


@pytest.mark.parametrize("text", ["\x00" * 1000, "ANSWER:" * 10000, "{" * 100000, ""])
def test_never_raises(text: str) -> None:
    for fn in (exact, normalized_match, trivia_qa, trivia_qa_legacy, includes):
        assert fn(s(text, "Paris")).value in (0.0, 1.0)


def test_strip_think_removes_only_paired_blocks() -> None:
    from pytest_evalindex.scorers.text import clean_completion, strip_think

    assert strip_think("<think>\nA?\n</think>\nB") == "\nB"
    assert strip_think('<think signature="abc" redacted="true">x</think>y<think>z</think>') == "y"
    assert strip_think("reasoning without opener</think>ANSWER: B") == (
        "reasoning without opener</think>ANSWER: B")
    assert strip_think("<think>never closed ANSWER: A") == "<think>never closed ANSWER: A"
    assert clean_completion(None) == ""
