"""Sandbox-side LiveCodeBench grader (stdlib only), with the semantics of EvalScope 1.14.1's local grader.

Usage inside the sandbox: `python lcb_harness.py` with `solution.py` and `tests.json` ({inputs, outputs,
fn_name, timeout}) in the work directory. Cases run in order in this one process, each under its own
alarm, and grading stops at the first case that does not pass. Call-based problems (fn_name set) call the
function (or the `Solution` method) with JSON-decoded arguments; stdin/stdout problems run the program's
body as a function with the case's input on stdin and compare stripped lines, numbers as Decimals.
Per-case codes: True passed, False wrong answer (call-based), -2 wrong answer (stdio), -3 time limit,
-4 runtime or compile error. The verdict is one marker line on the real stdout; exit 0 iff every case passed.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from decimal import Decimal
from types import FrameType, ModuleType
from typing import Any
from unittest import mock

MARKER = "EVALINDEX-LCB-RESULT "
_STAR = (
    "string re datetime collections heapq bisect copy math random statistics itertools functools operator io sys json"
)
# What the solution can use without importing it, in this order (later star imports shadow earlier ones).
PRELUDE = (
    "".join(f"from {name} import *\n" for name in [*_STAR.split(), "builtins", "typing"])
    + "".join(f"import {name}\n" for name in _STAR.split())
    + "sys.setrecursionlimit(50000)\n"
)
# Switched off before the solution is compiled, as EvalScope's reliability guard does.
_DISABLED = {
    "os": "kill system putenv remove removedirs rmdir fchdir setuid fork forkpty killpg rename renames truncate "
    "replace unlink fchmod fchown chmod chown chroot lchflags lchmod lchown getcwd chdir",
    "shutil": "rmtree move chown",
    "subprocess": "Popen",
    "builtins": "quit help",
}
_BLOCKED_MODULES = ("ipdb", "joblib", "resource", "psutil", "tkinter")


class CaseTimeout(Exception):
    """Raised by the alarm when one case (or the compilation) runs out of time."""


def _alarm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout


def _guard() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    import shutil
    import subprocess

    modules = {"os": os, "shutil": shutil, "subprocess": subprocess, "builtins": builtins}
    for module, names in _DISABLED.items():
        for name in names.split():
            setattr(modules[module], name, None)
    for name in _BLOCKED_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]


def _load(code: str, seconds: float) -> Any:
    """Execute the code as a fresh module under the alarm; a LeetCode-style Solution class is instantiated."""
    _alarm(seconds)
    try:
        module = ModuleType("tmp_sol", "")
        exec(code, module.__dict__)
        loaded: Any = module.Solution() if "class Solution" in code else module
    finally:
        _alarm(0)
    return loaded


def _failure(exc: BaseException) -> int:
    return -3 if isinstance(exc, CaseTimeout) else -4


def grade_call_based(code: str, inputs: list[str], outputs: list[str], fn_name: str, seconds: float) -> list[Any]:
    """Call the function once per case with the case's JSON lines as arguments; stop at the first miss."""
    target = _load(PRELUDE + "\n\n" + code, seconds)
    method = getattr(target, fn_name, None)
    if method is None:
        return [-4]
    arguments = [[json.loads(line) for line in case.split("\n")] for case in inputs]
    expected = [json.loads(out) for out in outputs]
    results: list[Any] = []
    for args, want in zip(arguments, expected):
        _alarm(seconds)
        try:
            got = method(*args)
            _alarm(0)
            if isinstance(got, tuple):  # a tuple is accepted where the expected value is a list
                got = list(got)
            same = bool(got == want)
        except Exception as exc:
            results.append(_failure(exc))
            return results
        finally:
            _alarm(0)
        results.append(same)
        if not same:
            return results
    return results


def _unparse(statements: list[ast.stmt] | list[ast.Import | ast.ImportFrom]) -> str:
    return ast.unparse(ast.Module(body=list(statements), type_ignores=[]))


def _lift_main_guard(code: str) -> str:
    """If the last top-level statement is an `if __name__ == '__main__':` block, keep only its body."""
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            return _unparse(tree.body[:-1]) + "\n" + _unparse(last.body)
    except Exception:
        pass
    return code


def _as_function(code: str) -> str:
    """Top-level imports stay at module level; every other statement becomes the body of wrapped_function()."""
    try:
        tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        function = ast.parse("def wrapped_function():\n    pass\n").body[0]
        assert isinstance(function, ast.FunctionDef)
        function.body = others
        return PRELUDE + "\n" + _unparse(imports) + "\n" + ast.unparse(function)
    except Exception:
        return code


def _run_with_input(function: Callable[[], Any], text: str) -> str:
    """Call `function` with `text` as stdin and open()'s content; return what it printed."""
    lines: Iterator[str] = iter(text.split("\n"))
    captured = io.StringIO()
    captured.close = lambda _unused: 1  # type: ignore[assignment,method-assign,misc]
    saved_stdout = sys.stdout
    with ExitStack() as stack:
        # The stdin object the solution may have bound at import time reads from the case, line by line.
        stack.enter_context(mock.patch.object(sys.stdin, "read", lambda *a: text))
        stack.enter_context(mock.patch.object(sys.stdin, "readlines", lambda *a: text.split("\n")))
        stack.enter_context(mock.patch.object(sys.stdin, "readline", lambda *a: next(lines)))
        stack.enter_context(mock.patch("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")))
        stack.enter_context(mock.patch("builtins.open", mock.mock_open(read_data=text)))
        sys.stdout = captured
        try:
            function()
        except SystemExit:
            pass
        finally:
            sys.stdout = saved_stdout
    return captured.getvalue()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().split("\n")]


def _numbers(line: str) -> list[Decimal] | None:
    try:
        return [Decimal(part) for part in line.split()]
    except Exception:
        return None


def same_output(got: str, want: str) -> bool:
    """Line by line after stripping; lines that differ as text may still be equal lists of numbers."""
    got_lines, want_lines = _lines(got), _lines(want)
    if len(got_lines) != len(want_lines):
        return False
    for a, b in zip(got_lines, want_lines):
        if a != b:
            numbers_a, numbers_b = _numbers(a), _numbers(b)
            if numbers_a is None or numbers_b is None or numbers_a != numbers_b:
                return False
    return True


def grade_stdio(code: str, inputs: list[str], outputs: list[str], seconds: float) -> list[Any]:
    """Run the program body once per case on the case's input; stop at the first miss."""
    target = _load(_as_function(_lift_main_guard(code)), seconds)
    function = getattr(target, "wrapped_function", None)
    if function is None:
        return [-4]
    results: list[Any] = []
    for case, want in zip(inputs, outputs):
        _alarm(seconds)
        try:
            got = _run_with_input(function, case)
        except Exception as exc:
            results.append(_failure(exc))
            return results
        finally:
            _alarm(0)
        if not same_output(got, want):
            results.append(-2)
            return results
        results.append(True)
    return results


def passed(results: list[Any]) -> bool:
    """Every case passed (True, or a positive number)."""
    return all(r is True or (type(r) in (int, float) and r > 0) for r in results)


def main() -> None:
    """Grade solution.py against tests.json; print the marker line with the per-case results."""
    with open("tests.json", encoding="utf-8") as fh:
        spec = json.load(fh)
    with open("solution.py", encoding="utf-8") as fh:
        code = fh.read()
    exit_now, real_out = os._exit, os.fdopen(os.dup(1), "w")
    sys.stdout = io.StringIO()  # the solution's own prints at load time are not part of any answer
    signal.signal(signal.SIGALRM, _on_alarm)
    _guard()
    seconds = float(spec["timeout"])
    results: list[Any]
    try:
        if spec.get("fn_name"):
            results = grade_call_based(code, spec["inputs"], spec["outputs"], spec["fn_name"], seconds)
        else:
            results = grade_stdio(code, spec["inputs"], spec["outputs"], seconds)
    except Exception:  # compile errors and malformed cases fail the whole problem
        results = [-4]
    except BaseException:  # SystemExit and the like outside a case: nothing is known to have passed
        results = [-1] * max(1, len(spec["inputs"]))
    verdict = passed(results)
    real_out.write(MARKER + json.dumps({"passed": verdict, "results": results}) + "\n")
    real_out.flush()
    exit_now(0 if verdict else 1)


if __name__ == "__main__":
    main()
