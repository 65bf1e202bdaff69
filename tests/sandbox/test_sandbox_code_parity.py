"""Program assembly for humaneval(_plus), mbpp(_plus) and live_code_bench against EvalScope 1.14.1 as the oracle.

Extraction and assembled program text must be identical; verdicts from the bwrap sandbox must equal
EvalScope's local graders (humaneval's checker, live_code_bench's per-case results).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import shared_run
from machine_needs import EvalScopeOracle

from pytest_evalindex.sandbox import BwrapSandbox
from pytest_evalindex.sandbox.pool import SandboxPool
from pytest_evalindex.scorers.code.extraction import humaneval_code, live_code_bench_code, mbpp_code, mbpp_plus_code
from pytest_evalindex.scorers.code.programs import (
    CodeProgram,
    humaneval_plus_program,
    humaneval_program,
    live_code_bench_program,
    mbpp_plus_program,
    mbpp_program,
)

ORACLE_SCRIPT = Path(__file__).with_name("evalscope_code_oracle.py")
pytestmark = pytest.mark.timeout(600)

HE_PROBLEM = {
    "task_id": "toy/0",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Return the sum of a and b."""\n',
    "test": "METADATA = {}\n\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n",
    "entry_point": "add",
}
HE_ANSWERS = [
    "```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```",
    "Here it is:\n```py\ndef add(a, b):\n    return a + b\n```\nand a second block:\n```\nprint(1)\n```",
    "    return a + b\n",
    "    return a - b\n",
    "    return a +\n",
    "    return a + b\nimport sys\nsys.exit(0)\n",
    "    return a + b\nexit()\n",
    "    return a + b\n\nif __name__ == '__main__':\n    print(add(int(input()), 1))\n",
    "    print('x' * 100000)\n    return a + b\n",
    "    return a + b\ninput()\n",
    "    while True:\n        pass\n",
    "    return a + b\nimport os\nos._exit(0)\n",
]

MBPP_TESTS = ["assert min_of_two(1, 2) == 1", "assert min_of_two(5, -3) == -3"]
MBPP_ANSWERS = [
    ("", "```python\ndef min_of_two(a, b):\n    return min(a, b)\n```"),
    ("import math", "def min_of_two(a, b):\r\n    return a if a < b else b\n[DONE]\nsome trailing text"),
    ("", "```python\ndef min_of_two(a, b):\n    return min(a, b)\n\nassert min_of_two(1, 2) == 1\n```"),
    ("", '```python\ndef min_of_two(a, b):\n    return max(a, b)\n\nif __name__ == "__main__":\n    print(1)\n```'),
    ("", "Text first.\n\ndef min_of_two(a, b):\n    return min(a, b)\n\nMore text."),
    ("", "```python\ndef min_of_two(a, b):\n    return min(a, b)\n# Example usage\nprint(min_of_two(1, 2))\n```"),
    ("", "```python\ndef min_of_two(a, b):\n    return min(a, b)\n"),
    ("", "no code at all"),
]

MBPP_PLUS_META = {"task_id": 7, "source_file": "probe", "test_imports": ["import math"],
                  "test_list": ["assert math.isclose(area(1), 3.141592653589793)"],
                  "test": "inputs = [[2], [0]]\nfor (r,) in inputs:\n    assert area(r) >= 0\n"}
MBPP_PLUS_ANSWERS = [
    "```python\nfrom __future__ import annotations\nimport math\n\ndef area(r):\n    return math.pi * r * r\n```",
    "def area(r):\r\n    return 3.14 * r * r\n[DONE]\ntrailing",
    '```python\ndef area(r):\n    return r\n\nif __name__ == "__main__":\n    print(area(1))\n```',
    "```python\ndef area(r):\n    return r\n\nassert area(1) == 1\n```",
    "no code at all",
]


def _fence(code: str) -> str:
    return f"Reasoning first.\n```python\n{code}\n```\nDone."


def _call_sample(inputs: list[str], outputs: list[str], fn_name: str) -> str:
    return json.dumps({"inputs": inputs, "outputs": outputs, "fn_name": fn_name})


def _stdio_sample(inputs: list[str], outputs: list[str]) -> str:
    return json.dumps({"inputs": inputs, "outputs": outputs, "fn_name": None})


TWO_SUM = _call_sample(["[2, 7, 11, 15]\n9", "[3, 2, 4]\n6", "[3, 3]\n6"], ["[0, 1]", "[1, 2]", "[0, 1]"], "twoSum")
SOLUTION = (
    "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
    "        seen = {}\n        for i, n in enumerate(nums):\n            if target - n in seen:\n"
    "                return [seen[target - n], i]\n            seen[n] = i\n"
)
SUM_IO = _stdio_sample(["1 2\n", "10 20\n", "-5 5\n"], ["3\n", "30\n", "0\n"])
LCB_CASES: list[tuple[str, str]] = [
    (_fence(SOLUTION), TWO_SUM),
    (_fence(SOLUTION.replace("[seen[target - n], i]", "(seen[target - n], i)")), TWO_SUM),
    (_fence(SOLUTION.replace("target - n in seen", "n in seen")), TWO_SUM),
    (_fence("class Solution:\n    def other(self):\n        return 1\n"), TWO_SUM),
    (_fence("class Solution:\n    def twoSum(self, nums, target):\n        return 1 / 0\n"), TWO_SUM),
    (_fence("class Solution:\n    def twoSum(self, nums, target):\n        raise SystemExit(0)\n"), TWO_SUM),
    (_fence("class Solution:\n    def twoSum(self, nums, target)\n        return []\n"), TWO_SUM),
    (
        _fence(
            "class Solution:\n    def twoSum(self, nums, target):\n        while target == 6:\n            pass\n        return [0, 1]\n"
        ),
        TWO_SUM,
    ),
    (_fence("def twoSum(nums, target):\n    return [0, 1]\n"), TWO_SUM),
    (_fence("a, b = map(int, input().split())\nprint(a + b)"), SUM_IO),
    (_fence("import sys\na, b = map(int, sys.stdin.readline().split())\nprint(a + b)"), SUM_IO),
    (_fence("from sys import stdin\na, b = map(int, stdin.readline().split())\nprint(a + b)"), SUM_IO),
    (_fence("from sys import stdin\nprint(sum(map(int, stdin.read().split())))"), SUM_IO),
    (_fence("import sys\nprint(sum(map(int, sys.stdin.read().split())))"), SUM_IO),
    (_fence("print(sum(map(int, open(0).read().split())))"), SUM_IO),
    (_fence("import sys\nfor line in sys.stdin:\n    print(sum(map(int, line.split())))"), SUM_IO),
    (
        _fence(
            "def main():\n    a, b = map(int, input().split())\n    print(a + b)\n\nif __name__ == '__main__':\n    main()"
        ),
        SUM_IO,
    ),
    (_fence("a, b = map(int, input().split())\nprint(f'{a + b}.000')"), SUM_IO),
    (_fence("a, b = map(int, input().split())\nprint(a + b)\nprint()\nprint('extra')"), SUM_IO),
    (_fence("a, b = map(int, input().split())\nprint(a + b)\nexit()"), SUM_IO),
    (_fence("import resource\na, b = map(int, input().split())\nprint(a + b)"), SUM_IO),
    (
        _fence(
            "import sys\ninput = sys.stdin.readline\na, b = map(int, input().split())\nsys.stdout.write(str(a + b) + '\\n')"
        ),
        SUM_IO,
    ),
    (_fence("a, b = map(int, input().split())\nwhile a + b == 30:\n    pass\nprint(a + b)"), SUM_IO),
    (_fence("import os\na, b = map(int, input().split())\nprint(a + b)\nos._exit(0)"), SUM_IO),
    ("no fences here", SUM_IO),
]
LCB_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory, evalscope_oracle: EvalScopeOracle) -> dict[str, Any]:
    """EvalScope's verdicts, from one oracle process per test session (shared by the xdist workers)."""
    job = {
        "humaneval": [{"answer": a, "problem": HE_PROBLEM, "timeout": 4.0} for a in HE_ANSWERS],
        "mbpp": [{"answer": a, "test_setup_code": s, "test_list": MBPP_TESTS} for s, a in MBPP_ANSWERS],
        "humaneval_plus": [{"answer": a, "problem": HE_PROBLEM} for a in HE_ANSWERS],
        "mbpp_plus": [{"answer": a, "metadata": MBPP_PLUS_META} for a in MBPP_PLUS_ANSWERS],
        "live_code_bench": [{"answer": a, "evaluation_sample": e, "timeout": LCB_TIMEOUT} for a, e in LCB_CASES],
    }
    env = {"PATH": os.defpath, "HF_HUB_OFFLINE": "1", "HOME": os.environ.get("HOME", "/tmp")}

    def run_oracle(folder: Path) -> pytest.RunResult:
        done = subprocess.run(
            [str(evalscope_oracle.python), str(ORACLE_SCRIPT)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=500,
            env=env,
            cwd="/tmp",
        )
        (folder / "oracle.json").write_text(done.stdout, encoding="utf-8")
        return pytest.RunResult(done.returncode, [], done.stderr.splitlines()[-40:], 0.0)

    folder, done = shared_run(tmp_path_factory, "evalscope_code_oracle", run_oracle)
    assert done.ret == 0, "\n".join(done.errlines)
    return dict(json.loads((folder / "oracle.json").read_text(encoding="utf-8")))


def _run_all(sandbox: BwrapSandbox, programs: list[CodeProgram]) -> list[Any]:
    with SandboxPool(sandbox, workers=2) as pool:
        futures = [pool.submit(p.files, [sandbox.python, *p.argv], p.limits()) for p in programs]
        return [f.result() for f in futures]


@pytest.mark.slow
def test_humaneval_extraction_and_program_match(oracle: dict[str, Any]) -> None:
    for answer, expected in zip(HE_ANSWERS, oracle["humaneval"], strict=True):
        assert humaneval_code(answer) == expected["code"]
        assert humaneval_program(answer, HE_PROBLEM).files["program.py"] == expected["program"]


@pytest.mark.slow
def test_humaneval_verdicts_match_the_local_checker(oracle: dict[str, Any], bwrap_sandbox: BwrapSandbox) -> None:
    programs = [humaneval_program(answer, HE_PROBLEM) for answer in HE_ANSWERS]
    results = _run_all(bwrap_sandbox, programs)
    ours = [p.passed(r) for p, r in zip(programs, results)]
    theirs = [case["result"] == "passed" for case in oracle["humaneval"]]
    assert ours == theirs, [(a[:40], r.status, r.stderr[-200:]) for a, r in zip(HE_ANSWERS, results)]
    assert theirs == [True, True, True, False, False, False, False, True, True, False, False, False]
    assert all(r.scored for r in results)


def test_mbpp_extraction_and_program_match(oracle: dict[str, Any]) -> None:
    for (setup, answer), expected in zip(MBPP_ANSWERS, oracle["mbpp"], strict=True):
        assert mbpp_code(answer, setup) == expected["code"]
        program = mbpp_program(answer, {"test_setup_code": setup, "test_list": MBPP_TESTS})
        assert program.files["program.py"] == expected["program"]


def test_plus_variants_extraction_and_program_match(oracle: dict[str, Any]) -> None:
    """humaneval_plus and mbpp_plus (EvalScope runs them only in its container): the same code and program."""
    for answer, expected in zip(HE_ANSWERS, oracle["humaneval_plus"], strict=True):
        assert humaneval_plus_program(answer, HE_PROBLEM).files["program.py"] == expected["program"]
        assert humaneval_code(answer) == expected["code"]
    for answer, expected in zip(MBPP_PLUS_ANSWERS, oracle["mbpp_plus"], strict=True):
        assert mbpp_plus_code(answer) == expected["code"]
        assert mbpp_plus_program(answer, MBPP_PLUS_META).files["program.py"] == expected["program"]


def test_mbpp_programs_run(bwrap_sandbox: BwrapSandbox) -> None:
    """EvalScope scores mbpp only in a sandbox (pass iff exit 0); the same programs here."""
    programs = [mbpp_program(a, {"test_setup_code": s, "test_list": MBPP_TESTS}) for s, a in MBPP_ANSWERS]
    verdicts = [p.passed(r) for p, r in zip(programs, _run_all(bwrap_sandbox, programs))]
    assert verdicts == [True, True, True, False, True, True, True, False]


def test_live_code_bench_extraction_matches(oracle: dict[str, Any]) -> None:
    for (answer, _), expected in zip(LCB_CASES, oracle["live_code_bench"], strict=True):
        assert live_code_bench_code(answer) == expected["code"]


@pytest.mark.slow
def test_live_code_bench_case_results_match(oracle: dict[str, Any], bwrap_sandbox: BwrapSandbox) -> None:
    programs = [live_code_bench_program(a, {"evaluation_sample": e}, timeout=LCB_TIMEOUT) for a, e in LCB_CASES]
    results = _run_all(bwrap_sandbox, programs)
    mismatches = []
    for (answer, _), program, result, expected in zip(LCB_CASES, programs, results, oracle["live_code_bench"]):
        theirs = expected["results"]
        their_pass = all(r is True or (type(r) in (int, float) and r > 0) for r in theirs)
        report = program.report(result) or {}
        if program.passed(result) != their_pass or (report and report.get("results") != theirs):
            mismatches.append((answer[:70], theirs, report, result.status, result.stderr[-300:]))
    assert mismatches == []
    assert sum(program.passed(r) for program, r in zip(programs, results)) >= 8
