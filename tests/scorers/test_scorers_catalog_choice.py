"""The 55 EvalScope 1.14.1 MCQ benchmarks: registered under EvalScope's names, and scoring the parity
cases exactly as EvalScope 1.14.1 did (expected values in data/parity_choice.json, written by
``benchmarks/parity_probe.py --write-expected`` from a real EvalScope run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.catalog import choice as catalog
from pytest_evalindex.scorers.registry import lookup

ORACLE = json.loads((Path(__file__).parent / "data" / "parity_choice.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = ORACLE["cases"]

# The MCQ table of the reference notes on EvalScope 1.14.1 (evalscope-benchmarks.md §1.3).
EVALSCOPE_MCQ = """agieval anli arc arc_indic arxivrollbench arxivrollbench_full banking77 bhasha_bench_multi_ayur
bhasha_bench_multi_finance bhasha_bench_multi_krishi bhasha_bench_multi_legal bhashabenchv1_ayur bhashabenchv1_finance
bhashabenchv1_krishi bhashabenchv1_legal biomix_qa boolq ceval cmmlu commonsense_qa contract_nli drivel_selection
general_mcq gpqa_diamond hellaswag hellaswag_hi indic_boolq indic_param iquiz kina logi_qa longbench_v2 maritime_bench
math_qa med_mcqa milu mmlu mmlu_pro mmlu_redux mmmlu mri_mcqa music_trivia musr piqa qasc race reward_bench
safety_bench sanskriti sciq siqa super_gpqa triviaqa_indic truthful_qa winogrande""".split()
MAIN_METRIC = {"agieval": "acc", "truthful_qa": "multi_choice_acc"}


def sample_input(case: dict[str, Any]) -> ScoreInput:
    """The scorer's input for a case, built the way the plugin builds it from a collection line."""
    target = case["target"]
    return ScoreInput(
        completion=case["answer"], target="".join(target) if isinstance(target, list) else target,
        targets=tuple(target) if isinstance(target, list) else (target,),
        choices=tuple(case["choices"]) if case["choices"] is not None else None, metadata=case["metadata"],
        dataset_name=case["dataset_name"], subset_name=case["subset_name"])


def test_every_mcq_name_is_registered_in_the_choice_family() -> None:
    assert len(EVALSCOPE_MCQ) == 55
    assert sorted(catalog.NAMES) == sorted(EVALSCOPE_MCQ)
    for name in EVALSCOPE_MCQ:
        spec = lookup(name)
        assert spec is not None, name
        assert (spec.family, spec.metric, spec.needs) == ("choice", MAIN_METRIC.get(name, "accuracy"), ())


def test_the_oracle_covers_every_name_with_three_answers_or_more() -> None:
    assert ORACLE["oracle"] == "EvalScope 1.14.1"
    for name in EVALSCOPE_MCQ:
        assert sum(c["dataset_name"] == name for c in CASES) >= 3, name
    for variant in catalog.VARIANTS:
        assert sum(c.get("scorer") == variant for c in CASES) >= 3, variant
        spec = lookup(variant)
        assert spec is not None and (spec.family, spec.metric) == ("choice", "multi_choice_acc")


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['dataset_name']}" for i, c in enumerate(CASES)])
def test_scores_like_evalscope(case: dict[str, Any]) -> None:
    # variant cases name the scorer matching the EvalScope options they ran with (multiple_correct)
    spec = lookup(case.get("scorer") or case["dataset_name"])
    assert spec is not None
    score = spec.fn(sample_input(case))
    expected = case["expected"]
    assert score.value == expected["value"], case["note"]
    if expected["value"] is not None:
        assert score.metric == expected["metric"]
        assert (score.extracted or "") == (expected["extracted"] or "")
