"""What an entry keeps besides its fields (line number, request messages, digests): made on first use, one
per entry, never part of the entry's data, and the sample hash is the documented content hash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.loader import load_collection


def _lines() -> list[dict[str, object]]:
    return [{"index": i, "prompt": {"input": [{"role": "user", "content": f"Q{i} ünï"}], "target": ["A", "B"][i],
                                    "choices": ["x", "y"] if i else None},
             "tags": ["en"], "categories": ["c"], "task_type": "t", "weight": 0.5, "dataset_name": "arc",
             "subset_name": "ARC-Easy", "source": {"extra": i}} for i in range(2)]


def _expected_hash(line: dict[str, object]) -> str:
    """The sample hash written from the line itself: sha256 of the sorted, compact JSON of choices, target,
    dataset and subset, a newline, and the sha256 of the OpenAI messages' sorted, compact JSON."""
    prompt = line["prompt"]
    assert isinstance(prompt, dict)
    compact = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}
    rest = {"choices": prompt["choices"], "target": prompt["target"], "dataset_name": line["dataset_name"],
            "subset_name": line["subset_name"]}
    digest = hashlib.sha256(json.dumps(prompt["input"], **compact).encode()).hexdigest()  # type: ignore[arg-type]
    return hashlib.sha256(f"{json.dumps(rest, **compact)}\n{digest}".encode()).hexdigest()[:16]  # type: ignore[arg-type]


def test_entries_keep_their_line_and_hash_apart_from_their_data(tmp_path: Path) -> None:
    lines = _lines()
    path = tmp_path / "suite.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    loaded = load_collection(path).entries
    assert [entry.line for entry in loaded] == [1, 2]
    for entry, line in zip(loaded, lines, strict=True):
        assert entry.sample_hash() == _expected_hash(line)
        assert entry.messages_digest() == hashlib.sha256(json.dumps(
            entry.openai_messages(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        # The fields and extras only, as for an entry that computed nothing: no line number, digest or messages.
        assert set(entry.model_dump()) == {*line, "scorer"}
        assert entry.model_dump() == Entry.model_validate(line).model_dump()
        assert entry.model_dump_json() == Entry.model_validate(line).model_dump_json()
    made = Entry.model_validate(lines[1])  # not read from a file: line 0, the same hash
    assert made.line == 0 and made.sample_hash() == loaded[1].sample_hash()
    made.set_line(9)
    assert (made.line, loaded[1].line) == (9, 2)
    loaded[0].forget_request()  # the messages are rebuilt on demand, equal to the first ones
    assert loaded[0].openai_messages() == [{"role": "user", "content": "Q0 ünï"}]
