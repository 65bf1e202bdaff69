"""From a sample to a Score through the sandbox: 1 for a passing program, 0 for a failing one, None on a sandbox error."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from pytest_evalindex.sandbox import BwrapSandbox
from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.code.scoring import build_program, score_code

pytestmark = pytest.mark.timeout(120)

PROBLEM = {
    "task_id": "toy/1",
    "prompt": "def double(x):\n",
    "test": "def check(f):\n    assert f(2) == 4\n",
    "entry_point": "double",
}


def _sample(dataset: str, completion: str, metadata: Mapping[str, object]) -> ScoreInput:
    return ScoreInput(completion=completion, target="", metadata=metadata, dataset_name=dataset)


def test_humaneval_scores(bwrap_sandbox: BwrapSandbox) -> None:
    good = score_code(_sample("humaneval", "    return 2 * x\n", PROBLEM), bwrap_sandbox)
    bad = score_code(_sample("humaneval", "    return x\n", PROBLEM), bwrap_sandbox)
    assert (good.value, good.metric, good.extracted) == (1.0, "acc", "    return 2 * x\n")
    assert (bad.value, bad.metadata["timeout"]) == (0.0, 4.0)
    assert "AssertionError" in bad.metadata["execution_result"]["stderr_tail"]


def test_live_code_bench_and_mbpp_scores(bwrap_sandbox: BwrapSandbox) -> None:
    tests = json.dumps({"inputs": ["3\n"], "outputs": ["9\n"], "fn_name": None})
    lcb = score_code(
        _sample("live_code_bench", "```python\nn = int(input())\nprint(n * n)\n```", {"evaluation_sample": tests}),
        bwrap_sandbox,
    )
    assert lcb.value == 1.0 and lcb.metadata["execution_result"]["report"] == {"passed": True, "results": [True]}
    mbpp = score_code(
        _sample(
            "mbpp",
            "```python\ndef sq(n):\n    return n * n\n```",
            {"test_setup_code": "", "test_list": ["assert sq(3) == 9"]},
        ),
        bwrap_sandbox,
    )
    assert mbpp.value == 1.0


def test_a_sandbox_error_excludes_the_sample() -> None:
    broken = BwrapSandbox(bwrap="/nonexistent/bwrap")
    score = score_code(_sample("humaneval", "    return 2 * x\n", PROBLEM), broken)
    assert score.value is None and score.explanation is not None and "bubblewrap" in score.explanation


def test_unknown_dataset_has_no_program() -> None:
    with pytest.raises(KeyError):
        build_program(_sample("bigcodebench", "x", {}))
