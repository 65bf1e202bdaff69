"""Allocation formulas, seeded drawing, line shapes and weights of the sampler."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.authoring.sampler import (
    allocate,
    largest_remainder,
    read_sidecar,
    sample_schema,
    sidecar_path,
    strategy_quotas,
    write_mixed,
    write_sidecar,
)
from pytest_evalindex.authoring.schema import (
    CollectionSchema,
    flatten,
    load_schema,
    parse_schema,
    schema_hash,
)
from pytest_evalindex.authoring.sources import (
    SourceError,
    read_leaf,
    render_single_answer,
)
from pytest_evalindex.dataset.loader import load_collection

EXAMPLES = Path(__file__).resolve().parents[2] / "example_suites" / "schemas"
F = Fraction


# --- allocation ------------------------------------------------------------------------------

def test_largest_remainder_rounds_to_the_total_with_ties_to_earlier_leaves() -> None:
    assert largest_remainder([F(10, 3)] * 3, 10) == [4, 3, 3]
    assert largest_remainder([F(11, 3)] * 3, 11) == [4, 4, 3]
    assert largest_remainder([F(5, 2), F(5, 2)], 5) == [3, 2]
    assert largest_remainder([F(27, 10), F(33, 10), F(4)], 10) == [3, 3, 4]


@pytest.mark.parametrize(
    ("weights", "n", "expected", "evalscope"),
    [
        # int(0.29*100) = 28 and int(0.57*100) = 56 in EvalScope; exact quotas give 29 and 57.
        ([F(29, 100), F(71, 100)], 100, [29, 71], [28, 72]),
        ([F(57, 100), F(43, 100)], 100, [57, 43], [56, 44]),
        ([F(2, 5), F(3, 5)], 10, [4, 6], [4, 6]),
        # Quotas 3.333… each: the remainder goes to the first leaf, not the last.
        ([F(1, 3)] * 3, 10, [4, 3, 3], [3, 3, 4]),
        # 0.375/0.375/0.125/0.125 of 10 = 3.75, 3.75, 1.25, 1.25 → remainders .75,.75 win.
        ([F(3, 8), F(3, 8), F(1, 8), F(1, 8)], 10, [4, 4, 1, 1], [3, 3, 1, 3]),
    ],
)
def test_weighted_allocation_rounds_by_largest_remainder(
    weights: list[Fraction], n: int, expected: list[int], evalscope: list[int]
) -> None:
    alloc = allocate("weighted", weights, [10_000] * len(weights), n)
    assert alloc.quotas == [w * n for w in weights]
    assert alloc.asked == alloc.drawn == expected
    # what EvalScope computes for the same input (float truncation, last leaf absorbs the rest)
    truncated = [int(float(w) * n) for w in weights[:-1]]
    assert truncated + [n - sum(truncated)] == evalscope


def test_uniform_allocation_ignores_weights() -> None:
    alloc = allocate("uniform", [F(9, 10), F(1, 20), F(1, 20)], [100, 100, 100], 10)
    assert alloc.quotas == [F(10, 3)] * 3
    assert alloc.drawn == [4, 3, 3]  # EvalScope: 3, 3, 4
    assert allocate("uniform", [F(1, 2)] * 2, [100, 100], 10).drawn == [5, 5]


def test_stratified_allocation_follows_available_counts() -> None:
    alloc = allocate("stratified", [F(1, 3)] * 3, [50, 30, 20], 10)
    assert alloc.quotas == [5, 3, 2]
    assert alloc.drawn == [5, 3, 2]
    uneven = allocate("stratified", [F(1, 3)] * 3, [7, 7, 7], 10)
    assert uneven.drawn == [4, 3, 3]


def test_stratified_doc_example_gets_at_least_one_sample_per_leaf() -> None:
    # arc 3548 samples, ceval/logic 22, N = 10 (spec §2.4): quotas 9.938…, 0.0616…
    alloc = allocate("stratified", [F(2, 5), F(3, 5)], [3548, 22], 10)
    assert alloc.quotas == [F(3548 * 10, 3570), F(22 * 10, 3570)]
    assert alloc.asked == [10, 0]
    assert alloc.drawn == [9, 1]


def test_short_leaf_shortfall_is_redistributed_proportionally() -> None:
    alloc = allocate("weighted", [F(1, 3)] * 3, [2, 100, 100], 30)
    assert alloc.asked == [10, 10, 10]
    assert alloc.drawn == [2, 14, 14]
    weighted = allocate("weighted", [F(1, 2), F(1, 4), F(1, 4)], [1, 100, 100], 20)
    assert weighted.asked == [10, 5, 5]
    assert weighted.drawn == [1, 10, 9]  # 9 redistributed as 4.5 / 4.5, tie to the earlier leaf


def test_redistribution_cascades_over_several_short_leaves() -> None:
    alloc = allocate("uniform", [F(1, 3)] * 3, [2, 5, 100], 30)
    assert alloc.drawn == [2, 5, 23]


def test_total_shortage_draws_everything() -> None:
    alloc = allocate("weighted", [F(1, 2)] * 2, [2, 3], 10)
    assert alloc.drawn == [2, 3]


def test_empty_leaf_gets_nothing_and_its_share_moves_on() -> None:
    alloc = allocate("weighted", [F(1, 3)] * 3, [0, 50, 50], 9)
    assert alloc.asked == [3, 3, 3]
    assert alloc.drawn == [0, 5, 4]
    assert allocate("stratified", [F(1, 3)] * 3, [0, 0, 0], 5).drawn == [0, 0, 0]


def test_every_non_empty_leaf_gets_one_taken_from_the_largest() -> None:
    # quotas 10/201, 1000/201, 1000/201 → 0, 5, 5 before the guarantee
    alloc = allocate("weighted", [F(1, 201), F(100, 201), F(100, 201)], [100, 100, 100], 10)
    assert alloc.asked == [0, 5, 5]
    assert alloc.drawn == [1, 5, 4]
    assert allocate("weighted", [F(1, 1000), F(999, 1000)], [5, 5], 3).drawn == [1, 2]


def test_no_guarantee_when_n_is_below_the_number_of_leaves() -> None:
    assert allocate("uniform", [F(1, 3)] * 3, [5, 5, 5], 2).drawn == [1, 1, 0]


@pytest.mark.parametrize("strategy", ["weighted", "uniform", "stratified"])
@pytest.mark.parametrize("n", [1, 7, 10, 33, 100])
def test_allocations_sum_to_n_and_stay_within_one_of_the_quota(strategy: Any, n: int) -> None:
    weights = [F(29, 100), F(13, 100), F(58, 100)]
    available = [1000, 500, 2000]
    alloc = allocate(strategy, weights, available, n)
    assert sum(alloc.drawn) == n
    assert alloc.quotas == strategy_quotas(strategy, weights, available, n)
    for q, a in zip(alloc.quotas, alloc.asked):
        assert abs(q - a) < 1


# --- sampling from sources --------------------------------------------------------------------

def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def mcq(i: int, subset: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"input": f"Question {i}?", "choices": ["yes", "no", "maybe"], "target": "A",
                           "metadata": {"id": i}}
    if subset:
        row["subset_name"] = subset
    return row


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "src" / "arc" / "ARC-Easy.jsonl", [mcq(i) for i in range(20)])
    write_jsonl(tmp_path / "src" / "arc" / "ARC-Challenge.jsonl", [mcq(100 + i) for i in range(10)])
    write_jsonl(tmp_path / "src" / "gsm8k.jsonl",
                [{"input": f"What is {i} + {i}?", "target": 2 * i, "subset_name": "main"} for i in range(15)])
    write_jsonl(tmp_path / "src" / "ceval.jsonl", [
        {"input": [{"role": "user", "content": f"问题：{i}？\n答案："}], "choices": ["甲", "乙", "丙", "丁"],
         "target": "B", "subset_key": "logic" if i % 2 else "law", "metadata": {"subject": "x"}}
        for i in range(12)
    ])
    write_jsonl(tmp_path / "src" / "empty.jsonl", [])
    return tmp_path / "src"


def schema_of(datasets: list[dict[str, Any]], name: str = "idx") -> CollectionSchema:
    return parse_schema({"name": name, "weight": 1.0, "datasets": datasets})


ARC = {"name": "arc", "weight": 2, "task_type": "reasoning", "tags": ["en"], "args": {"local_path": "arc"}}
CEVAL = {"name": "ceval", "weight": 3, "task_type": "reasoning", "tags": ["zh"],
         "args": {"local_path": "ceval.jsonl", "subset_list": ["logic"]}}
GSM = {"name": "gsm8k", "weight": 1, "task_type": "math", "args": {"local_path": "gsm8k.jsonl"}}


def test_lines_are_dataset_entries_with_leaf_weight_over_drawn(sources: Path) -> None:
    schema = schema_of([ARC, CEVAL])
    result = sample_schema(schema, base_dir=sources, n=10, strategy="weighted", seed=1)
    lines = result.lines
    assert [line["index"] for line in lines] == list(range(10))
    assert list(lines[0]) == ["index", "prompt", "tags", "categories", "task_type", "weight", "dataset_name", "subset_name"]
    arc = [line for line in lines if line["dataset_name"] == "arc"]
    ceval = [line for line in lines if line["dataset_name"] == "ceval"]
    assert (len(arc), len(ceval)) == (4, 6)
    # weight = leaf weight / drawn, computed exactly then rounded once (EvalScope's 0.6/6 gives 0.0999…9)
    assert {line["weight"] for line in arc} == {float(F(2, 5) / 4)}
    assert {line["weight"] for line in ceval} == {float(F(3, 5) / 6)} == {0.1}
    assert {line["subset_name"] for line in ceval} == {"logic"}
    assert {line["subset_name"] for line in arc} <= {"ARC-Easy", "ARC-Challenge"}
    assert arc[0]["tags"] == ["en"] and arc[0]["categories"] == ["idx"] and arc[0]["task_type"] == "reasoning"
    assert math.isclose(math.fsum(line["weight"] for line in lines), 1.0)
    # leaves come out in schema order, no sample drawn twice
    assert [line["dataset_name"] for line in lines] == ["arc"] * 4 + ["ceval"] * 6
    ids = [json.dumps(line["prompt"], sort_keys=True) for line in lines]
    assert len(set(ids)) == len(ids)


def test_weights_sum_to_one_with_short_and_empty_leaves(sources: Path) -> None:
    empty = {"name": "exact", "weight": 5, "args": {"local_path": "empty.jsonl"}}
    schema = schema_of([ARC, CEVAL, GSM, empty])
    result = sample_schema(schema, base_dir=sources, n=40, strategy="weighted", seed=3)
    drawn = {r.leaf.name: r.drawn for r in result.leaves}
    # ceval has only 6 logic samples; empty has none; the rest goes to arc and gsm8k
    assert drawn["ceval"] == 6 and drawn["exact"] == 0
    assert sum(drawn.values()) == 40
    assert result.renormalised
    assert math.isclose(math.fsum(line["weight"] for line in result.lines), 1.0)
    kept = F(2, 11) + F(3, 11) + F(1, 11)
    by_leaf = {r.leaf.name: r for r in result.leaves}
    assert by_leaf["ceval"].effective_weight == F(3, 11) / kept
    assert by_leaf["ceval"].line_weight == float(F(3, 11) / kept / 6)
    assert any("exact" in w and "no samples" in w for w in result.warnings)
    assert any("ceval" in w and "only 6" in w for w in result.warnings)
    assert any("renormalised" in w for w in result.warnings)


@pytest.mark.parametrize("strategy", ["weighted", "uniform", "stratified"])
def test_same_seed_same_bytes_other_seed_other_bytes(sources: Path, tmp_path: Path, strategy: Any) -> None:
    schema = schema_of([ARC, CEVAL, GSM])
    outs = []
    for i, seed in enumerate([5, 5, 6]):
        result = sample_schema(schema, base_dir=sources, n=12, strategy=strategy, seed=seed)
        out = tmp_path / f"out{i}.jsonl"
        write_mixed(out, result.lines)
        write_sidecar(result, schema_path="s.json", output=out, version="test")
        outs.append(out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert outs[0].read_bytes() != outs[2].read_bytes()
    meta0 = json.loads(sidecar_path(outs[0]).read_text())
    meta1 = json.loads(sidecar_path(outs[1]).read_text())
    meta0["output"].pop("file"), meta1["output"].pop("file")
    assert meta0 == meta1


def test_each_leaf_draws_independently_of_the_other_leaves(sources: Path) -> None:
    with_ceval = sample_schema(schema_of([ARC, CEVAL]), base_dir=sources, n=10, strategy="weighted", seed=9)
    gsm = {**GSM, "weight": 3}
    with_gsm = sample_schema(schema_of([ARC, gsm]), base_dir=sources, n=10, strategy="weighted", seed=9)
    prompts = [[line["prompt"] for line in r.lines if line["dataset_name"] == "arc"] for r in (with_ceval, with_gsm)]
    assert len(prompts[0]) == 4
    assert prompts[0] == prompts[1]


def test_simple_mcq_line_renders_evalscope_single_answer(sources: Path) -> None:
    result = sample_schema(schema_of([ARC]), base_dir=sources, n=1, strategy="weighted", seed=0)
    prompt = result.lines[0]["prompt"]
    question = prompt["input"][0]["content"].split("\n\n")[1]
    assert prompt["input"] == [{"role": "user", "content": (
        "Answer the following multiple choice question. The entire content of your response should be of the "
        "following format: 'ANSWER: [LETTER]' (without quotes) where [LETTER] is one of A,B,C.\n\n"
        f"{question}\n\nA) yes\nB) no\nC) maybe")}]
    assert prompt["choices"] == ["yes", "no", "maybe"] and prompt["target"] == "A"
    assert "subset_name" not in prompt


def test_option_labels_beyond_z_are_digits() -> None:
    text = render_single_answer("Pick", [f"o{i}" for i in range(28)])
    assert "one of A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P,Q,R,S,T,U,V,W,X,Y,Z,1,2." in text
    assert text.endswith("Z) o25\n1) o26\n2) o27")


def test_extra_keys_of_simple_lines_go_to_metadata(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "s.jsonl", [{"input": "q", "target": "1", "topic": "t", "subset_name": "main",
                                        "metadata": {"id": 7}}])
    result = sample_schema(schema_of([{"name": "exact", "args": {"local_path": "s.jsonl"}}]),
                           base_dir=tmp_path, n=1, strategy="weighted", seed=0)
    assert result.lines[0]["prompt"] == {"input": [{"role": "user", "content": "q"}], "target": "1",
                                         "metadata": {"topic": "t", "id": 7}}
    assert result.lines[0]["subset_name"] == "main"


def test_plain_question_becomes_one_user_message(sources: Path) -> None:
    result = sample_schema(schema_of([GSM]), base_dir=sources, n=15, strategy="weighted", seed=0)
    for line in result.lines:
        prompt = line["prompt"]
        assert prompt["input"][0]["role"] == "user"
        a = int(prompt["input"][0]["content"].split()[2])
        assert prompt["target"] == str(2 * a)  # numeric targets become strings
        assert line["subset_name"] == "main" and "choices" not in prompt


def test_sample_shape_lines_are_copied_as_they_are(sources: Path) -> None:
    result = sample_schema(schema_of([CEVAL]), base_dir=sources, n=6, strategy="weighted", seed=0)
    originals = [json.loads(line) for line in (sources / "ceval.jsonl").read_text(encoding="utf-8").splitlines()]
    for line in result.lines:
        assert line["prompt"] in originals
        assert line["prompt"]["subset_key"] == "logic"


def test_folder_subsets_come_from_file_stems_unless_lines_carry_one(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "d" / "a.jsonl", [mcq(1), mcq(2, subset="own")])
    write_jsonl(tmp_path / "d" / "b.jsonl", [mcq(3)])
    leaf = flatten(schema_of([{"name": "arc", "args": {"local_path": "d"}}]))[0]
    src = read_leaf(leaf, tmp_path)
    assert [r.subset for r in src.records] == ["a", "own", "b"]
    assert src.subsets == {"a": 1, "own": 1, "b": 1}
    named = flatten(schema_of([{"name": "arc", "args": {"local_path": "d/a.jsonl", "subset_field": "metadata"}}]))[0]
    with pytest.raises(SourceError, match=r"a\.jsonl:1: field 'metadata': the subset name must be a non-empty string"):
        read_leaf(named, tmp_path)
    single = flatten(schema_of([{"name": "arc", "args": {"local_path": "d/b.jsonl"}}]))[0]
    assert [r.subset for r in read_leaf(single, tmp_path).records] == ["default"]


def test_unknown_subset_in_subset_list_warns(sources: Path) -> None:
    leaf = flatten(schema_of([{**ARC, "args": {"local_path": "arc", "subset_list": ["ARC-Easy", "ARC-Hard"]}}]))[0]
    src = read_leaf(leaf, sources)
    assert len(src.records) == 20
    assert src.warnings == [f"leaf idx/arc: subset_list names ARC-Hard but {sources / 'arc'} has only ARC-Challenge, ARC-Easy"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"input": "ok", "target": "A"}\n{"input": "x", "target": "A"\n', r"bad\.jsonl:2: not valid JSON"),
        ('{"target": "A"}\n', r"bad\.jsonl:1: field 'input': is required"),
        ('{"input": "q", "choices": "A B"}\n', r"bad\.jsonl:1: field 'choices': must be a non-empty list"),
        ('{"input": [{"role": "user", "content": "q"}], "target": 3}\n', r"bad\.jsonl:1: field 'target'"),
        ('[1, 2]\n', r"bad\.jsonl:1: expected a JSON object"),
        ('{"input": "q", "metadata": "x", "extra": 1}\n', r"bad\.jsonl:1: field 'metadata'"),
    ],
)
def test_bad_source_lines_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.jsonl").write_text(content, encoding="utf-8")
    schema = schema_of([{"name": "arc", "args": {"local_path": "bad.jsonl"}}])
    with pytest.raises(SourceError, match=message):
        sample_schema(schema, base_dir=tmp_path, n=1, strategy="weighted", seed=0)


def test_bad_message_in_drawn_sample_is_reported_with_its_line(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "s.jsonl", [{"input": [{"role": "robot", "content": "hi"}], "target": "x"}])
    schema = schema_of([{"name": "exact", "args": {"local_path": "s.jsonl"}}])
    with pytest.raises(SourceError, match=r"s\.jsonl:1: field 'input\.0\.role'"):
        sample_schema(schema, base_dir=tmp_path, n=1, strategy="weighted", seed=0)


def test_missing_local_path_names_the_leaf(tmp_path: Path) -> None:
    schema = schema_of([{"name": "g", "datasets": [{"name": "arc"}]}])
    with pytest.raises(SourceError, match=r"^datasets\[0\]\.datasets\[0\]\.args\.local_path \(idx/g/arc\): is required"):
        sample_schema(schema, base_dir=tmp_path, n=1, strategy="weighted", seed=0)
    schema = schema_of([{"name": "arc", "args": {"local_path": "nope"}}])
    with pytest.raises(SourceError, match=r"nope: no such file or folder \(leaf idx/arc"):
        sample_schema(schema, base_dir=tmp_path, n=1, strategy="weighted", seed=0)


def test_example_schemas_sample_into_loadable_collections(tmp_path: Path) -> None:
    for name, strategy in (("reasoning_index", "stratified"), ("math_index", "weighted")):
        path = EXAMPLES / f"{name}.json"
        schema = load_schema(path)
        result = sample_schema(schema, base_dir=path.parent, n=20, strategy=strategy, seed=42)  # type: ignore[arg-type]
        out = tmp_path / f"{name}.jsonl"
        write_mixed(out, result.lines)
        meta = json.loads(write_sidecar(result, schema_path=str(path), output=out, version="t").read_text())
        collection = load_collection(out)
        assert len(collection.entries) == 20
        assert math.isclose(math.fsum(e.weight for e in collection.entries), 1.0)
        assert meta["schema"]["sha256"] == schema_hash(schema)
        assert meta["output"]["sha256"] == collection.fingerprint
        assert read_sidecar(out, collection.fingerprint) == meta
        assert meta["seed"] == 42 and meta["strategy"] == strategy and meta["n_drawn"] == 20
        assert sum(leaf["drawn"] for leaf in meta["leaves"]) == 20
        # non-ASCII is written as is, with EvalScope's separators
        text = out.read_text(encoding="utf-8")
        assert text.startswith('{"index": 0, "prompt": {"input": [{')
        if name == "reasoning_index":
            assert "逻辑学" in text and "\\u" not in text


def test_sidecar_is_ignored_when_missing_or_stale(tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    assert read_sidecar(out) is None
    write_jsonl(tmp_path / "s.jsonl", [{"input": "q", "target": "1"}])
    result = sample_schema(schema_of([{"name": "exact", "args": {"local_path": "s.jsonl"}}]),
                           base_dir=tmp_path, n=1, strategy="uniform", seed=0)
    write_mixed(out, result.lines)
    meta = write_sidecar(result, schema_path="s.json", output=out, version="t")
    assert read_sidecar(out) is not None
    assert read_sidecar(out, "sha256:" + "0" * 64) is None
    meta.write_text("{not json", encoding="utf-8")
    assert read_sidecar(out) is None


def test_no_samples_anywhere_is_an_error(sources: Path) -> None:
    schema = schema_of([{"name": "exact", "args": {"local_path": "empty.jsonl"}}])
    with pytest.raises(SourceError, match="no leaf has any sample"):
        sample_schema(schema, base_dir=sources, n=3, strategy="stratified", seed=0)
