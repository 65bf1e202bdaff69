"""What a run evaluates: a collection path after an optional-value option, --eval-collection next to test
paths, a folder of collections, CLI thresholds added to the ini ones, an output folder as the baseline."""

from __future__ import annotations

import shutil

import pytest
from helpers_runs import run_pytester

from conftest import SEED_SCRIPT, SEED_SUITE


@pytest.mark.slow
def test_collection_paths_are_never_swallowed_and_always_said(pytester: pytest.Pytester) -> None:
    evals = pytester.mkdir("evals")
    shutil.copy(SEED_SUITE, evals / "suite.jsonl")
    (evals / "fixture_data.jsonl").write_text('{"question": "not a collection line"}\n', encoding="utf-8")
    shutil.copy(SEED_SCRIPT, pytester.path / "script.json")
    shutil.copy(SEED_SUITE, pytester.path / "extra.jsonl")

    # argparse hands the JSONL to --eval-use-cache's optional DIR: it is given back as the path to evaluate.
    swallowed = run_pytester(pytester, "--eval-use-cache", "evals/suite.jsonl", "--eval-mock", "script.json",
                                              "-p", "no:cacheprovider")
    assert swallowed.ret == 0, swallowed.stdout.str()
    swallowed.stdout.fnmatch_lines(["evalindex: evals/suite.jsonl after --eval-use-cache is a path to evaluate*",
                                    "*8 passed, 2 incorrect*"])
    assert list((pytester.path / "outputs" / "cache").glob("answers-*.jsonl"))

    # Test paths, a folder of collections and --eval-collection together: all of them run. The ini
    # file's threshold stays next to the command line's, and the output folder is a baseline.
    pytester.makeini("[pytest]\neval_thresholds = index>=0.3\n")
    unit = pytester.mkdir("unit")
    (unit / "test_unit.py").write_text("def test_one():\n    assert True\n", encoding="utf-8")
    together = run_pytester(pytester, "unit", "evals", "--eval-collection", "extra.jsonl",
                                             "--eval-mock", "script.json", "--eval-threshold", "index<=0.9",
                                             "--eval-baseline", "outputs", "--eval-baseline-allow-mismatch", "-p", "no:cacheprovider",
                                             "-n", "2")
    assert together.ret == 0, together.stdout.str()
    text = together.stdout.str()
    together.stdout.fnmatch_lines(["evalindex: --eval-baseline *outputs?2* (latest complete run in *outputs)"])
    assert "PASSED gate[index>=0.3]" in text and "PASSED gate[index<=0.9]" in text
    assert "PASSED gate[baseline:max_drop<=0,alpha=0.05]" in text
    # 1 unit test + 10 samples of evals/suite.jsonl + 10 of extra.jsonl (fixture_data.jsonl is left alone),
    # then 3 gates, counted apart from the samples: 16 correct samples + 1 passed, 4 incorrect, 3 gates passed.
    together.stdout.fnmatch_lines(["*17 passed, 4 incorrect, 3 gates passed*"])
    assert "fixture_data" not in text
