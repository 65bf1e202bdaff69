"""Math scorers: EvalScope 1.14.1 (math-verify extraction and compare_answers) and the older
extraction/normalisation with percentage leniency (``math_lenient``, ``aime_legacy``, ``math_strict``)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.math import (
    aime,
    aime_legacy,
    extract_math_answer,
    gsm8k_reference,
    math_accuracy,
    math_equal,
    math_lenient,
    math_strict,
    strip_answer_string,
)


def s(completion: str, target: str) -> ScoreInput:
    return ScoreInput(completion=completion, target=target)


@pytest.mark.parametrize(
    ("text", "extracted"),
    [
        ("So the final answer is $42$. I hope it is correct.", "42"),
        ("First \\boxed{3}, then corrected: \\boxed{\\frac{7}{2}}", "\\frac{7}{2}"),
        ("\\boxed{\\{1, 2\\}}", "{1,2}"),
        ("\\boxed 5$ done", "5"),
        ("\\fbox{12}", "12"),
        ("Thus, the answer is 17.", "17"),
        ("My final answer is 9", "9"),
        ("所以答案是 8\n\n以上。", "8"),
        ("Reasoning...\nANSWER: 64", "64"),
        ("She pays 3 + 4 = 7 dollars, total 1,234 apples", "1234"),
        ("no digits here", ""),
        ("The answer is $1,234$.", "1234"),
        ("The answer is \\$15.00.", "15"),
        ("The answer is 30^\\circ.", "30"),
        ("The answer is 5 \\text{ cm}.", "5"),
        ("The answer is x = 5.", "5"),
        ("The answer is three.", "3"),
        ("The answer is 3, 1, 2", "1,2,3"),
        ("The answer is 25\\%.", "25"),
    ],
)
def test_extract_answer_branches(text: str, extracted: str) -> None:
    assert extract_math_answer(text) == extracted


def test_strip_answer_string_normalises_fractions() -> None:
    assert strip_answer_string("\\dfrac{3}{4}") == "\\frac{3}{4}"
    assert strip_answer_string("\\frac34") == "\\frac{3}{4}"
    assert strip_answer_string("3/4") == "\\frac{3}{4}"
    assert strip_answer_string("\\left( 1, 2 \\right)") == "(1,2)"


def test_gsm8k_reference_takes_text_after_hashes() -> None:
    assert gsm8k_reference("Janet sells 16 - 3 - 4 = 9 eggs.\n#### 18") == "18"
    assert gsm8k_reference("18") == "18"


@pytest.mark.parametrize(
    ("completion", "target"),
    [
        ("<think>Maybe \\boxed{3}?</think>Therefore \\boxed{\\frac{1}{2}}", "0.5"),
        ("\\boxed{\\dfrac{3}{4}}", "\\frac34"),
        ("The total is $1,234$.", "1234"),
        ("Solving gives x = 5", "5"),
        ("The answer is x = 5.", "5"),
        ("\\boxed{(1,2)}", "(1, 2)"),
        ("\\boxed{[0, 1)}", "[0,1)"),
        ("\\boxed{x^2+2x+1}", "(x+1)^2"),
        ("\\boxed{2\\sqrt{2}}", "\\sqrt{8}"),
        ("\\boxed{\\text{(B)}}", "B"),
        ("Step 1 ... \n#### 72\nANSWER: 72", "Natalia sold 48/2 = 24 clips.\n#### 72"),
        ("3.00005 is close enough", "3"),
    ],
)
def test_correct_answers(completion: str, target: str) -> None:
    score = math_lenient(s(completion, target))
    assert score.value == 1.0, score
    assert score.metric == "accuracy"


@pytest.mark.parametrize(
    ("completion", "target"),
    [
        ("<think>\\boxed{0.5} is tempting</think>So \\boxed{\\frac{1}{3}}", "0.5"),
        ("\\boxed{7}", "8"),
        ("The answer is 42 because of reasons.", "42"),  # EvalScope keeps the whole tail
        ("", "5"),
        ("I cannot solve this.", "5"),
    ],
)
def test_wrong_answers(completion: str, target: str) -> None:
    assert math_lenient(s(completion, target)).value == 0.0


def test_percentage_leniency_gsm8k_vs_strict() -> None:
    sample = s("So she makes \\boxed{18} dollars.", "#### 1800")
    assert math_lenient(sample).value == 1.0
    assert math_strict(sample).value == 0.0
    assert math_equal("1800", "18") and not math_equal("1800", "18", percentage=False)


def test_aime_legacy_metric_and_exactness() -> None:
    ok = aime_legacy(s("\\boxed{070}", "70"))
    assert (ok.value, ok.metric) == (1.0, "acc")
    assert aime_legacy(s("\\boxed{7}", "700")).value == 0.0  # no percentage rule in grade_answer
    assert aime_legacy(s("\\boxed{70.001}", "70")).value == 0.0


def many(completion: str, *targets: str) -> ScoreInput:
    return ScoreInput(completion=completion, target="".join(targets), targets=targets)


# Expected (extracted, value): EvalScope 1.14.1's extract_answer then compare_answers
# (Accuracy(numeric=True)) on the same text; None = the sample is excluded.
@pytest.mark.parametrize(
    ("completion", "targets", "extracted", "value"),
    [
        ("\\boxed{1800}", ("18",), "1800", 0.0),  # no x100 leniency any more
        ("\\boxed{0.5}", ("\\frac{1}{2}",), "\\frac{1}{2}", 1.0),
        ("ANSWER: 1,234", ("1234",), "1234", 1.0),
        ("The answer is $5.00.", ("5",), "5.00", 1.0),
        ("\\boxed{18\\%}", ("18",), "18\\%", 1.0),
        ("\\boxed{0.18}", ("18",), "0.18", 0.0),
        ("\\boxed{x^2+2x+1}", ("(x+1)^2",), "x^2+2x+1", 1.0),
        ("no digits here", ("7",), "", 0.0),
        ("\\boxed{3}", ("not math ###",), "3", None),  # invalid reference: excluded
        ("\\boxed{3}", ("3", "4"), "3", None),  # two accepted answers: excluded
        ("\\boxed{3}", ("",), "3", None),
        ("the answer is 42", ("42",), "42", 1.0),
        ("\\boxed{\\dfrac{3}{4}}", ("0.75",), "\\frac{3}{4}", 1.0),
        ("so \\boxed{3}</think>The answer is \\boxed{7}", ("7",), "7", 1.0),
    ],
)
def test_math_accuracy_1_14(completion: str, targets: tuple[str, ...], extracted: str, value: float | None) -> None:
    score = math_accuracy(many(completion, *targets))
    assert (score.extracted, score.value, score.metric) == (extracted, value, "accuracy")
    assert score.explanation is None or value is None


# Expected: EvalScope 1.14.1's AIME24Adapter (compare_answers(..., integer_only=True)).
@pytest.mark.parametrize(
    ("completion", "target", "extracted", "value", "reason"),
    [
        ("\\boxed{024}", "24", "024", 1.0, "matched"),
        ("\\boxed{24.0}", "24", "24.0", 1.0, "matched"),
        ("\\boxed{24.5}", "24", "24.5", 0.0, "integer_literal_required"),
        ("no answer", "24", "", 0.0, "prediction_not_parsed"),
        ("\\boxed{3}", "\\frac{1}{2}", "3", None, None),  # not an integer reference: excluded
        ("\\boxed{033}", "33", "033", 1.0, "matched"),
    ],
)
def test_aime_1_14(completion: str, target: str, extracted: str, value: float | None, reason: str | None) -> None:
    score = aime(many(completion, target))
    assert (score.extracted, score.value, score.metric) == (extracted, value, "acc")
    assert score.metadata.get("math_reason") == reason


def test_1_14_deadline_excludes_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_evalindex.scorers.math.evalscope114 as math_module

    monkeypatch.setattr(math_module, "MATH_DEADLINE_S", 0.2)
    score = math_accuracy(many("\\boxed{(x+y+z)^{60}}", "(x+y-z)^{60}"))
    assert score.value is None and "deadline" in (score.explanation or "")
    assert math_accuracy(many("\\boxed{9^{9^{9^{9}}}}", "1")).value is None  # never handed to sympy


def test_single_letter_reference() -> None:
    assert math_equal("(C)", "C")
    assert not math_equal("(D)", "C")


def test_empty_target_is_excluded() -> None:
    score = math_lenient(s("\\boxed{3}", "   "))
    assert score.value is None and score.extracted == ""


def test_empty_answer_is_wrong_with_empty_extracted() -> None:
    score = math_lenient(s("", "3"))
    assert (score.value, score.extracted) == (0.0, "")


@pytest.mark.parametrize(
    "text",
    [
        "\\boxed{" * 5000,
        "}" * 5000 + "\\boxed{1}",
        "\\boxed{" + "x+" * 50000 + "1}",
        "\\boxed{9^{9^{9^{9}}}}",
        "\x00\x1b\x7f\ud800 answer",
        "ANSWER:",
        "The answer is",
        "\\boxed{\\frac{1}{0}}",
    ],
)
def test_never_raises_on_odd_text(text: str) -> None:
    score = math_lenient(s(text, "1"))
    assert score.value in (0.0, 1.0)
    assert isinstance(score.extracted, str)
    if "x+" not in text:  # 100 000 characters take math-verify ~15 s, as in EvalScope
        for fn in (math_accuracy, aime):
            new = fn(many(text, "1"))
            assert new.value in (0.0, 1.0, None) and isinstance(new.extracted, str)


def test_works_from_worker_threads() -> None:
    samples = [s("\\boxed{\\frac{1}{2}}", "0.5"), s("\\boxed{x^2+2x+1}", "(x+1)^2"),
               s("\\boxed{[0,1)}", "[0, 1)")] * 4
    with ThreadPoolExecutor(4) as pool:
        values = list(pool.map(lambda x: (math_lenient(x).value, threading.current_thread().name), samples))
    assert [v for v, _ in values] == [1.0] * len(samples)
    assert all(name != "MainThread" for _, name in values)


SLOW = s("\\boxed{(x+y+z)^{60}}", "(x+y-z)^{60}")  # ≈1.5 s of sympy expansion
# Far beyond a 1 s alarm on any machine (the main-thread check is interrupted, so nothing keeps running).
SLOWER = s("\\boxed{(x+y+z)^{150}}", "(x+y-z)^{150}")


def test_symbolic_timeout_in_main_thread_excludes_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_evalindex.scorers.math.legacy as math_module

    monkeypatch.setattr(math_module, "SYMBOLIC_TIMEOUT_S", 1)
    score = math_lenient(SLOWER)
    assert score.value is None
    assert score.extracted == "(x+y+z)^{150}"
    assert score.explanation == "equivalence check timed out"


def test_a_lost_alarm_does_not_let_the_check_run_on() -> None:
    """Python drops an exception raised while a garbage-collection callback runs, so one alarm can be lost (the
    main-thread test above once ran its whole 150th power that way); the deadline's alarm repeats."""
    import signal

    from pytest_evalindex.scorers.math.guards import DeadlinePassed, with_alarm_deadline

    lost: list[int] = []

    def keeps_going_once() -> None:
        while True:
            try:
                while True:
                    pass
            except DeadlinePassed:
                if lost:
                    raise
                lost.append(1)  # swallowed, as inside a gc callback

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(DeadlinePassed):
        with_alarm_deadline(keeps_going_once, 0.05)
    assert lost == [1]
    assert with_alarm_deadline(lambda: "done", 5) == "done"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left armed
    assert signal.getsignal(signal.SIGALRM) is before


def test_an_alarm_lost_in_a_finalizer_is_not_reported_as_unraisable(monkeypatch: pytest.MonkeyPatch) -> None:
    """An alarm that lands in a ``__del__`` is dropped by Python and handed to ``sys.unraisablehook``; pytest would
    report it against the sample (a failure under ``-W error``). The deadline keeps it to itself, and ends."""
    import sys

    from pytest_evalindex.scorers.math.guards import DeadlinePassed, with_alarm_deadline

    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    finalized: list[int] = []

    class HeldUp:
        def __del__(self) -> None:
            finalized.append(1)
            if len(finalized) == 1:
                while True:  # only the deadline's alarm ends it, and Python drops that alarm here
                    pass

    def finalizes_then_spins() -> None:
        HeldUp()
        while True:
            pass

    with pytest.raises(DeadlinePassed):
        with_alarm_deadline(finalizes_then_spins, 0.05)
    assert finalized == [1]
    assert reported == []
    assert sys.unraisablehook == reported.append  # put back


def test_symbolic_timeout_in_worker_thread_excludes_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_evalindex.scorers.math.legacy as math_module

    monkeypatch.setattr(math_module, "SYMBOLIC_TIMEOUT_S", 0.2)
    with ThreadPoolExecutor(1) as pool:
        score = pool.submit(math_lenient, SLOW).result()
    assert score.value is None and score.explanation == "equivalence check timed out"
