"""Builders of synthetic SampleResults shared by the aggregation, table and output tests."""

from __future__ import annotations

from typing import Any

from pytest_evalindex.core.results import SampleResult, Status


def make_result(
    ordinal: int,
    dataset: str,
    subset: str,
    score: float | None,
    *,
    task: str = "reasoning",
    tags: list[str] | None = None,
    categories: list[str] | None = None,
    weight: float = 1.0,
    status: Status | None = None,
    metric: str = "accuracy",
    **extra: Any,
) -> SampleResult:
    """One result; ``status`` follows from ``score`` unless given."""
    if status is None:
        status = "excluded" if score is None else ("correct" if score >= 1.0 else "incorrect")
    return SampleResult(
        node_id=f"suite.jsonl::{dataset}/{subset}/{ordinal}",
        ordinal=ordinal,
        file="suite.jsonl",
        line=ordinal + 1,
        index=ordinal,
        dataset_name=dataset,
        subset_name=subset,
        task_type=task,
        tags=list(tags or []),
        categories=list(categories if categories is not None else ["reasoning_index"]),
        weight=weight,
        sample_hash=f"{ordinal:016x}",
        status=status,
        score=score,
        metric=metric,
        **extra,
    )


def seed_results() -> list[SampleResult]:
    """The worked example of spec §3.7: arc 9 (ARC-Challenge 4/5, ARC-Easy 4/4), ceval/logic 0/1."""
    arc_w = 0.4 / 9
    scores = [
        ("ARC-Challenge", 1.0), ("ARC-Challenge", 1.0), ("ARC-Challenge", 0.0), ("ARC-Challenge", 1.0),
        ("ARC-Challenge", 1.0), ("ARC-Easy", 1.0), ("ARC-Easy", 1.0), ("ARC-Easy", 1.0), ("ARC-Easy", 1.0),
    ]
    results = [make_result(i, "arc", subset, s, tags=["en"], weight=arc_w) for i, (subset, s) in enumerate(scores)]
    results.append(make_result(9, "ceval", "logic", 0.0, tags=["zh"], weight=0.6))
    return results


CSQA_SUBSETS = ["中华文化", "人文与社会科学", "工程、技术与应用科学", "生活、艺术与文化", "社会", "自然与自然科学"]


def rag_results() -> list[SampleResult]:
    """Synthetic RAG index reproducing spec §3.4's published numbers.

    ifeval ``default`` 36/39, aa_lcr ``default`` 4/30 (tags en+rag), and six chinese_simpleqa
    subsets (2/5 ×4, 2/19, 22/37: mean of micros 0.3833; tags rag+zh), all in ``rag_assist_index``.
    """
    results: list[SampleResult] = []

    def add(dataset: str, subset: str, correct: int, total: int, tags: list[str]) -> None:
        for i in range(total):
            results.append(make_result(len(results), dataset, subset, 1.0 if i < correct else 0.0,
                                       task="rag", tags=tags, categories=["rag_assist_index"],
                                       weight=1.0 / 200))

    add("ifeval", "default", 36, 39, ["en", "rag"])
    add("aa_lcr", "default", 4, 30, ["en", "rag"])
    for subset, (correct, total) in zip(CSQA_SUBSETS, [(2, 5), (2, 5), (2, 5), (2, 5), (2, 19), (22, 37)]):
        add("chinese_simpleqa", subset, correct, total, ["rag", "zh"])
    return results
