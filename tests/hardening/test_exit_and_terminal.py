"""Class 8: the same exit code with and without xdist; usage errors for meaningless options; clean terminals."""

from __future__ import annotations

import json
import re

import pytest
from helpers_runs import run_pytester
from raw_server import answer, assert_run_folder_strict, error_body, mcq_line, serve, write_suite

from conftest import output_dir_of

WORKERS = [pytest.param([], id="n0"), pytest.param(["-n", "2"], id="n2")]
RAW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("workers", [pytest.param([], id="n0"), pytest.param(["-n", "2", "--dist", "loadfile"], id="n2")])
@pytest.mark.parametrize("failing", ["Q2", "Q5"], ids=["early", "last"])
def test_x_with_an_erroring_sample_exits_the_same_with_and_without_xdist(pytester: pytest.Pytester,
                                                                         workers: list[str], failing: str) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(i) for i in range(6)])

    def respond(prompt: str) -> tuple[int, bytes]:
        return (400, error_body('"bad request"')) if prompt == failing else answer("ANSWER: A")

    with serve(respond) as (url, _):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", "--eval-max-retries", "0", "-x", *workers)
    output = result.stdout.str()
    # loadfile keeps the file on one worker, in order, so "last" is last under xdist too. -x reached means the
    # run was stopped: no verdict (exit 2), even when the erroring sample was the last one, at -n0 and -n 2.
    assert result.ret == 2, output
    assert "evalindex: no verdict" in output
    assert "gate[" not in output


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "NaN"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_a_usage_error(pytester: pytest.Pytester,
                                                                         value: str) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(0)])
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", "http://127.0.0.1:9/v1",
                                           "--eval-model", "m", f"--eval-timeout={value}")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert errors == [f"ERROR: --eval-timeout (ini eval_timeout): must be a finite number of seconds > 0 "
                      f"(got {float(value)})"]


def test_predictions_with_the_cache_is_a_usage_error(pytester: pytest.Pytester) -> None:
    write_suite(pytester.path / "suite.jsonl", [mcq_line(0)])
    (pytester.path / "preds.jsonl").write_text("{}\n", encoding="utf-8")
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-predictions", "preds.jsonl",
                                           "--eval-use-cache", "--eval-model", "m")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert errors == ["ERROR: --eval-predictions (ini eval_predictions): scores recorded answers and never calls "
                      "the model, so there is nothing to cache; pass --eval-predictions or --eval-use-cache, not both"]


NASTY = "\x1b[31mRED\x1b[0m \x07bell \u202eevil\u202c \x1b]0;title\x07"


def _nasty_error(prompt: str) -> tuple[int, bytes]:
    if prompt == "Q1":
        return 500, error_body(json.dumps(f"upstream broke: {NASTY}"))
    return answer("ANSWER: A")


@pytest.mark.parametrize("workers", WORKERS)
def test_control_characters_from_servers_and_subset_names_never_reach_the_terminal_raw(
        pytester: pytest.Pytester, workers: list[str]) -> None:
    lines = [mcq_line(i, subset=f"sub{NASTY}" if i % 2 else "plain") for i in range(4)]
    write_suite(pytester.path / "suite.jsonl", lines)
    with serve(_nasty_error) as (url, counter):
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-api-url", url,
                                               "--eval-model", "m", "--eval-max-retries", "1", "-v", "-rA",
                                               "--junitxml", "junit.xml", *workers)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, output  # one errored sample fails the error budget
    assert not RAW_CONTROLS.findall(output), RAW_CONTROLS.findall(output)
    assert "\\x1b[31mRED" in output  # shown escaped, so a reader sees what the server sent
    assert "upstream broke" in output
    junit = (pytester.path / "junit.xml").read_text(encoding="utf-8")
    assert not RAW_CONTROLS.findall(junit), RAW_CONTROLS.findall(junit)
    assert "upstream broke" in junit
    report = assert_run_folder_strict(output_dir_of(result.stdout.str()))
    subsets = {s["subset_name"] for s in report["samples"]}
    assert subsets == {"plain", f"sub{NASTY}"}  # the data itself is kept as it is, in JSON
    assert counter.by_prompt["Q1"] == 2
