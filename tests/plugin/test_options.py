"""Options: ini twins, CLI precedence, and one-line usage errors naming the option."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers_runs import run_pytester

from conftest import SEED_SCRIPT, SEED_SUITE, table_rows


@pytest.fixture
def seed(pytester: pytest.Pytester) -> None:
    shutil.copy(SEED_SUITE, pytester.path / "suite.jsonl")
    shutil.copy(SEED_SCRIPT, pytester.path / "script.json")


@pytest.mark.parametrize(("args", "message"), [
    (["--eval-batch-size", "0"], "--eval-batch-size (ini eval_batch_size): must be >= 1 (got 0)"),
    (["--eval-timeout", "soon"], "--eval-timeout (ini eval_timeout): expected a number, got 'soon'"),
    (["--eval-generation-config", "{temperature: 0}"], "--eval-generation-config (ini eval_generation_config): not valid JSON"),
    (["--eval-generation-config", "[1]"], "must be a JSON object"),
    (["--eval-compat", "pandas"], "--eval-compat (ini eval_compat): must be one of corrected, evalscope, evalscope-legacy (got 'pandas')"),
    (["--eval-max-error-rate", "2"], "--eval-max-error-rate (ini eval_max_error_rate): must be between 0 and 1 (got 2.0)"),
    (["--eval-rerun-review"], "--eval-rerun-review (ini eval_rerun_review): needs --eval-use-cache"),
    (["--eval-confidence", "95"], "--eval-confidence (ini eval_confidence): must be between 0 and 1, e.g. 0.95 (got 95.0)"),
    (["--eval-alpha", "0"], "--eval-alpha (ini eval_alpha): must be between 0 and 1, e.g. 0.05 (got '0')"),
    (["--eval-gate-on", "upper"], "--eval-gate-on (ini eval_gate_on): must be one of point, bound (got 'upper')"),
    (["--eval-collection", "missing.jsonl"], "missing.jsonl: no such file or folder"),
    (["--eval-predictions", "nowhere"], "--eval-predictions"),
    (["--eval-baseline", "nowhere"], "--eval-baseline"),
    (["--eval-api-url", "localhost:8000/v1"], "--eval-api-url (ini eval_api_url): 'localhost:8000/v1' is not an "
                                              "http:// or https:// URL with a host; write it like http://localhost:8000/v1"),
    (["--eval-api-url", "ftp://host/v1"], "'ftp://host/v1' is not an http:// or https:// URL"),
])
def test_bad_option_is_one_usage_line(pytester: pytest.Pytester, seed: None, args: list[str], message: str) -> None:
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-mock", "script.json",
                                           "-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1 and message in errors[0], result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_missing_model_url_is_a_usage_error(pytester: pytest.Pytester, seed: None) -> None:
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--eval-model and --eval-api-url are required" in result.stderr.str()  # both, in one line


@pytest.mark.slow
def test_ini_twins_and_cli_precedence(pytester: pytest.Pytester, seed: None) -> None:
    pytester.makeini("[pytest]\neval_collection = suite.jsonl\neval_mock = script.json\neval_batch_size = 3\n"
                     "eval_compat = evalscope\n")
    from_ini = run_pytester(pytester, "-p", "no:cacheprovider")
    assert from_ini.ret == 0, from_ini.stdout.str()
    from_ini.stdout.fnmatch_lines(["*3 requests in flight per process, numbers: evalscope*"])
    assert table_rows(from_ini.stdout.str(), "task_level Report:") == ["| reasoning | 0.8 | 0.6 | 0.3556 | 10 |"]
    from_cli = run_pytester(pytester, "-p", "no:cacheprovider", "--eval-batch-size", "5")
    from_cli.stdout.fnmatch_lines(["*5 requests in flight per process*"])


@pytest.mark.slow
def test_project_tests_are_not_run_when_a_collection_is_given(pytester: pytest.Pytester, seed: None) -> None:
    pytester.makepyfile(test_unit="def test_x():\n    assert False\n")
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-mock", "script.json",
                                           "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["collected 10 items"])
    both = run_pytester(pytester, "suite.jsonl", "test_unit.py", "--eval-mock", "script.json",
                                         "-p", "no:cacheprovider")
    both.stdout.fnmatch_lines(["collected 11 items", "*1 failed, 8 passed, 2 incorrect*"])


@pytest.mark.slow
def test_legacy_weights_are_normalised_with_a_warning(pytester: pytest.Pytester, seed: None) -> None:
    lines = [json.loads(line) for line in (pytester.path / "suite.jsonl").read_text(encoding="utf-8").splitlines()]
    for line in lines:  # v1.0-1.2: the leaf weight repeated on every line
        line["weight"] = 0.4 if line["dataset_name"] == "arc" else 0.6
    (pytester.path / "suite.jsonl").write_text("\n".join(json.dumps(ln, ensure_ascii=False) for ln in lines) + "\n",
                                               encoding="utf-8")
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-mock", "script.json",
                                           "-p", "no:cacheprovider")
    assert result.ret == 0
    assert "weight" in result.stdout.str() and "legacy" in result.stdout.str().lower()
    assert table_rows(result.stdout.str(), "category_level Report:") == ["| reasoning_index | 0.8 | 0.6 | 0.3556 | 10 |"]


def test_ini_paths_are_relative_to_the_ini_file(pytester: pytest.Pytester, seed: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\neval_collection = suite.jsonl\neval_mock = script.json\neval_output_dir = evals-out\n")
    monkeypatch.chdir(pytester.mkdir("sub"))
    result = run_pytester(pytester, "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["collected 10 items"])
    assert list((pytester.path / "evals-out").glob("*/reports/*/evalindex_report.json"))
