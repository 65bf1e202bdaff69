"""Lines are split on "\\n" only, as EvalScope reads them: separators inside JSON strings are data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.loader import CollectionError, load_collection


def _line(index: int, text: str) -> str:
    return json.dumps({"index": index, "prompt": {"input": [{"role": "user", "content": text}], "target": "A",
                                                  "choices": ["x", "y"]},
                       "tags": [], "categories": ["c"], "task_type": "t", "weight": 1.0,
                       "dataset_name": "arc", "subset_name": "ARC-Easy"}, ensure_ascii=False)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x0c", "\x1c", "\r"])
def test_unicode_line_separators_inside_strings_are_data(tmp_path: Path, separator: str) -> None:
    text = f"Step one.{separator}Step two."
    path = tmp_path / "suite.jsonl"
    path.write_text(_line(0, text) + "\n" + _line(1, "plain") + "\r\n", encoding="utf-8", newline="")
    collection = load_collection(path)
    assert [e.line for e in collection.entries] == [1, 2]
    assert collection.entries[0].prompt.input[0].content == text


def test_evalscope_lax_numbers_are_read_as_evalscope_reads_them(tmp_path: Path) -> None:
    line = json.loads(_line(0, "q"))
    path = tmp_path / "suite.jsonl"
    path.write_text(json.dumps({**line, "index": 7.0, "weight": "0.25"}) + "\n", encoding="utf-8")
    (entry,) = load_collection(path).entries
    assert (entry.index, entry.weight) == (7, 0.25)


@pytest.mark.parametrize(("field", "value"), [("index", 7.5), ("weight", "heavy"), ("index", True)])
def test_numbers_evalscope_cannot_use_name_file_line_and_field(tmp_path: Path, field: str, value: object) -> None:
    path = tmp_path / "suite.jsonl"
    path.write_text(_line(0, "ok") + "\n" + json.dumps({**json.loads(_line(1, "q")), field: value}) + "\n",
                    encoding="utf-8")
    with pytest.raises(CollectionError) as caught:
        load_collection(path)
    assert str(caught.value).startswith(f"{path}:2: field '{field}':")


def test_collection_info_is_the_line_minus_its_prompt_as_pydantic_dumps_it() -> None:
    lines = ['{"index": 3, "prompt": {"input": "q"}, "dataset_name": "d"}',
             '{"index": "4", "prompt": {"input": "q"}, "dataset_name": "d", "weight": 2, "tags": ["中"], '
             '"categories": ["a", "b"], "task_type": "qa", "subset_name": "s", "scorer": "exact_match"}',
             '{"index": 5.0, "prompt": {"input": "q"}, "dataset_name": "d", "weight": "0.5", "scorer": null}',
             '{"index": 6, "prompt": {"input": "q"}, "dataset_name": "d", "source": "x", "extra": null}']
    for line in lines:
        entry = Entry.model_validate_json(line)
        info = entry.collection_info()
        expected = entry.model_dump(exclude={"prompt"}, exclude_none=True)
        assert json.dumps(info) == json.dumps(expected), line  # same keys, order and number types
        assert info["tags"] is not entry.tags  # a copy: the written line cannot change the entry
