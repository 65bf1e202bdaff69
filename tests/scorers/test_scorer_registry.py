"""Scorer registry: built-in names, lookup, user overrides."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pytest_evalindex.scorers import choice, match, registry
from pytest_evalindex.scorers import math as math_scorers
from pytest_evalindex.scorers.base import Score, ScoreInput

MCQ_EN = ["arc", "mmlu", "mmlu_pro", "gpqa_diamond", "race", "choice"]
MCQ_ZH = ["cmmlu", "iquiz", "choice_zh"]
MATH = ["gsm8k", "math_500", "math"]
AIME = ["aime24", "aime25", "aime26"]
MATCH = ["exact", "normalized_match", "trivia_qa", "includes"]


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test register scorers without leaking them into other tests."""
    registry.lookup("arc")  # make sure the built-ins are loaded first
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


def test_every_builtin_name_is_known() -> None:
    expected = set(MCQ_EN + MCQ_ZH + MATH + AIME + MATCH + ["ceval", "math_strict"])
    assert expected <= set(registry.known_names())
    assert registry.known_names() == sorted(registry.known_names())


@pytest.mark.parametrize(
    ("names", "fn", "requires_choices", "metric", "legacy"),
    [
        (MCQ_EN, choice.choice_en, True, "accuracy", False),
        (MCQ_ZH, choice.choice_zh, True, "accuracy", False),
        (["ceval"], choice.ceval, True, "accuracy", False),
        (MATH, math_scorers.math_accuracy, False, "accuracy", False),
        (AIME, math_scorers.aime, False, "acc", False),
        (["math_strict"], math_scorers.math_strict, False, "accuracy", False),
        (["exact"], match.exact, False, "accuracy", False),
        (["normalized_match"], match.normalized_match, False, "accuracy", False),
        (["trivia_qa"], match.trivia_qa, False, "accuracy", False),
        (["includes"], match.includes, False, "accuracy", False),
        # --eval-compat evalscope-legacy: the older rules, also reachable as "<name>@legacy"
        (MCQ_EN, choice.choice_en_legacy, True, "accuracy", True),
        (MCQ_ZH, choice.choice_zh_legacy, True, "accuracy", True),
        (["ceval"], choice.ceval_legacy, True, "accuracy", True),
        (MATH, math_scorers.math_lenient, False, "accuracy", True),
        (AIME, math_scorers.aime_legacy, False, "acc", True),
        (["trivia_qa"], match.trivia_qa_legacy, False, "accuracy", True),
    ],
)
def test_lookup_returns_family_spec(names: list[str], fn: object, requires_choices: bool,
                                    metric: str, legacy: bool) -> None:
    for name in names:
        spec = registry.lookup(name, legacy=legacy)
        assert spec is not None, name
        assert (spec.name, spec.fn, spec.requires_choices, spec.metric) == (
            name + "@legacy" if legacy else name, fn, requires_choices, metric)
        if legacy:
            assert registry.lookup(name + "@legacy") is spec


def test_unknown_name_is_none() -> None:
    assert registry.lookup("no_such_dataset") is None
    assert registry.lookup("no_such_dataset", legacy=True) is None


def test_legacy_lookup_falls_back_to_the_name() -> None:
    for name in ("math_strict", "exact", "normalized_match", "includes"):
        assert registry.lookup(name, legacy=True) is registry.lookup(name)


@pytest.mark.usefixtures("isolated_registry")
def test_user_override_wins_over_legacy_variant() -> None:
    @registry.scorer("gsm8k")
    def mine(sample: ScoreInput) -> Score:
        return Score(value=1.0, extracted="")

    assert registry.lookup("gsm8k", legacy=True).fn is mine  # type: ignore[union-attr]
    assert registry.lookup("math_500", legacy=True).fn is math_scorers.math_lenient  # type: ignore[union-attr]


def test_registered_scorers_score_through_the_spec() -> None:
    spec = registry.lookup("mmlu")
    assert spec is not None
    sample = ScoreInput("<think>ANSWER: A</think>ANSWER: **B**", "B", ("1", "2", "3", "4"))
    assert spec.fn(sample) == Score(value=1.0, extracted="B", metric="accuracy")
    score = registry.lookup("aime25").fn(ScoreInput("\\boxed{204}", "204"))  # type: ignore[union-attr]
    assert (score.value, score.metric) == (1.0, "acc")


@pytest.mark.usefixtures("isolated_registry")
def test_user_decorator_overrides_builtin() -> None:
    @registry.scorer("arc", requires_choices=True)
    def always_right(sample: ScoreInput) -> Score:
        return Score(value=1.0, extracted=sample.completion)

    spec = registry.lookup("arc")
    assert spec is not None and spec.fn is always_right
    assert registry.lookup("mmlu").fn is choice.choice_en  # type: ignore[union-attr]


@pytest.mark.usefixtures("isolated_registry")
def test_decorator_without_names_uses_function_name() -> None:
    @registry.scorer()
    def my_custom_scorer(sample: ScoreInput) -> Score:
        return Score(value=0.0, extracted="")

    assert "my_custom_scorer" in registry.known_names()


def test_registration_before_first_lookup_wins_over_builtin() -> None:
    # a fresh interpreter: conftest.py registers before the built-ins are loaded lazily
    code = textwrap.dedent(
        """
        from pytest_evalindex.scorers.registry import lookup, scorer
        from pytest_evalindex.scorers.base import Score

        @scorer("gsm8k")
        def mine(sample):
            return Score(value=0.0, extracted="")

        assert lookup("gsm8k").fn is mine
        assert lookup("math_500").fn.__module__ == "pytest_evalindex.scorers.math.evalscope114"
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
