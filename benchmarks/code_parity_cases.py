"""The code parity probe's cases: per benchmark, realistic correct, wrong, timing-out and crashing answers.

Every problem and test below is written for this probe in the shape of its benchmark's samples (HumanEval's
prompt/test/entry_point, the plus variants' many-input checks with a numpy tolerance, MBPP's test_list,
LiveCodeBench's functional and stdin/stdout cases). Each case: (kind, answer); kind is what the answer is
meant to be: correct, wrong, timeout or crash (the probe prints how both tools scored it).
"""

from __future__ import annotations

import json
from typing import Any

Case = tuple[str, str]

# ---------------------------------------------------------------- humaneval

RUNNING_MAX = {
    "task_id": "Probe/0",
    "prompt": 'from typing import List\n\n\ndef running_max(numbers: List[int]) -> List[int]:\n'
              '    """Return the list of maxima seen so far, element by element.\n'
              '    >>> running_max([1, 3, 2, 5])\n    [1, 3, 3, 5]\n    """\n',
    "test": "\n\nMETADATA = {'author': 'probe', 'dataset': 'test'}\n\n\ndef check(candidate):\n"
            "    assert candidate([]) == []\n    assert candidate([1, 3, 2, 5]) == [1, 3, 3, 5]\n"
            "    assert candidate([-1, -2, -3]) == [-1, -1, -1]\n    assert candidate([4]) == [4]\n",
    "entry_point": "running_max",
}
HUMANEVAL: list[Case] = [
    ("correct", "```python\nfrom typing import List\n\n\ndef running_max(numbers: List[int]) -> List[int]:\n"
                "    out = []\n    for n in numbers:\n        out.append(n if not out else max(out[-1], n))\n"
                "    return out\n```\nThis keeps the best value so far."),
    ("correct", "    result = []\n    best = None\n    for n in numbers:\n"
                "        best = n if best is None else max(best, n)\n        result.append(best)\n    return result\n"),
    ("correct", "Here is the implementation:\n```py\ndef running_max(numbers):\n    import itertools\n"
                "    return list(itertools.accumulate(numbers, max))\n```\nExample:\n```\n"
                ">>> running_max([1, 2])\n```"),
    ("wrong", "```python\ndef running_max(numbers):\n    return sorted(numbers)\n```"),
    ("wrong", "    return [max(numbers)] * len(numbers) if numbers else []\n"),
    ("timeout", "```python\ndef running_max(numbers):\n    out, i = [], 0\n    best = float('-inf')\n"
                "    while i < len(numbers):\n        best = max(best, numbers[i])\n    return out\n```"),
    ("crash", "```python\ndef running_max(numbers):\n    best = numbers[0]\n    out = []\n"
              "    for n in numbers:\n        best = max(best, n)\n        out.append(best)\n    return out\n```"),
    ("crash", "```python\ndef running_max(numbers):\n    return [max(numbers[: i + 1]) for i in range(len(numbers)\n```"),
    ("crash", "    return running_max(numbers)\n"),
]

# ---------------------------------------------------------------- humaneval_plus


def _plus_test(inputs: list[Any], results: list[Any]) -> str:
    """A plus-style test: one check over many inputs, floats compared with a numpy tolerance."""
    return ("\n\nimport numpy as np\n\n\ndef _same(out, exp, atol):\n"
            "    if isinstance(exp, float) or (isinstance(exp, list) and exp and isinstance(exp[0], float)):\n"
            "        assert np.allclose(out, exp, rtol=1e-07, atol=atol)\n"
            "    else:\n        assert out == exp, f'{out!r} != {exp!r}'\n\n\n"
            f"def check(candidate):\n    inputs = {inputs!r}\n    results = {results!r}\n"
            "    for inp, exp in zip(inputs, results):\n        _same(candidate(*inp), exp, 0)\n")


MEAN_GAP = {
    "task_id": "ProbePlus/0",
    "prompt": 'from typing import List\n\n\ndef mean_gap(values: List[float]) -> float:\n'
              '    """Mean absolute difference between neighbouring values; 0.0 for fewer than two.\n'
              '    >>> mean_gap([1.0, 3.0, 2.0])\n    1.5\n    """\n',
    "test": _plus_test([[[1.0, 3.0, 2.0]], [[]], [[5.0]], [[0.1, 0.2, 0.4]], [[-1.0, 1.0, -1.0, 1.0]]],
                       [1.5, 0.0, 0.0, 0.15000000000000002, 2.0]),
    "entry_point": "mean_gap",
}
HUMANEVAL_PLUS: list[Case] = [
    ("correct", "```python\nfrom typing import List\n\n\ndef mean_gap(values: List[float]) -> float:\n"
                "    if len(values) < 2:\n        return 0.0\n"
                "    gaps = [abs(b - a) for a, b in zip(values, values[1:])]\n    return sum(gaps) / len(gaps)\n```"),
    ("correct", "    if len(values) < 2:\n        return 0.0\n    total = 0.0\n"
                "    for i in range(1, len(values)):\n        total += abs(values[i] - values[i - 1])\n"
                "    return total / (len(values) - 1)\n"),
    ("wrong", "```python\ndef mean_gap(values):\n    if len(values) < 2:\n        return 0.0\n"
              "    return (max(values) - min(values)) / (len(values) - 1)\n```"),
    ("wrong", "```python\ndef mean_gap(values):\n    gaps = [b - a for a, b in zip(values, values[1:])]\n"
              "    return sum(gaps) / len(gaps) if gaps else 0.0\n```"),
    ("timeout", "```python\nimport time\n\n\ndef mean_gap(values):\n    done = []\n"
                "    while len(done) <= len(values):  # waits for a result that never comes\n"
                "        time.sleep(0.05)\n    return 0.0\n```"),
    ("crash", "```python\ndef mean_gap(values):\n    gaps = [abs(b - a) for a, b in zip(values, values[1:])]\n"
              "    return sum(gaps) / len(gaps)\n```"),
    ("crash", "```python\ndef mean_gap(values):\n    return statistics.mean(abs(b - a) for a, b in "
              "zip(values, values[1:]))\n```"),
]

# ---------------------------------------------------------------- mbpp

MBPP_PROBLEM = {"test_setup_code": "",
                "test_list": ["assert second_largest([1, 5, 3, 5, 2]) == 3", "assert second_largest([10, 20]) == 10",
                              "assert second_largest([7, 7, 8]) == 7"]}
MBPP: list[Case] = [
    ("correct", "```python\ndef second_largest(nums):\n    distinct = sorted(set(nums))\n    return distinct[-2]\n```"),
    ("correct", "def second_largest(nums):\r\n    top = max(nums)\r\n    return max(n for n in nums if n != top)\n"
                "[DONE]\nThis removes the maximum first."),
    ("correct", "```python\ndef second_largest(nums):\n    return sorted(set(nums))[-2]\n\n"
                "assert second_largest([1, 2]) == 1\n```"),
    ("correct", "```python\ndef second_largest(nums):\n    return sorted(set(nums))[-2]\n\n"
                'if __name__ == "__main__":\n    print(second_largest([3, 1, 2]))\n```'),
    ("wrong", "```python\ndef second_largest(nums):\n    return sorted(nums)[-2]\n```"),
    ("wrong", "Use sorting.\n\ndef second_largest(nums):\n    return sorted(nums)[1]\n\nThat is all."),
    ("timeout", "```python\nimport time\n\ndef second_largest(nums):\n    while True:\n"
                "        time.sleep(0.1)  # polling for an update\n```"),
    ("correct", "```python\ndef second_largest(nums):\n    return sorted(set(nums))[-2]\n\n"
                "# Example usage\nprint(second_largest([1]))\n```"),  # the crashing example is cut away
    ("crash", "```python\ndef second_largest(nums):\n    return sorted(set(nums))[-2]\n\n"
              "print(second_largest([1]))\n```"),
    ("crash", "```python\ndef second_largest(nums)\n    return sorted(set(nums))[-2]\n```"),
    ("wrong", "```python\nimport sys\n\ndef second_largest(nums):\n    return 0\n\nsys.exit(0)\n```"),  # exits 0 first
]

# ---------------------------------------------------------------- mbpp_plus

MBPP_PLUS_PROBLEM = {
    "task_id": 901,
    "source_file": "probe",
    "test_imports": ["import math"],
    "test_list": ["assert math.isclose(circle_area(1), 3.141592653589793)", "assert circle_area(0) == 0"],
    "test": _plus_test([[2], [0.5], [10]], [12.566370614359172, 0.7853981633974483, 314.1592653589793])
            .replace("def check(candidate):", "def _check(candidate):") + "\n_check(circle_area)\n",
}
MBPP_PLUS: list[Case] = [
    ("correct", "```python\nimport math\n\ndef circle_area(r):\n    return math.pi * r * r\n```"),
    ("correct", "```python\nfrom __future__ import annotations\nimport math\n\n\ndef circle_area(r: float) -> float:\n"
                "    return math.pi * r ** 2\n```\n[DONE]"),
    ("correct", "```python\nimport math\n\ndef circle_area(r):\n    return math.pi * r * r\n\n"
                'if __name__ == "__main__":\n    print(circle_area(2))\n```'),
    ("wrong", "```python\ndef circle_area(r):\n    return 3.14 * r * r\n```"),
    ("wrong", "```python\nimport math\n\ndef circle_area(r):\n    return 2 * math.pi * r\n```"),
    ("timeout", "```python\nimport math, time\n\ndef circle_area(r):\n    while r >= 0:\n        time.sleep(0.1)\n"
                "    return math.pi * r * r\n```"),
    ("correct", "```python\ndef circle_area(r):\n    return math.pi * r * r\n```"),  # the test imports bring math
    ("crash", "```python\nimport math\n\ndef circle_area(r):\n    return math.pi * radius * radius\n```"),
    ("crash", "```python\nimport math\n\ndef circle_area(r):\n    return math.pi * r * r\n\n"
              "print(circle_area())\n```"),
]

# ---------------------------------------------------------------- live_code_bench


def _fence(code: str) -> str:
    return f"Let me think about it.\n\n```python\n{code}\n```\n"


def lcb_sample(inputs: list[str], outputs: list[str], fn_name: str | None) -> str:
    """An ``evaluation_sample`` as EvalScope stores it (a JSON string)."""
    return json.dumps({"inputs": inputs, "outputs": outputs, "fn_name": fn_name})


LCB_CALL = lcb_sample(["[3, 1, 2]", "[5, 5]", "[]"], ["2", "0", "0"], "countInversions")
LCB_STDIO = lcb_sample(["3\n1 2 3\n", "2\n10 -4\n", "1\n7\n"], ["6\n", "6\n", "7\n"], None)
_INVERSIONS = ("class Solution:\n    def countInversions(self, nums: List[int]) -> int:\n        count = 0\n"
               "        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n"
               "                if nums[i] > nums[j]:\n                    count += 1\n        return count\n")
LIVE_CODE_BENCH: list[tuple[str, str, str]] = [
    ("correct", _fence(_INVERSIONS), LCB_CALL),
    ("correct", _fence(_INVERSIONS.replace("nums[i] > nums[j]", "nums[j] < nums[i]")), LCB_CALL),
    ("wrong", _fence(_INVERSIONS.replace("nums[i] > nums[j]", "nums[i] >= nums[j]")), LCB_CALL),
    ("timeout", _fence("class Solution:\n    def countInversions(self, nums):\n        i = 0\n"
                       "        while i < len(nums):\n            pass\n        return 0\n"), LCB_CALL),
    ("crash", _fence("class Solution:\n    def countInversions(self, nums):\n        return nums[0] - nums[1]\n"),
     LCB_CALL),
    ("correct", _fence("n = int(input())\nprint(sum(map(int, input().split())))"), LCB_STDIO),
    ("correct", _fence("import sys\ndata = sys.stdin.read().split()\nprint(sum(map(int, data[1:])))"), LCB_STDIO),
    ("wrong", _fence("n = int(input())\nprint(max(map(int, input().split())))"), LCB_STDIO),
    ("timeout", _fence("n = int(input())\nvals = list(map(int, input().split()))\ntotal = 0\ni = 0\n"
                       "while i < n:\n    total += vals[i]\nprint(total)"), LCB_STDIO),
    ("crash", _fence("n = int(input())\nvals = input().split()\nprint(sum(vals))"), LCB_STDIO),
]
