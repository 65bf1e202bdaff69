"""Multiple-choice letter scorers: EvalScope 1.14.1's English/Chinese parsers (ceval included),
and the older rules kept as ``*_legacy`` (C-Eval's strict ``答案：X``)."""

from __future__ import annotations

import pytest

from pytest_evalindex.core.choices import choice_label
from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.choice import (
    allowed_letters,
    ceval,
    ceval_legacy,
    choice_en,
    choice_en_legacy,
    choice_zh,
    choice_zh_legacy,
    parse_ceval,
    parse_letter,
)

FOUR = ("w", "x", "y", "z")


def mcq(completion: str, target: str = "B", choices: tuple[str, ...] = FOUR) -> ScoreInput:
    return ScoreInput(completion=completion, target=target, choices=choices)


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        # the verified table of spec §6 Family A
        ("ANSWER: B, not C", "B"),
        ("ANSWER: (C)", "C"),
        ("ANSWER: **C**", "C"),
        ("ANSWER: [LETTER] … ANSWER: D", "D"),
        ("ANSWER: AB", ""),
        ("The best is B. Also E", ""),
    ],
)
def test_spec_verified_table(output: str, expected: str) -> None:
    assert parse_letter(output, 4) == expected


@pytest.mark.parametrize(
    ("output", "extracted", "value"),
    [
        ("<think>Option A looks right... ANSWER: A? no.</think>\nANSWER: B", "B", 1.0),
        ("**B**", "B", 1.0),
        ("ANSWER: **B**", "B", 1.0),
        ("The answer is (C).", "C", 0.0),
        ("Let me think.\nA is wrong, C is wrong.\nANSWER: B.", "B", 1.0),
        ("answer: b", "", 0.0),  # lowercase label is not an allowed letter; no uppercase fallback
        ("ANSWER: B\nWait, actually ANSWER: D", "D", 0.0),
        ("", "", 0.0),
        ("I'm not sure.", "", 0.0),  # last uppercase 'I' is not an option
    ],
)
def test_english_realistic_answers(output: str, extracted: str, value: float) -> None:
    score = choice_en(mcq(output))
    assert (score.extracted, score.value, score.metric) == (extracted, value, "accuracy")


def test_think_block_with_wrong_letter_is_ignored() -> None:
    # without stripping, the fallback would see the last uppercase letter inside the block
    score = choice_en(mcq("<think>It must be D.</think>I pick B"))
    assert score.extracted == "B" and score.value == 1.0


def test_allowed_letters_follow_number_of_choices() -> None:
    assert allowed_letters(3) == {"A", "B", "C"}
    assert [choice_label(i) for i in (0, 25, 26, 27)] == ["A", "Z", "1", "2"]
    assert parse_letter("ANSWER: D", 3) == ""
    assert parse_letter("ANSWER: 2", 28) == "2"


def test_target_is_compared_after_strip_and_lower() -> None:
    assert choice_en(mcq("ANSWER: C", target=" c ")).value == 1.0


def test_empty_target_is_excluded_not_wrong() -> None:
    score = choice_en(mcq("ANSWER: B", target="  "))
    assert score.value is None and score.extracted == ""


@pytest.mark.parametrize(
    ("output", "zh", "ceval_letter"),
    [
        ("经过分析，选项B正确。\n答案：B", "B", "B"),
        ("答案: B", "B", ""),  # half-width colon: cmmlu accepts, ceval does not
        ("答案：**B**", "B", ""),
        ("答案：（C）", "C", ""),
        ("答案：A，然后重新考虑。答案：C", "C", "C"),
        ("<think>答案：A</think>答案：D", "D", "D"),
        ("我认为是B", "B", ""),  # Chinese parser falls back to the last uppercase letter
    ],
)
def test_chinese_parsers_legacy(output: str, zh: str, ceval_letter: str) -> None:
    assert choice_zh_legacy(mcq(output, target=zh)).extracted == zh
    score = ceval_legacy(mcq(output, target="B"))
    assert score.extracted == ceval_letter
    assert score.value == (1.0 if ceval_letter == "B" else 0.0)


# Expected letters: EvalScope 1.14.1's parse_answers_zh / parse_answers on the same text.
@pytest.mark.parametrize(
    ("output", "letter"),
    [
        ("经过分析，选项B正确。\n答案：B", "B"),
        ("答案: B", "B"),
        ("答案：**B**", "B"),
        ("答案：（C）", "C"),
        ("答案：A，然后重新考虑。答案：C", "C"),
        ("我认为是B", "B"),
        ("答案：$\\boxed{B}$", "B"),
        ("答案：A/C", ""),
        ("答案：E", ""),
    ],
)
def test_ceval_uses_the_shared_chinese_parser(output: str, letter: str) -> None:
    score = ceval(mcq(output, target="B"))
    assert score.extracted == letter == choice_zh(mcq(output)).extracted
    assert score.value == (1.0 if letter == "B" else 0.0)


@pytest.mark.parametrize(
    ("output", "new", "old"),
    [
        ("ANSWER: $\\boxed{B}$, I ruled out C", "B", "C"),  # LaTeX wrapper skipped; legacy falls back
        ("ANSWER: \\(B\\) since C is wrong", "B", "C"),
        ("ANSWER: A and C", "", "A"),  # a list of labels is no single answer
        ("ANSWER: (A/C)", "", "C"),
        ("ANSWER: B or maybe C", "B", "B"),
    ],
)
def test_english_parser_1_14_vs_legacy(output: str, new: str, old: str) -> None:
    # ``new``: EvalScope 1.14.1's parse_answers on the same text
    assert parse_letter(output, 4) == new
    assert parse_letter(output, 4, legacy=True) == old
    assert choice_en(mcq(output, target="C")).extracted == new
    assert choice_en_legacy(mcq(output, target="C")).extracted == old


def test_1_14_needs_exactly_one_accepted_answer() -> None:
    two = ScoreInput(completion="ANSWER: B", target="BC", choices=FOUR, targets=("B", "C"))
    assert choice_en(two).value is None  # EvalScope: Target.single() fails, the sample is excluded
    assert choice_en_legacy(two).value == 0.0  # joined "BC"
    dup = ScoreInput(completion="ANSWER: B", target="BB", choices=FOUR, targets=("B", " B "))
    assert choice_en(dup).value == 1.0


def test_ceval_only_accepts_a_to_d() -> None:
    assert parse_ceval("答案：E") == ""
    assert parse_ceval("答案：A 答案：B") == "B"


@pytest.mark.parametrize(
    "text",
    [
        "ANSWER: " * 20000,
        "\x00\x07\x1b[31mANSWER:\x00 B",
        "{{{{[[[(((答案：" * 1000,
        "<think>unclosed ANSWER: A",
        "ANSWER: (" + "A, " * 5000,
    ],
)
def test_never_raises_on_odd_text(text: str) -> None:
    for fn in (choice_en, choice_zh, ceval, choice_en_legacy, choice_zh_legacy, ceval_legacy):
        score = fn(mcq(text))
        assert score.value in (0.0, 1.0)
        assert isinstance(score.extracted, str)
