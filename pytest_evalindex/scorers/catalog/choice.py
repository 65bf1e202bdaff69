"""EvalScope 1.14.1's choice-family benchmarks and the scorer each one uses."""

from __future__ import annotations

from pytest_evalindex.scorers import choice, choice_variants
from pytest_evalindex.scorers.base import Scorer
from pytest_evalindex.scorers.registry import register_scorer

ENGLISH_LETTER = (
    "anli", "arc", "arc_indic", "arxivrollbench", "arxivrollbench_full", "banking77",
    "bhasha_bench_multi_ayur", "bhasha_bench_multi_finance", "bhasha_bench_multi_krishi", "bhasha_bench_multi_legal",
    "bhashabenchv1_ayur", "bhashabenchv1_finance", "bhashabenchv1_krishi", "bhashabenchv1_legal",
    "biomix_qa", "boolq", "commonsense_qa", "contract_nli", "drivel_selection", "gpqa_diamond", "hellaswag",
    "hellaswag_hi", "indic_boolq", "indic_param", "kina", "logi_qa", "longbench_v2", "math_qa", "med_mcqa", "milu",
    "mmlu", "mmlu_pro", "mmmlu", "mri_mcqa", "music_trivia", "musr", "piqa", "qasc", "race", "reward_bench",
    "sanskriti", "sciq", "siqa", "triviaqa_indic", "winogrande",
)
"""Benchmarks whose adapter uses the English answer template: shared ``ANSWER:`` parser, ``accuracy``."""

CHINESE_LETTER = ("ceval", "cmmlu", "general_mcq", "iquiz")
"""Benchmarks parsed with the Chinese ``答案：`` parser (ceval by its own hook, the others by their template)."""

SPECIAL: dict[str, tuple[Scorer, str]] = {
    "agieval": (choice_variants.agieval, "acc"),
    "maritime_bench": (choice_variants.maritime_bench, "accuracy"),
    "mmlu_redux": (choice_variants.mmlu_redux, "accuracy"),
    "safety_bench": (choice_variants.safety_bench, "accuracy"),
    "super_gpqa": (choice_variants.super_gpqa, "accuracy"),
    "truthful_qa": (choice_variants.truthful_qa, "multi_choice_acc"),
}
"""Benchmarks with their own extraction or metric: scorer and the main metric a collection averages."""

VARIANTS: dict[str, tuple[Scorer, str]] = {
    "general_mcq@multiple_correct": (choice_variants.general_mcq_multiple, "multi_choice_acc"),
    "truthful_qa@multiple_correct": (choice_variants.truthful_qa_multiple, "multi_choice_acc"),
}
"""What EvalScope does with ``extra_params.multiple_correct=True`` (select with a line's ``"scorer"`` key)."""

NAMES: tuple[str, ...] = tuple(sorted(ENGLISH_LETTER + CHINESE_LETTER + tuple(SPECIAL)))
"""Every EvalScope 1.14.1 MCQ benchmark name (55)."""


def register() -> None:
    """Register this family's benchmark names."""
    register_scorer(ENGLISH_LETTER, choice.choice_en, requires_choices=True, family="choice")
    register_scorer(("cmmlu", "general_mcq", "iquiz"), choice.choice_zh, requires_choices=True, family="choice")
    register_scorer("ceval", choice.ceval, requires_choices=True, family="choice")
    for table in (SPECIAL, VARIANTS):
        for name, (fn, metric) in table.items():
            # agieval's cloze subsets carry no options
            register_scorer(name, fn, requires_choices=name != "agieval", metric=metric, family="choice")
