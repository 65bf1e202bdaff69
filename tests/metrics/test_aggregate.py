"""Five-level aggregation: EvalScope 1.14.1's numbers (compat), the older EvalScope's subset-name
pooling (compat + pool_subsets_by_name) and our corrections (default)."""

from __future__ import annotations

import random

import pytest
from helpers_results import make_result, rag_results, seed_results

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.aggregate import (
    LEVELS,
    UNCATEGORIZED,
    UNTAGGED,
    LevelRow,
    Report,
    aggregate,
)


def rows(report: Report, level: str) -> dict[str, tuple[float | None, float | None, float | None, int]]:
    return {row.name: (row.micro, row.macro, row.weighted, row.count) for row in report.levels[level]}


def row(report: Report, level: str, name: str) -> LevelRow:
    (found,) = [r for r in report.levels[level] if r.name == name]
    return found


@pytest.mark.parametrize("compat", [False, True])
def test_seed_example_matches_spec_3_7(compat: bool) -> None:
    report = aggregate(seed_results(), compat=compat)
    assert list(report.levels) == list(LEVELS)
    assert rows(report, "subset_level") == {
        "reasoning/arc/ARC-Challenge": (0.8, 0.8, 0.8, 5),
        "reasoning/arc/ARC-Easy": (1.0, 1.0, 1.0, 4),
        "reasoning/ceval/logic": (0.0, 0.0, 0.0, 1),
    }
    assert rows(report, "dataset_level") == {
        "reasoning/arc": (0.8889, 0.9, 0.8889, 9),
        "reasoning/ceval": (0.0, 0.0, 0.0, 1),
    }
    assert rows(report, "task_level") == {"reasoning": (0.8, 0.6, 0.3556, 10)}
    assert rows(report, "tag_level") == {"en": (0.8889, 0.9, 0.8889, 9), "zh": (0.0, 0.0, 0.0, 1)}
    assert rows(report, "category_level") == {"reasoning_index": (0.8, 0.6, 0.3556, 10)}
    assert report.index is not None and report.index.name == "reasoning_index"
    assert report.index.weighted == 0.3556
    assert report.totals.to_dict() == {"samples": 10, "scored": 10, "correct": 8, "partial": 0, "incorrect": 2,
                                       "excluded": 0, "errors": 0}
    # EvalScope's column order and trailing dots
    assert report.levels["subset_level"][0].evalscope_row() == {
        "task_type": "reasoning", "dataset_name": "arc", "subset_name": "ARC-Challenge", "micro_avg.": 0.8, "count": 5}
    assert list(report.levels["task_level"][0].evalscope_row()) == [
        "task_type", "micro_avg.", "macro_avg.", "weighted_avg.", "count"]


def test_result_order_does_not_matter() -> None:
    results = rag_results()
    shuffled = list(results)
    random.Random(7).shuffle(shuffled)
    for compat in (False, True):
        assert aggregate(shuffled, compat=compat).to_dict() == aggregate(results, compat=compat).to_dict()


def test_published_pooling_numbers_spec_3_4() -> None:
    compat = aggregate(rag_results(), compat=True, pool_subsets_by_name=True)
    fixed = aggregate(rag_results())
    # tag en = ifeval default 36/39 + aa_lcr default 4/30
    assert row(compat, "tag_level", "en").micro == 0.5797
    assert row(compat, "tag_level", "en").macro == 0.5797  # EvalScope pools both `default` subsets
    assert row(fixed, "tag_level", "en").macro == 0.5282   # (0.9231 + 0.1333) / 2
    assert row(compat, "tag_level", "rag").macro == 0.4114
    assert row(fixed, "tag_level", "rag").macro == 0.4195
    assert row(compat, "category_level", "rag_assist_index").macro == 0.4114
    assert row(fixed, "category_level", "rag_assist_index").macro == 0.4195
    # micro and weighted do not depend on the child key
    for level, name in (("tag_level", "rag"), ("category_level", "rag_assist_index"), ("task_level", "rag")):
        assert row(compat, level, name).micro == row(fixed, level, name).micro
        assert row(compat, level, name).weighted == row(fixed, level, name).weighted
    # chinese_simpleqa's own subsets: mean of micros 0.3833 in both modes
    assert row(compat, "dataset_level", "rag/chinese_simpleqa").macro == 0.3833
    assert row(fixed, "dataset_level", "rag/chinese_simpleqa").macro == 0.3833


def test_evalscope_1_14_keys_macro_children_by_dataset_and_subset() -> None:
    # EvalScope 1.14.1's _group_and_compute on the same RAG frame prints
    # tag en 0.5797 / 0.5282 / 0.5797, tag rag 0.4966 / 0.4195, tag zh 0.4211 / 0.3833,
    # category rag_assist_index and task rag 0.4966 / 0.4195 / 0.4966 (micro / macro / weighted).
    report = aggregate(rag_results(), compat=True)
    assert rows(report, "tag_level") == {"rag": (0.4966, 0.4195, 0.4966, 145), "zh": (0.4211, 0.3833, 0.4211, 76),
                                         "en": (0.5797, 0.5282, 0.5797, 69)}
    assert rows(report, "category_level") == {"rag_assist_index": (0.4966, 0.4195, 0.4966, 145)}
    assert rows(report, "task_level") == {"rag": (0.4966, 0.4195, 0.4966, 145)}
    assert [r.name for r in report.levels["tag_level"]] == ["rag", "zh", "en"]  # by count, descending
    # the same numbers as the corrected default at these levels
    for level in ("tag_level", "category_level", "task_level", "dataset_level"):
        assert rows(report, level) == rows(aggregate(rag_results()), level)


def test_evalscope_1_14_still_differs_from_corrected_where_documented() -> None:
    results = [make_result(0, "arc", "default", 1.0, tags=["en", "en"]), make_result(1, "arc", "default", 0.0),
               make_result(2, "gsm8k", "main", 1.0, tags=["en"], categories=["idx", "math"])]
    compat = aggregate(results, compat=True)
    assert rows(compat, "tag_level") == {"en": (1.0, 1.0, 1.0, 3)}  # duplicated tag twice, untagged absent
    assert {r.name for r in compat.levels["category_level"]} == {"reasoning_index", "idx/math"}  # full paths only
    fixed = aggregate(results)
    assert rows(fixed, "tag_level")["en"][3] == 2 and UNTAGGED in rows(fixed, "tag_level")


def test_shared_subset_names_pool_only_with_pool_subsets_by_name() -> None:
    # arc, aime24 and humaneval, all subset `default` (spec §3.4 second probe)
    results = [make_result(0, "arc", "default", 1.0), make_result(1, "arc", "default", 1.0),
               make_result(2, "aime24", "default", 1.0), make_result(3, "aime24", "default", 0.0),
               make_result(4, "humaneval", "default", 1.0), make_result(5, "humaneval", "default", 0.0),
               make_result(6, "humaneval", "default", 1.0), make_result(7, "humaneval", "default", 0.0)]
    pooled = aggregate(results, compat=True, pool_subsets_by_name=True)
    compat = aggregate(results, compat=True)
    fixed = aggregate(results)
    assert row(pooled, "category_level", "reasoning_index").macro == 0.625  # = micro 5/8
    per_pair = round((1.0 + 0.5 + 0.5) / 3, 4)  # 0.6667
    assert row(compat, "category_level", "reasoning_index").macro == per_pair
    assert row(fixed, "category_level", "reasoning_index").macro == per_pair
    assert row(compat, "task_level", "reasoning").macro == per_pair
    assert row(aggregate(results, pool_subsets_by_name=True), "task_level", "reasoning").macro == 0.625


NESTED = [
    (["math_index", "math"], "gsm8k", "main", [1.0, 1.0, 0.0, 1.0], 0.375 / 4),
    (["math_index", "math"], "aime25", "default", [0.0, 1.0], 0.375 / 2),
    (["math_index", "reasoning"], "arc", "ARC-Easy", [1.0, 1.0], 0.125 / 2),
    (["math_index", "reasoning"], "ceval", "logic", [0.0], 0.125),
]


def nested_results() -> list[SampleResult]:
    out: list[SampleResult] = []
    for cats, dataset, subset, scores, w in NESTED:
        for s in scores:
            out.append(make_result(len(out), dataset, subset, s, categories=cats, weight=w))
    return out


def test_nested_categories_compat_has_no_root_row() -> None:
    report = aggregate(nested_results(), compat=True)
    cat = report.levels["category_level"]
    assert [r.keys for r in cat] == [{"category0": "math_index", "category1": "math"},
                                     {"category0": "math_index", "category1": "reasoning"}]
    assert rows(report, "category_level") == {
        "math_index/math": (0.6667, 0.625, 0.625, 6),
        "math_index/reasoning": (0.6667, 0.5, 0.5, 3),
    }
    assert report.index is None


def test_nested_categories_default_has_root_index() -> None:
    report = aggregate(nested_results())
    cat = rows(report, "category_level")
    assert cat["math_index/math"] == (0.6667, 0.625, 0.625, 6)
    assert cat["math_index/reasoning"] == (0.6667, 0.5, 0.5, 3)
    # root: 6/9 micro; macro over 4 (dataset, subset) children; weighted = 0.375·(3/4) + 0.375·(1/2) + 0.125·1 + 0
    assert cat["math_index"] == (0.6667, round((0.75 + 0.5 + 1.0 + 0.0) / 4, 4), 0.5938, 9)
    assert report.index is not None and report.index.keys == {"category0": "math_index", "category1": ""}
    assert report.index.weighted == round(0.375 * 0.75 + 0.375 * 0.5 + 0.125, 4)
    assert [r.name for r in report.levels["category_level"]] == ["math_index", "math_index/math", "math_index/reasoning"]


def test_mixed_depth_paths() -> None:
    results = [make_result(0, "ifeval", "default", 1.0, categories=["rag_index"]),
               make_result(1, "ifeval", "default", 0.0, categories=["rag_index"]),
               make_result(2, "ceval", "logic", 1.0, categories=["rag_index", "zh_group"])]
    compat = aggregate(results, compat=True)
    assert [(r.keys, r.count) for r in compat.levels["category_level"]] == [
        ({"category0": "rag_index", "category1": ""}, 2),
        ({"category0": "rag_index", "category1": "zh_group"}, 1)]
    assert compat.index is None
    fixed = aggregate(results)
    # the ('rag_index', '') row is the prefix total in default mode
    assert [(r.name, r.count, r.micro) for r in fixed.levels["category_level"]] == [
        ("rag_index", 3, 0.6667), ("rag_index/zh_group", 1, 1.0)]
    assert fixed.index is not None and fixed.index.count == 3


def test_two_roots_have_no_index() -> None:
    results = [make_result(0, "arc", "a", 1.0, categories=["x"]), make_result(1, "arc", "a", 0.0, categories=["y"])]
    assert aggregate(results).index is None
    assert aggregate(results, compat=True).index is None


def test_weighted_falls_back_to_micro_when_weights_sum_to_zero() -> None:
    results = [make_result(0, "arc", "a", 1.0, weight=0.0), make_result(1, "arc", "a", 1.0, weight=0.0),
               make_result(2, "arc", "a", 0.0, weight=0.0)]
    report = aggregate(results)
    assert row(report, "dataset_level", "reasoning/arc").weighted == 0.6667
    # a group whose weights do not sum to zero weighs normally
    results.append(make_result(3, "arc", "b", 0.0, weight=1.0))
    assert row(aggregate(results), "dataset_level", "reasoning/arc").weighted == 0.0


def test_excluded_and_errors_are_counted_never_averaged() -> None:
    results = seed_results() + [
        make_result(10, "arc", "ARC-Easy", None, tags=["en"], weight=0.1),
        make_result(11, "arc", "ARC-Easy", None, tags=["en"], status="error", error="timeout"),
        make_result(12, "gsm8k", "main", None, tags=["en"], task="math", status="error", error="HTTP 500"),
    ]
    for compat in (False, True):
        report = aggregate(results, compat=compat)
        easy = row(report, "subset_level", "reasoning/arc/ARC-Easy")
        assert (easy.micro, easy.count, easy.excluded, easy.errors) == (1.0, 4, 1, 1)
        # averages identical to the seed example
        assert rows(report, "task_level")["reasoning"] == (0.8, 0.6, 0.3556, 10)
        assert row(report, "tag_level", "en").excluded == 1
        assert report.totals.to_dict() == {"samples": 13, "scored": 10, "correct": 8, "partial": 0, "incorrect": 2,
                                           "excluded": 1, "errors": 2}
    # a group with no scored sample: a None row in default mode, absent in compat (as in EvalScope)
    fixed = aggregate(results)
    gsm = row(fixed, "dataset_level", "math/gsm8k")
    assert (gsm.micro, gsm.macro, gsm.weighted, gsm.count, gsm.errors) == (None, None, None, 0, 1)
    assert fixed.levels["dataset_level"][-1] is gsm  # count 0 sorts last
    assert all(r.name != "math/gsm8k" for r in aggregate(results, compat=True).levels["dataset_level"])
    cat = row(fixed, "category_level", "reasoning_index")
    assert (cat.count, cat.excluded, cat.errors) == (10, 1, 2)


def test_tags_empty_and_duplicated() -> None:
    results = [make_result(0, "arc", "a", 1.0, tags=["en", "en"]), make_result(1, "arc", "a", 0.0, tags=[]),
               make_result(2, "arc", "a", 0.0, tags=["en"])]
    compat = aggregate(results, compat=True)
    assert rows(compat, "tag_level") == {"en": (0.6667, 0.6667, 0.6667, 3)}  # sample 0 counted twice
    fixed = aggregate(results)
    assert rows(fixed, "tag_level") == {"en": (0.5, 0.5, 0.5, 2), UNTAGGED: (0.0, 0.0, 0.0, 1)}


def test_empty_categories() -> None:
    results = [make_result(0, "arc", "a", 1.0, categories=[]), make_result(1, "arc", "a", 0.0, categories=[])]
    # EvalScope crashes here (spec §1.4); compat gives an empty level
    assert aggregate(results, compat=True).levels["category_level"] == []
    fixed = aggregate(results)
    assert rows(fixed, "category_level") == {UNCATEGORIZED: (0.5, 0.5, 0.5, 2)}
    # mixed with a real path: compat pads to ('', ...) like pandas
    mixed = results + [make_result(2, "arc", "a", 1.0, categories=["idx"])]
    assert [(r.keys, r.count) for r in aggregate(mixed, compat=True).levels["category_level"]] == [
        ({"category0": ""}, 2), ({"category0": "idx"}, 1)]


def test_row_order_count_desc_then_keys_ascending() -> None:
    spec = [("zeta", 2), ("alpha", 2), ("mid", 3), ("beta", 1), ("Alpha", 2)]
    results: list[SampleResult] = []
    for dataset, n in spec:
        for _ in range(n):
            results.append(make_result(len(results), dataset, "s", 1.0))
    names = [r.keys["dataset_name"] for r in aggregate(results).levels["dataset_level"]]
    assert names == ["mid", "Alpha", "alpha", "zeta", "beta"]


def test_rounding_is_python_round() -> None:
    # 1/8 = 0.125 exactly; round-half-even at 4 dp is not at stake, but 2/3 and 1/3 are
    results = [make_result(i, "arc", "s", s) for i, s in enumerate([1.0, 1.0, 0.0])]
    assert row(aggregate(results), "task_level", "reasoning").micro == round(2 / 3, 4) == 0.6667
    partial = [make_result(0, "ifeval", "default", 0.33333, task="if"), make_result(1, "ifeval", "default", 0.5, task="if")]
    assert row(aggregate(partial), "task_level", "if").micro == round((0.33333 + 0.5) / 2, 4)


def test_to_dict_is_json_plain() -> None:
    import json

    report = aggregate(seed_results())
    data = json.loads(json.dumps(report.to_dict()))
    assert data["index"]["name"] == "reasoning_index"
    assert data["levels"]["tag_level"][0] == {
        "level": "tag_level", "name": "en", "keys": {"tags": "en"}, "micro": 0.8889, "macro": 0.9,
        "weighted": 0.8889, "count": 9, "excluded": 0, "errors": 0, "metrics": {},
        "tokens": {"input": 0, "output": 0, "total": 0}}


def test_rows_carry_the_mean_of_every_metric_over_the_samples_that_have_it() -> None:
    strict = {"prompt_level_strict": 1.0, "inst_level_strict": 0.5, "prompt_level_loose": 1.0}
    loose = {"prompt_level_strict": 0.0, "inst_level_strict": 0.25, "prompt_level_loose": 1.0}
    results = [make_result(0, "ifeval", "default", 1.0, task="if", metric="prompt_level_strict", metrics=strict),
               make_result(1, "ifeval", "default", 0.0, task="if", metric="prompt_level_strict", metrics=loose),
               make_result(2, "conll2003", "default", 0.67, task="if", metric="f1", metrics={"f1": 0.67}),
               make_result(3, "conll2003", "default", None, task="if", status="error", metrics={"f1": 1.0})]
    metrics = row(aggregate(results), "task_level", "if").metrics
    assert metrics == {"f1": {"micro": 0.67, "count": 1},  # the errored sample's metric never counts
                       "inst_level_strict": {"micro": round((0.5 + 0.25) / 2, 4), "count": 2},
                       "prompt_level_loose": {"micro": 1.0, "count": 2},
                       "prompt_level_strict": {"micro": 0.5, "count": 2}}
    assert row(aggregate(results), "dataset_level", "if/ifeval").to_dict()["metrics"]["inst_level_strict"]["count"] == 2
