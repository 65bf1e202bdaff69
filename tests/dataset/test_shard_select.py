"""--eval-shard I/N: a sample's shard follows its content hash, so editing or reordering the JSONL moves few samples."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from helpers_runs import GENERAL_SUITE, entries

from pytest_evalindex.core.settings import Shard
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.select import in_shard, select, shard_number

LINES = entries(GENERAL_SUITE)


def _synthetic(count: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"index": i, "prompt": {"input": f"question {i} {rng.random()}", "choices": ["x", "y"], "target": "A"},
             "tags": ["en"], "categories": ["idx"], "task_type": "t", "weight": 1.0 / count,
             "dataset_name": "arc", "subset_name": "s"} for i in range(count)]


def _entries(lines: list[dict[str, Any]]) -> list[Entry]:
    return [Entry.model_validate_json(json.dumps(line)) for line in lines]


def _assignment(items: list[Entry], count: int) -> dict[str, int]:
    return {e.node_name: shard_number(e.sample_hash(), count) for e in items}


def test_every_sample_is_in_exactly_one_shard_and_keeps_its_place_in_the_whole_selection() -> None:
    selected = select(LINES, limit=None, shuffle=True, seed=7)
    shards = [in_shard(selected, Shard(i, 3)) for i in (1, 2, 3)]
    ordinals = sorted(ordinal for shard in shards for ordinal, _ in shard)
    assert ordinals == list(range(len(selected)))
    for shard in shards:
        assert shard and all(selected[ordinal] is entry for ordinal, entry in shard)
    assert in_shard(selected, None) == list(enumerate(selected))
    assert in_shard(selected, Shard(1, 1)) == list(enumerate(selected))


def test_shards_are_balanced_on_a_large_collection() -> None:
    sizes = [0] * 4
    for number in _assignment(_entries(_synthetic(4000)), 4).values():
        sizes[number - 1] += 1
    assert all(850 <= size <= 1150 for size in sizes), sizes


def test_reordering_the_lines_moves_no_sample_between_shards() -> None:
    lines = _synthetic(300)
    before = _assignment(_entries(lines), 5)
    shuffled = list(lines)
    random.Random(3).shuffle(shuffled)
    assert _assignment(_entries(shuffled), 5) == before


def test_editing_or_adding_lines_moves_at_most_the_edited_lines() -> None:
    lines = _synthetic(300)
    before = _assignment(_entries(lines), 5)
    edited = [dict(line) for line in lines]
    for i in (10, 50, 200):
        edited[i] = {**edited[i], "prompt": {**edited[i]["prompt"], "input": f"an edited question {i}"}}
    edited.append({**lines[0], "index": 999, "prompt": {**lines[0]["prompt"], "input": "a new question"}})
    after = _assignment(_entries(edited), 5)
    moved = {name for name in before if after[name] != before[name]}
    assert moved <= {"arc/s/10", "arc/s/50", "arc/s/200"}
    # the weight, tags and position are not content: changing them moves nothing
    reweighted = [{**line, "weight": 0.5, "tags": ["zh"]} for line in lines]
    assert _assignment(_entries(reweighted), 5) == before


@pytest.mark.parametrize("text, expected", [("1/3", Shard(1, 3)), (" 3/3 ", Shard(3, 3)), ("1/1", Shard(1, 1))])
def test_shard_parses(text: str, expected: Shard) -> None:
    assert Shard.parse(text) == expected and expected.label == text.strip()


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/3/4", ""])
def test_bad_shard_is_refused_with_the_fix(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected I/N with 1 <= I <= N, like 2/3"):
        Shard.parse(text)
