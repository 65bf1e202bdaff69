"""QA scorers (drop, tat_qa, trivia_qa, bbh, general_qa, locomo) against EvalScope 1.14.1, plus their helpers.

Expected values come from tests/scorers/data/match_oracle.json (EvalScope's adapters run on
benchmarks/parity_cases/match_qa.py and a few broken inputs by tests/scorers/data/gen_match_oracle.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from match_oracle import ORACLE, check_against_oracle, oracle_cases

from pytest_evalindex.scorers.bag_f1 import aligned_scores, bag_f1, round_half_even
from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.catalog.match import TEXT_MATCH_NAMES
from pytest_evalindex.scorers.drop import drop_metrics
from pytest_evalindex.scorers.qa_overlap import general_qa, locomo_f1
from pytest_evalindex.scorers.registry import lookup
from pytest_evalindex.scorers.tat_qa import parse_reply, to_number

QA_NAMES = frozenset({"drop", "tat_qa", "trivia_qa", "bbh", "general_qa", "locomo"})

QA_CASES = oracle_cases(QA_NAMES)


@pytest.fixture(scope="module", autouse=True)
def _private_nltk_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """general_qa's BLEU tokenizer gets its Punkt data generated into a temporary folder, never downloaded."""
    import nltk

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALINDEX_NLTK_DATA", str(tmp_path_factory.mktemp("nltk_cache")))

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("NLTK download attempted")

        mp.setattr(nltk, "download", refuse)
        yield


@pytest.mark.parametrize("case", QA_CASES, ids=[f"{c['dataset_name']}-{c['note']}" for c in QA_CASES])
def test_qa_scores_match_evalscope(case: dict[str, Any]) -> None:
    if case["dataset_name"] == "general_qa":
        pytest.importorskip("rouge_chinese")
    check_against_oracle(case)


@pytest.mark.parametrize(("name", "metric"), [("drop", "f1"), ("tat_qa", "f1"), ("trivia_qa", "accuracy"),
                                              ("bbh", "accuracy"), ("general_qa", "Rouge-L-R"), ("locomo", "f1")])
def test_collection_main_metric(name: str, metric: str) -> None:
    assert lookup(name).metric == metric  # type: ignore[union-attr]
    assert any(c["expected"].get("metric") == metric for c in QA_CASES if c["dataset_name"] == name)


def test_every_text_match_benchmark_is_registered_and_has_oracleoracle_cases() -> None:
    probed = {c["dataset_name"] for c in ORACLE["cases"]}
    for name in TEXT_MATCH_NAMES:
        spec = lookup(name)
        assert spec is not None and spec.family == "match", name
        assert name in probed, name


def test_general_qa_reports_bleu_and_rouge_keys_in_evalscope_order() -> None:
    pytest.importorskip("rouge_chinese")
    score = general_qa(ScoreInput(completion="It measures temperature.", target="A thermometer measures "
                                  "temperature.", dataset_name="general_qa"))
    assert list(score.metrics)[:4] == ["bleu-1", "bleu-2", "bleu-3", "bleu-4"]
    assert list(score.metrics)[4:] == [f"Rouge-{n}-{s}" for n in "12L" for s in "RPF"]
    assert score.value == score.metrics["Rouge-L-R"] == pytest.approx(0.5)
    assert score.metrics["bleu-1"] > 0  # the Punkt tokenizer ran (a missing model would score BLEU 0)


def test_drop_takes_best_gold_answer_and_rounds_f1() -> None:
    assert drop_metrics("4 touchdowns", [("4",), ("four",)]) == {"em": 0.0, "f1": 0.67}
    # Numbers must agree before tokens are compared.
    assert drop_metrics("43 yards", [("42.5 yards",)]) == {"em": 0.0, "f1": 0.0}
    # A gold answer with a blank first span is ignored.
    assert drop_metrics("x", [("",)]) == {"em": 0.0, "f1": 0.0}


def test_aligned_scores_reach_the_optimal_assignment() -> None:
    optimize = pytest.importorskip("scipy.optimize")
    rng = random.Random(7)
    words = "a b c d e f g".split()
    for _ in range(200):
        gold = [frozenset(rng.sample(words, rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        pred = [frozenset(rng.sample(words, rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        table = [[bag_f1(p, g) for p in pred] for g in gold]
        rows, cols = optimize.linear_sum_assignment([[-v for v in row] for row in table])
        best = sum(table[r][c] for r, c in zip(rows, cols))
        ours = aligned_scores(pred, gold)
        assert len(ours) == max(len(gold), len(pred))
        assert sum(ours) == pytest.approx(best, abs=1e-12)


def test_round_half_even_is_numpy_round() -> None:
    np = pytest.importorskip("numpy")
    rng = random.Random(3)
    values = [k / n for n in range(1, 60) for k in range(n + 1)] + [rng.random() for _ in range(2000)]
    for v in values:
        assert round_half_even(v, 2) == float(np.round(np.float64(v), 2)), v


def test_tat_qa_reply_parsing_and_numbers() -> None:
    assert parse_reply("work\n**Answer:** 1,234 | 56\nScale: Million.") == (["1,234", "56"], "million")
    assert parse_reply("Answer: 5\nScale: dozens") == (["5"], "")
    assert parse_reply("no marker") == ([], "")
    assert to_number("(134)") == -134
    assert to_number("12%") == 0.12
    assert to_number("2 million") == 2000000


def test_locomo_categories() -> None:
    assert locomo_f1("I have no information available.", "x", 5) == 1.0
    # Multi-hop: each reference part takes its best reply part ("and" is dropped, stems compared).
    assert locomo_f1("painting and camping", "pottery, camping, painting", 1) == pytest.approx(4 / 9)
    assert locomo_f1("Likely yes", "Likely yes; she attends", 3) == 1.0
    assert locomo_f1("running", "runs", 4) == 1.0  # Porter stems both to "run"
