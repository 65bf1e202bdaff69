"""Bad collection input: every case is one clear line naming file, line and field, before any request."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import GENERAL_SUITE, general_script, run_plugin, run_pytester

from pytest_evalindex.dataset.loader import (
    CollectionError,
    load_collection,
    resolve_collection_paths,
)
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.scorers.fit import check_scorers

LINES = [json.loads(line) for line in GENERAL_SUITE.read_text(encoding="utf-8").splitlines()]
MCQ = next(line for line in LINES if line["prompt"].get("choices"))  # an arc line, target "B"
OPEN = next(line for line in LINES if not line["prompt"].get("choices"))


def edit(change: Callable[[dict[str, Any]], object], base: dict[str, Any] = MCQ) -> str:
    line = copy.deepcopy(base)
    change(line)
    return json.dumps(line, ensure_ascii=False)


def setter(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def apply(line: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = line
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value
    return apply


def deleter(path: str) -> Callable[[dict[str, Any]], None]:
    def apply(line: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = line
        for key in parents:
            node = node[key]
        del node[last]
    return apply


GOOD = json.dumps(MCQ, ensure_ascii=False)

# (case id, file bytes, line, field or None, message fragment)
CASES: list[tuple[str, bytes, int | None, str | None, str]] = [
    ("empty file", b"", None, None, "collection is empty"),
    ("only blank lines", b"\n  \n\t\n", None, None, "collection is empty"),
    ("non-utf8", GOOD.encode() + b"\n" + b'{"index": 1, "x": "\xff\xfe"}\n', 2, None, "not UTF-8 text"),
    ("truncated last line", (GOOD + "\n" + GOOD[: len(GOOD) // 2]).encode(), 2, None, "not valid JSON"),
    ("array line", b"[1, 2]\n", 1, None, "expected a JSON object, got list"),
    ("string line", b'"hello"\n', 1, None, "expected a JSON object, got str"),
    ("number line", b"42\n", 1, None, "expected a JSON object, got int"),
    ("null line", b"null\n", 1, None, "expected a JSON object, got NoneType"),
    ("missing prompt", edit(deleter("prompt")).encode(), 1, "prompt", "is required"),
    ("missing input", edit(deleter("prompt.input")).encode(), 1, "prompt.input", "is required"),
    ("prompt not object", edit(setter("prompt", "2+2?")).encode(), 1, "prompt", "must be an object"),
    ("empty message list", edit(setter("prompt.input", [])).encode(), 1, "prompt.input", "at least one message"),
    ("unknown role", edit(setter("prompt.input.0.role", "robot")).encode(), 1, "prompt.input.0.role", "unknown role 'robot'"),
    ("message not object", edit(setter("prompt.input.0", "hi")).encode(), 1, "prompt.input.0", "must be an object"),
    ("content number", edit(setter("prompt.input.0.content", 5)).encode(), 1, "prompt.input.0.content", ""),
    ("unknown part type", edit(setter("prompt.input.0.content", [{"type": "hologram", "x": 1}])).encode(), 1,
     "prompt.input.0.content.0", "unknown content part type 'hologram'"),
    ("text part without text", edit(setter("prompt.input.0.content", [{"type": "text"}])).encode(), 1,
     "prompt.input.0.content.0.text", "is required"),
    ("index string", edit(setter("index", "seven")).encode(), 1, "index", "must be an integer"),
    ("index float", edit(setter("index", 1.5)).encode(), 1, "index", "must be an integer"),
    ("index bool", edit(setter("index", True)).encode(), 1, "index", "must be a number, not a boolean (got true)"),
    ("weight bool", edit(setter("weight", False)).encode(), 1, "weight", "must be a number, not a boolean"),
    ("weight string", edit(setter("weight", "heavy")).encode(), 1, "weight", "must be a number"),
    ("weight negative", edit(setter("weight", -1)).encode(), 1, "weight", "must be a finite number > 0"),
    ("weight zero", edit(setter("weight", 0)).encode(), 1, "weight", "must be a finite number > 0"),
    ("weight NaN", GOOD.replace('"weight": ', '"weight": NaN, "w": ').encode(), 1, "weight", "must be a finite number > 0"),
    ("weight Infinity", GOOD.replace('"weight": ', '"weight": Infinity, "w": ').encode(), 1, "weight", "must be a finite number > 0"),
    ("tags string", edit(setter("tags", "en")).encode(), 1, "tags", "must be a list"),
    ("tags of numbers", edit(setter("tags", [1])).encode(), 1, "tags.0", "must be a string"),
    ("categories object", edit(setter("categories", {"a": 1})).encode(), 1, "categories", "must be a list"),
    ("task_type number", edit(setter("task_type", 3)).encode(), 1, "task_type", "must be a string"),
    ("dataset_name missing", edit(deleter("dataset_name")).encode(), 1, "dataset_name", "is required"),
    ("dataset_name empty", edit(setter("dataset_name", "  ")).encode(), 1, "dataset_name", "must not be empty"),
    ("unknown dataset", edit(setter("dataset_name", "no_such_bench")).encode(), 1, "dataset_name",
     "no scorer for 'no_such_bench'"),
    ("unknown scorer", edit(setter("scorer", "nope")).encode(), 1, "scorer", "no scorer for 'nope'"),
    ("choices missing for MCQ", edit(deleter("prompt.choices")).encode(), 1, "prompt.choices",
     "needs a non-empty choices list"),
    ("choices empty for MCQ", edit(setter("prompt.choices", [])).encode(), 1, "prompt.choices",
     "needs a non-empty choices list"),
    ("choices not strings", edit(setter("prompt.choices", [1, 2])).encode(), 1, "prompt.choices.0", "must be a string"),
    ("target not a letter", edit(setter("prompt.target", "Carbon dioxide")).encode(), 1, "prompt.target",
     "'Carbon dioxide' is not a choice letter; multiple-choice scorer 'arc' needs one of A..D for 4 choices"),
    ("target beyond choices", edit(setter("prompt.target", "E")).encode(), 1, "prompt.target", "needs one of A..D"),
    ("target number", edit(setter("prompt.target", 2)).encode(), 1, "prompt.target", ""),
    ("metadata list", edit(setter("prompt.metadata", [])).encode(), 1, "prompt.metadata", "must be an object"),
    ("v0 raw record prompt", edit(setter("prompt", {"question": "q", "answer": "a"})).encode(), 1, "prompt.input",
     "v0.x lines with a raw dataset record are not supported"),
    ("duplicate index", (GOOD + "\n" + GOOD + "\n").encode(), 2, "index", "duplicate index 0 (first on line 1)"),
    ("code benchmark not run here", edit(setter("dataset_name", "ds1000")).encode(), 1, "dataset_name",
     "'ds1000' is a code-execution benchmark this version cannot run: its test programs need numpy"),
    ("judged benchmark not run here", edit(setter("dataset_name", "needle_haystack")).encode(), 1, "dataset_name",
     "'needle_haystack' is an LLM-judged benchmark this version cannot run: it builds its haystack"),
    ("bad line after blanks", (GOOD + "\n\n\n{oops\n").encode(), 4, None, "not valid JSON"),
]


@pytest.mark.parametrize(("data", "line", "field", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_line_is_one_clear_message(tmp_path: Path, data: bytes, line: int | None, field: str | None,
                                       fragment: str) -> None:
    path = tmp_path / "suite.jsonl"
    path.write_bytes(data)
    with pytest.raises(CollectionError) as info:
        check_scorers(load_collection(path))  # what the collector does before any request
    error = info.value
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: " if line is not None else f"{path}: "), message
    assert (error.line, error.field_name) == (line, field), message
    assert fragment in message, message


@pytest.mark.parametrize("variant", ["bom", "crlf", "blank lines", "bom+crlf"])
def test_harmless_encodings_load(tmp_path: Path, variant: str) -> None:
    lines = [json.dumps(line, ensure_ascii=False) for line in LINES[:3]]
    sep = "\r\n" if "crlf" in variant else "\n"
    text = sep.join(lines) + sep
    if variant == "blank lines":
        text = "\n\n" + "\n \n".join(lines) + "\n\n"
    data = text.encode("utf-8")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / "ok.jsonl"
    path.write_bytes(data)
    collection = load_collection(path)
    assert [e.index for e in collection.entries] == [line["index"] for line in LINES[:3]]
    assert collection.warnings == []


def test_a_huge_line_loads(tmp_path: Path) -> None:
    big = edit(setter("prompt.input.0.content", "x" * 5_000_000), OPEN)
    path = tmp_path / "big.jsonl"
    path.write_text(big + "\n", encoding="utf-8")
    assert len(load_collection(path).entries[0].prompt.input[0].content) == 5_000_000


def test_legacy_leaf_weights_are_normalised_with_a_warning(tmp_path: Path) -> None:
    lines = []
    for i, (dataset, weight) in enumerate([("arc", 0.6)] * 3 + [("gsm8k", 0.4)] * 2):
        base = MCQ if dataset == "arc" else next(x for x in LINES if x["dataset_name"] == "gsm8k")
        line = copy.deepcopy(base)
        line.update(index=i, weight=weight, categories=["legacy"])
        lines.append(json.dumps(line))
    path = tmp_path / "legacy.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    collection = load_collection(path)
    assert [round(e.weight, 6) for e in collection.entries] == [0.2, 0.2, 0.2, 0.2, 0.2]
    assert len(collection.warnings) == 1
    assert "legacy (EvalScope v1.0-1.2) weights" in collection.warnings[0] and "total 2.6" in collection.warnings[0]


def test_unweighted_and_unequal_weights_are_kept(tmp_path: Path) -> None:
    plain = [json.dumps({**copy.deepcopy(MCQ), "index": i, "weight": 1.0}) for i in range(4)]
    path = tmp_path / "plain.jsonl"
    path.write_text("\n".join(plain) + "\n", encoding="utf-8")
    collection = load_collection(path)
    assert [e.weight for e in collection.entries] == [1.0] * 4 and collection.warnings == []
    odd = [json.dumps({**copy.deepcopy(MCQ), "index": i, "weight": 1.0 + i}) for i in range(3)]
    path.write_text("\n".join(odd) + "\n", encoding="utf-8")
    collection = load_collection(path)
    assert [e.weight for e in collection.entries] == [1.0, 2.0, 3.0]
    assert collection.warnings == [f"{path}: weights sum to 6, not 1; they are used as given (relative weights)"]


@pytest.mark.parametrize("kind", ["folder without jsonl", "missing", "folder named x.jsonl", "dangling symlink"])
def test_bad_paths_are_one_line(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "x.jsonl"
    if kind == "folder without jsonl":
        target = tmp_path / "empty"
        target.mkdir()
        (target / "notes.txt").write_text("x")
    elif kind == "folder named x.jsonl":
        target.mkdir()
    elif kind == "dangling symlink":
        os.symlink(tmp_path / "gone.jsonl", target)
    with pytest.raises(CollectionError) as info:
        for path in resolve_collection_paths([target]):
            load_collection(path)
    message = str(info.value)
    assert message.startswith(f"{target}: ") and "\n" not in message, message
    if kind == "dangling symlink":
        assert "no such file or folder" in message
    if kind in ("folder without jsonl", "folder named x.jsonl"):
        assert "folder holds no *.jsonl file" in message


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    # Tests run as root, so chmod 000 would still be readable: a directory cannot be read as a file.
    target = tmp_path / "x.jsonl"
    target.mkdir()
    with pytest.raises(CollectionError, match=r"x\.jsonl: cannot read file \(Is a directory\)$"):
        load_collection(target)


# -- through the real plugin: nothing is sent -----------------------------------------------------

@pytest.mark.parametrize(("workers", "break_line"), [("0", 20), ("2", 33)])
def test_bad_line_stops_before_any_request(pytester: pytest.Pytester, workers: str, break_line: int) -> None:
    lines = GENERAL_SUITE.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[break_line - 1])
    bad["prompt"]["input"][0]["role"] = "robot"
    lines[break_line - 1] = json.dumps(bad)
    suite = pytester.path / "broken.jsonl"
    suite.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with MockServer(general_script()) as server:
        result = run_plugin(pytester, server.url, "-n", workers, suite=suite)
        requests = server.stats()["requests"]
    # Bad input is exit 2 ("interrupted: errors during collection") with or without xdist, never the
    # exit 1 of a failed model (xdist alone would count the workers' collection errors as failures).
    assert result.ret == pytest.ExitCode.INTERRUPTED, result.stdout.str()
    result.stdout.fnmatch_lines([f"*broken.jsonl:{break_line}: field 'prompt.input.0.role': unknown role 'robot'*"])
    assert requests == 0


@pytest.mark.slow
def test_a_project_without_a_collection_keeps_pytest_xdist_exit_codes(pytester: pytest.Pytester) -> None:
    # The exit-2 rule above is for evaluations; an ordinary test suite's collection error is left to xdist.
    pytester.makepyfile(test_broken="import no_such_module_anywhere\n", test_fine="def test_ok():\n    pass\n")
    with_plugin = run_pytester(pytester, "-n", "2", "-p", "no:cacheprovider")
    without_plugin = run_pytester(pytester, "-n", "2", "-p", "no:cacheprovider", "-p", "no:evalindex")
    assert with_plugin.ret == without_plugin.ret != 0
    assert "evalindex:" not in with_plugin.stdout.str()  # no header, report or summary line of ours


def test_missing_collection_path_is_a_usage_error(pytester: pytest.Pytester) -> None:
    with MockServer(general_script()) as server:
        result = run_plugin(pytester, server.url, suite=pytester.path / "nope.jsonl")
        requests = server.stats()["requests"]
    assert result.ret != 0
    assert "nope.jsonl: no such file or folder; check the --eval-collection path" in result.stdout.str() + result.stderr.str()
    assert requests == 0
