"""pytest's --lf and --ff rerun what the model got wrong, although incorrect samples pass (no --eval-strict)."""

from __future__ import annotations

import shutil

import pytest
from helpers_runs import run_pytester

from conftest import SEED_SCRIPT, SEED_SUITE

# The seed suite's two incorrect samples under its mock script (the progress line reads ....i....i).
INCORRECT = {"suite.jsonl::arc/ARC-Challenge/4", "suite.jsonl::ceval/logic/9"}


def _ran(result: pytest.RunResult) -> list[str]:
    """Node ids of the samples that ran, in order (from -v's one line per sample under -n0)."""
    return [line.split()[0] for line in result.stdout.lines if line.startswith("suite.jsonl::")]


@pytest.mark.slow
def test_last_failed_reruns_the_incorrect_samples(pytester: pytest.Pytester) -> None:
    shutil.copy(SEED_SUITE, pytester.path / "suite.jsonl")
    shutil.copy(SEED_SCRIPT, pytester.path / "script.json")
    args = ("--eval-collection", "suite.jsonl", "--eval-mock", "script.json")
    first = run_pytester(pytester, *args, "-n", "2")  # recorded by the xdist controller
    assert first.ret == 0
    first.stdout.fnmatch_lines(["*8 passed, 2 incorrect*"])

    again = run_pytester(pytester, *args, "--lf", "-n0", "-v")
    # Only the two incorrect samples run; the rest is deselected, so the run gives no verdict (exit 2).
    assert set(_ran(again)) == INCORRECT, again.stdout.str()
    again.stdout.fnmatch_lines(["run-last-failure: rerun previous 2 failures*"])
    assert "8 deselected" in again.stdout.lines[-1] and "2 incorrect" in again.stdout.lines[-1]
    assert again.ret == 2

    first_first = run_pytester(pytester, *args, "--ff", "-n0", "-v")  # still recorded after the --lf run
    order = _ran(first_first)
    assert len(order) == 10 and set(order[:2]) == INCORRECT, first_first.stdout.str()
    assert first_first.ret == 0
    # -v (like -ra) lists the incorrect samples with their target and extracted answer after the run.
    listed = [line for line in first_first.stdout.lines if line.startswith("INCORRECT ")]
    assert listed == ["INCORRECT suite.jsonl::arc/ARC-Challenge/4 - target 'B', extracted 'C'",
                      "INCORRECT suite.jsonl::ceval/logic/9 - target 'B', extracted 'A'"], first_first.stdout.str()
