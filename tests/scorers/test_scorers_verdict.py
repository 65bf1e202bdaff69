"""Yes/no(/maybe) verdict scorers (coin_flip, drivel_binary, halueval, pubmedqa) against EvalScope 1.14.1.

Expected values come from tests/scorers/data/match_oracle.json (EvalScope's adapters run on
benchmarks/parity_cases/match_qa.py by tests/scorers/data/gen_match_oracle.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from match_oracle import check_against_oracle, oracle_cases

from pytest_evalindex.scorers.registry import lookup
from pytest_evalindex.scorers.verdict import yes_no_maybe_verdict, yes_no_verdict

VERDICT_NAMES = frozenset({"coin_flip", "drivel_binary", "halueval", "pubmedqa"})

VERDICT_CASES = oracle_cases(VERDICT_NAMES)


@pytest.mark.parametrize("case", VERDICT_CASES, ids=[f"{c['dataset_name']}-{c['note']}" for c in VERDICT_CASES])
def test_verdict_scores_match_evalscope(case: dict[str, Any]) -> None:
    check_against_oracle(case)


def test_every_verdict_benchmark_is_probed_with_right_and_wrong_answers() -> None:
    for name in VERDICT_NAMES:
        values = {c["expected"]["value"] for c in VERDICT_CASES if c["dataset_name"] == name}
        assert values == {0.0, 1.0}, name
        assert lookup(name).metric == "acc"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "bare", "expected"), [
    ("Yes", False, "YES"),
    ("NO.", False, "NO"),
    ("yes", False, None),  # lower-case only counts as the whole reply, and only where allowed
    ("yes", True, "YES"),
    (" no! ", True, "NO"),
    ("Yes and No", True, None),
    ("I do not know", False, None),  # "not", "know": no whole-word verdict
    ("Nothing. Yesterday.", False, None),
])
def test_yes_no_verdict(text: str, bare: bool, expected: str | None) -> None:
    assert yes_no_verdict(text, bare_lowercase=bare) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("maybe", "MAYBE"),
    ("Maybe.", "MAYBE"),
    ("YES. Yes.", "YES"),
    ("Yes, or Maybe", None),
    ("yes, maybe", None),
])
def test_yes_no_maybe_verdict(text: str, expected: str | None) -> None:
    assert yes_no_maybe_verdict(text) == expected
