"""Class 6: input edge cases — bad escapes and absurd nesting name file:line; extensions, limits, edited files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runs import run_pytester
from raw_server import answer, assert_run_folder_strict, mcq_line, serve, write_suite

from conftest import output_dir_of
from pytest_evalindex.core.hashing import fingerprint
from pytest_evalindex.dataset.loader import CollectionError, load_collection

WORKERS = [pytest.param([], id="n0"), pytest.param(["-n", "2"], id="n2")]


def _raw(line: dict[str, object]) -> str:
    return json.dumps(line)


@pytest.mark.parametrize(("spoil", "field", "escape"), [
    (lambda raw: raw.replace('"Q1"', '"Q1 \\ud800"'), "prompt.input.0.content", "\\ud800"),
    (lambda raw: raw.replace('"subset_name": "s"', '"subset_name": "s\\udc01"'), "subset_name", "\\udc01"),
    (lambda raw: raw.replace('"target": "A"', '"target": "A", "metadata": {"\\udbff": 1}'),
     "prompt.metadata.\\udbff", "\\uD8xx"),
])
def test_a_lone_surrogate_escape_is_a_collection_error_at_its_line(tmp_path: Path, spoil: Callable[[str], str],
                                                                   field: str, escape: str) -> None:
    path = tmp_path / "suite.jsonl"
    lines = [_raw(mcq_line(0)), spoil(_raw(mcq_line(1))), _raw(mcq_line(2))]
    write_suite(path, lines)
    with pytest.raises(CollectionError) as caught:
        load_collection(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: field '{field}': ")
    assert escape in message and "lone surrogate" in message and "\n" not in message


def test_an_escaped_surrogate_pair_is_one_character_and_fine(tmp_path: Path) -> None:
    path = tmp_path / "suite.jsonl"
    write_suite(path, [_raw(mcq_line(0)).replace('"Q0"', '"Q0 \\ud83d\\ude00"')])
    (entry,) = load_collection(path).entries
    assert entry.prompt.input[0].content == "Q0 \U0001f600"


@pytest.mark.parametrize("depth", [100_000, 3_000])
def test_absurd_nesting_is_a_collection_error_at_its_line(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "suite.jsonl"
    deep = "[" * depth + "]" * depth
    spoiled = _raw(mcq_line(2)).replace('"target": "A"', f'"target": "A", "metadata": {{"x": {deep}}}')
    write_suite(path, [_raw(mcq_line(0)), _raw(mcq_line(1)), spoiled])
    with pytest.raises(CollectionError) as caught:
        load_collection(path)
    assert str(caught.value) == (f"{path}:3: nested too deeply to read (thousands of levels of [ or {{); "
                                 "flatten the line")


def test_bad_lines_cost_no_request_and_exit_2_with_file_and_line(pytester: pytest.Pytester) -> None:
    deep = "{\"a\":" * 100_000 + "1" + "}" * 100_000
    write_suite(pytester.path / "suite.jsonl", [
        _raw(mcq_line(0)), _raw(mcq_line(1)).replace('"Q1"', '"\\ud800"'),
    ])
    write_suite(pytester.path / "deep.jsonl", [_raw(mcq_line(0)).replace('"tags"', f'"extra": {deep}, "tags"')])
    with serve(lambda p: answer("ANSWER: A")) as (url, counter):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-collection", "deep.jsonl",
                                               "--eval-api-url", url, "--eval-model", "m")
    output = result.stdout.str()
    assert result.ret == 2
    assert "suite.jsonl:2: field 'prompt.input.0.content': holds a lone surrogate escape \\ud800" in output
    assert "deep.jsonl:1: nested too deeply to read" in output
    assert "RecursionError" not in output and "INTERNALERROR" not in output
    assert counter.total == 0


@pytest.mark.parametrize("name", ["s.JSONL", "S.Jsonl"])
def test_an_upper_case_extension_is_a_collection(pytester: pytest.Pytester, name: str) -> None:
    write_suite(pytester.path / name, [mcq_line(i) for i in range(3)])
    folder = pytester.path / "folder"
    folder.mkdir()
    write_suite(folder / "More.JSONL", [mcq_line(i, prompt=f"F{i}") for i in range(2)])
    with serve(lambda p: answer("ANSWER: A")) as (url, counter):
        result = run_pytester(pytester, "--eval-collection", name, "--eval-collection", "folder",
                                               "--eval-api-url", url, "--eval-model", "m")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*5 passed*"])
    assert counter.total == 5


@pytest.mark.parametrize("value", ["0", "-3"])
def test_eval_limit_below_one_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(0)])
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", "http://127.0.0.1:9/v1",
                                           "--eval-model", "m", f"--eval-limit={value}")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert errors == [f"ERROR: --eval-limit (ini eval_limit): must be >= 1 (got {value}); leave it out to evaluate "
                      "every line"]


EDITING_SCORER = """
import json, pathlib
from pytest_evalindex import scorer
from pytest_evalindex.scorers.base import Score

@scorer("edits_the_file")
def edits(sample):
    path = pathlib.Path("suite.jsonl")
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    for line in lines:
        line["prompt"]["target"] = "D"  # new targets: a run must not pair them with the old scores
    path.write_text("\\n".join(json.dumps(x) for x in lines) + "\\n")
    return Score(value=1.0, extracted="A")
"""


@pytest.mark.parametrize("workers", WORKERS)
def test_a_collection_edited_during_the_run_does_not_mix_versions(pytester: pytest.Pytester,
                                                                   workers: list[str]) -> None:
    lines = [mcq_line(i, target="A") for i in range(6)]
    lines[0]["scorer"] = "edits_the_file"
    suite = write_suite(pytester.path / "suite.jsonl", lines)
    original = fingerprint(suite.read_bytes())
    pytester.makeconftest(EDITING_SCORER)
    with serve(lambda p: answer("ANSWER: A")) as (url, _):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", *workers)
    output = result.stdout.str()
    assert result.ret == 0, output
    run_dir = output_dir_of(output)
    report = assert_run_folder_strict(run_dir)
    assert report["totals"]["correct"] == 6
    assert [c["fingerprint"] for c in report["settings"]["collections"]] == [original]
    reviews = [json.loads(x) for x in next(run_dir.glob("reviews/*/*.jsonl")).read_text("utf-8").splitlines()]
    assert len(reviews) == 6 and {tuple(r["target"]) for r in reviews} == {("A",)}  # the targets that were scored
    assert fingerprint(suite.read_bytes()) != original  # the file did change under the run


@pytest.mark.slow
def test_a_worker_collecting_an_edited_file_refuses_it(pytester: pytest.Pytester) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(i) for i in range(4)])
    pytester.makeconftest(
        """
        import json, pathlib

        def pytest_configure(config):
            if getattr(config, "workerinput", {}).get("workerid") == "gw1":  # edited after the run started
                path = pathlib.Path("suite.jsonl")
                path.write_text(path.read_text().replace('"target": "A"', '"target": "B"'))
        """
    )
    with serve(lambda p: answer("ANSWER: A")) as (url, counter):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", "-n", "2")
    output = result.stdout.str()
    assert result.ret == 2, output
    assert "suite.jsonl: changed since the run started" in output
    assert "evalindex outputs:" not in output or "no verdict" in output
