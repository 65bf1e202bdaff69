"""Schema model: EvalScope JSON read/written unchanged, flattening, errors naming the tree path."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.authoring.schema import (
    CollectionSchema,
    SchemaError,
    dump_schema,
    dump_schema_text,
    flatten,
    load_schema,
    parse_schema,
    schema_hash,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "example_suites" / "schemas"


def leaf(name: str, weight: float = 1, **extra: Any) -> dict[str, Any]:
    return {"name": name, "weight": weight, **extra}


def math_index() -> dict[str, Any]:
    """The nested schema of EvalScope's documentation."""
    return {
        "name": "math_index",
        "weight": 1.0,
        "datasets": [
            {"name": "math", "weight": 3, "datasets": [leaf("gsm8k"), leaf("aime25")]},
            {"name": "reasoning", "weight": 1, "datasets": [leaf("arc"), leaf("ceval")]},
        ],
    }


# EvalScope's dump_json output (indent 4, non-ASCII kept, no final newline, "hierarchy": [] on leaves).
EVALSCOPE_TEXT = """{
    "name": "混合_index",
    "weight": 1.0,
    "datasets": [
        {
            "name": "knowledge",
            "weight": 0.3,
            "datasets": [
                {
                    "name": "chinese_simpleqa",
                    "weight": 1,
                    "task_type": "knowledge",
                    "tags": [
                        "rag",
                        "中文"
                    ],
                    "args": {
                        "subset_list": [
                            "社会"
                        ],
                        "few_shot_num": 0
                    },
                    "hierarchy": []
                }
            ]
        },
        {
            "name": "ifeval",
            "weight": 0.7,
            "task_type": "instruction_following",
            "tags": [],
            "args": {},
            "hierarchy": []
        }
    ]
}"""


def test_nested_doc_example_expands_to_documented_weights() -> None:
    leaves = flatten(parse_schema(math_index()))
    assert [lf.path for lf in leaves] == [
        "math_index/math/gsm8k", "math_index/math/aime25",
        "math_index/reasoning/arc", "math_index/reasoning/ceval",
    ]
    assert [lf.exact_weight for lf in leaves] == [Fraction(3, 8), Fraction(3, 8), Fraction(1, 8), Fraction(1, 8)]
    assert [lf.weight for lf in leaves] == [0.375, 0.375, 0.125, 0.125]
    assert [lf.hierarchy for lf in leaves] == [["math_index", "math"]] * 2 + [["math_index", "reasoning"]] * 2


def test_flat_seed_schema_expands_to_04_06() -> None:
    schema = load_schema(EXAMPLES / "reasoning_index.json")
    leaves = flatten(schema)
    assert [(lf.name, lf.weight) for lf in leaves] == [("arc", 0.4), ("ceval", 0.6)]
    assert leaves[1].info.subset_list == ["logic"]
    assert [lf.hierarchy for lf in leaves] == [["reasoning_index"], ["reasoning_index"]]


def test_example_math_index_matches_doc_example() -> None:
    leaves = flatten(load_schema(EXAMPLES / "math_index.json"))
    assert [(lf.name, lf.weight) for lf in leaves] == [
        ("gsm8k", 0.375), ("aime25", 0.375), ("arc", 0.125), ("ceval", 0.125)]


def test_weights_multiply_along_three_levels_and_sum_to_one() -> None:
    data = {"name": "root", "weight": 5, "datasets": [
        leaf("a", 1),
        {"name": "g", "weight": 3, "datasets": [
            leaf("b", 0.2),
            {"name": "h", "weight": 0.8, "datasets": [leaf("c", 7), leaf("d", 1)]},
        ]},
    ]}
    leaves = flatten(parse_schema(data))
    # a = 1/4; g = 3/4 → b = 3/4·0.2 = 0.15, h = 3/4·0.8 = 0.6 → c = 0.6·7/8, d = 0.6·1/8
    assert [lf.exact_weight for lf in leaves] == [
        Fraction(1, 4), Fraction(3, 20), Fraction(21, 40), Fraction(3, 40)]
    assert sum(lf.exact_weight for lf in leaves) == 1
    assert leaves[3].hierarchy == ["root", "g", "h"]
    assert leaves[3].tree_path == "datasets[1].datasets[1].datasets[1]"


def test_decimal_weights_are_exact() -> None:
    leaves = flatten(parse_schema({"name": "r", "datasets": [leaf("a", 0.29), leaf("b", 0.71)]}))
    assert [lf.exact_weight for lf in leaves] == [Fraction(29, 100), Fraction(71, 100)]


def test_user_hierarchy_is_overwritten_and_repeated_paths_made_unique() -> None:
    data = {"name": "r", "datasets": [leaf("arc", hierarchy=["wrong"]), leaf("arc", 2)]}
    schema = parse_schema(data)
    leaves = flatten(schema)
    assert [lf.path for lf in leaves] == ["r/arc", "r/arc#2"]
    assert leaves[0].hierarchy == ["r"]
    assert schema.datasets[0].hierarchy == ["wrong"]  # type: ignore[union-attr]  # flattening does not touch the schema itself


def test_evalscope_json_round_trips_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(EVALSCOPE_TEXT, encoding="utf-8")
    schema = load_schema(source)
    assert dump_schema_text(schema) == EVALSCOPE_TEXT
    out = tmp_path / "out.json"
    dump_schema(schema, out)
    assert out.read_bytes() == source.read_bytes()
    # ints stay ints and floats stay floats
    assert json.loads(out.read_text())["datasets"][0]["datasets"][0]["weight"] == 1
    assert isinstance(schema.datasets[0].datasets[0].weight, int)  # type: ignore[union-attr]


def test_example_schema_files_are_in_evalscope_format() -> None:
    for path in EXAMPLES.glob("*.json"):
        assert dump_schema_text(load_schema(path)) == path.read_text(encoding="utf-8"), path


def test_omitted_leaf_keys_are_written_with_evalscope_defaults() -> None:
    schema = parse_schema({"name": "r", "datasets": [{"name": "arc"}]})
    assert schema.to_dict() == {"name": "r", "weight": 1.0, "datasets": [
        {"name": "arc", "weight": 1.0, "task_type": "", "tags": [], "args": {}, "hierarchy": []}]}


def test_schema_hash_is_canonical_and_tracks_content() -> None:
    a = parse_schema(math_index())
    reordered = json.loads(json.dumps(math_index()), object_pairs_hook=lambda kv: dict(reversed(kv)))
    assert schema_hash(parse_schema(reordered)) == schema_hash(a)
    changed = math_index()
    changed["datasets"][1]["datasets"][0]["weight"] = 2
    assert schema_hash(parse_schema(changed)) != schema_hash(a)
    assert schema_hash(a).startswith("sha256:") and len(schema_hash(a)) == 7 + 64


def test_subset_field_arguments() -> None:
    schema = parse_schema({"name": "r", "datasets": [
        leaf("a"), leaf("b", args={"subset_field": "topic"}), leaf("c", args={"subset_key": "level"})]})
    assert [lf.info.subset_fields for lf in flatten(schema)] == [
        ("subset_name", "subset_key"), ("topic",), ("level",)]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["datasets"][1]["datasets"][0].update(weight=0),
         "datasets[1].datasets[0].weight (math_index/reasoning/arc): must be a finite number > 0, got 0"),
        (lambda d: d["datasets"][1]["datasets"][0].update(weight=-1.5),
         "datasets[1].datasets[0].weight (math_index/reasoning/arc): must be a finite number > 0, got -1.5"),
        (lambda d: d["datasets"][1]["datasets"][0].update(weight=math.inf),
         "datasets[1].datasets[0].weight (math_index/reasoning/arc): must be a finite number > 0, got inf"),
        (lambda d: d["datasets"][1].update(weight=math.nan),
         "datasets[1].weight (math_index/reasoning): must be a finite number > 0, got nan"),
        (lambda d: d["datasets"][0]["datasets"][1].update(weight="2"),
         "datasets[0].datasets[1].weight (math_index/math/aime25): must be a number, got \"2\""),
        (lambda d: d["datasets"][0]["datasets"][1].update(weight=True),
         "datasets[0].datasets[1].weight (math_index/math/aime25): must be a number, got true"),
        (lambda d: d["datasets"][0]["datasets"][1].update(weigth=2),
         "datasets[0].datasets[1].weigth (math_index/math/aime25): unknown key; a dataset takes name, weight"),
        (lambda d: d["datasets"][1].update(note="x"),
         "datasets[1].note (math_index/reasoning): unknown key; a group takes name, weight, datasets"),
        (lambda d: d["datasets"][0]["datasets"][0].pop("name"),
         "datasets[0].datasets[0].name (math_index/math): is required"),
        (lambda d: d["datasets"][0].update(datasets=[]),
         "datasets[0].datasets (math_index/math): a group needs at least one dataset or group"),
        (lambda d: d["datasets"][1]["datasets"][1].update(args={"subset_list": "logic"}),
         "datasets[1].datasets[1].args (math_index/reasoning/ceval): subset_list must be a list"),
        (lambda d: d.update(weight=0), "weight (math_index): must be a finite number > 0, got 0"),
    ],
)
def test_errors_name_the_path_in_the_tree(mutate: Any, expected: str) -> None:
    data = math_index()
    mutate(data)
    with pytest.raises(SchemaError) as info:
        parse_schema(data, "math_index.json")
    message = str(info.value)
    assert message.startswith(f"math_index.json: {expected}")
    assert "\n" not in message


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"missing\.json: no such schema file"):
        load_schema(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "name": "x",\n  "datasets": [,]\n}', encoding="utf-8")
    with pytest.raises(SchemaError, match=r"bad\.json:3:16: not valid JSON"):
        load_schema(bad)
    leaf_only = tmp_path / "leaf.json"
    leaf_only.write_text('{"name": "arc", "weight": 1}', encoding="utf-8")
    with pytest.raises(SchemaError, match="top level must be a group"):
        load_schema(leaf_only)


def test_root_weight_does_not_matter() -> None:
    a = math_index()
    b = math_index()
    b["weight"] = 7
    assert [lf.weight for lf in flatten(parse_schema(a))] == [lf.weight for lf in flatten(parse_schema(b))]
    assert isinstance(parse_schema(a), CollectionSchema)
