"""Turning a sample and a model answer into a program to run in a sandbox, per benchmark (EvalScope 1.14.1)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_evalindex.sandbox.api import ExecResult, Limits, MiB, Sandbox
from pytest_evalindex.sandbox.limits import EVALSCOPE_TIMEOUTS
from pytest_evalindex.scorers.code import exec_runner, lcb_harness
from pytest_evalindex.scorers.code.extraction import humaneval_code, live_code_bench_code, mbpp_code, mbpp_plus_code


@dataclass(frozen=True)
class CodeProgram:
    """Files for the work directory, the file the interpreter runs (with its arguments), the wall time for
    the whole run, the benchmark's own timeout, and how success shows: exit 0 alone, or exit 0 plus a
    marker line the runner prints at the very end.
    """

    files: Mapping[str, str]
    argv: tuple[str, ...]
    wall_seconds: float
    code: str
    timeout: float
    marker: str | None = None

    def limits(self, base: Limits | None = None) -> Limits:
        """`base` (or the defaults) with this program's wall time and room in /tmp for its files."""
        base = base or Limits()
        room = 2 * sum(len(text.encode()) for text in self.files.values()) + 16 * MiB
        return dataclasses.replace(base, wall_seconds=self.wall_seconds, tmpfs_bytes=max(base.tmpfs_bytes, room))

    def run(self, sandbox: Sandbox, base: Limits | None = None) -> ExecResult:
        """Run in `sandbox` (blocking; call it from a worker thread)."""
        return sandbox.run(self.files, [sandbox.python, *self.argv], self.limits(base))

    def passed(self, result: ExecResult) -> bool:
        """The benchmark's verdict for this run (a sandbox_error is never a pass; exclude it upstream)."""
        if not result.passed:
            return False
        if self.marker is None:
            return True
        report = self.report(result)
        return report is not None and report.get("passed", True) is True

    def report(self, result: ExecResult) -> dict[str, Any] | None:
        """What the runner said on its marker line (the last stdout line): {} when bare, None when absent."""
        lines = result.stdout.strip().splitlines()
        if self.marker is None or not lines or not lines[-1].startswith(self.marker):
            return None
        payload = lines[-1][len(self.marker) :].strip()
        if not payload:
            return {}
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def _source(module: Any) -> str:
    """The text of a stdlib-only module of this package, to be copied into the work directory."""
    return Path(module.__file__).read_text(encoding="utf-8")


def humaneval_program(answer: str, metadata: Mapping[str, Any], timeout: float | None = None) -> CodeProgram:
    """prompt + extracted code + test + `check(entry_point)`, exec'd with fresh globals like EvalScope's local
    checker (no `__main__`, no stdin, output discarded, any exception including SystemExit fails).
    """
    seconds = EVALSCOPE_TIMEOUTS["humaneval"] if timeout is None else timeout
    code = humaneval_code(answer)
    program = f"{metadata['prompt']}{code}\n{metadata['test']}\ncheck({metadata['entry_point']})"
    return CodeProgram(
        files={"program.py": program, "exec_runner.py": _source(exec_runner)},
        argv=("exec_runner.py", "program.py", str(seconds)),
        wall_seconds=seconds + 1,  # EvalScope joins the checker at timeout + 1
        code=code,
        timeout=seconds,
        marker=exec_runner.MARKER,
    )


def mbpp_program(answer: str, metadata: Mapping[str, Any], timeout: float | None = None) -> CodeProgram:
    """setup code + extracted code, then each assert of `test_list` on its own line; passes iff exit 0."""
    seconds = EVALSCOPE_TIMEOUTS["mbpp"] if timeout is None else timeout
    code = mbpp_code(answer, str(metadata.get("test_setup_code") or ""))
    program = code + "".join(f"\n{test}\n" for test in metadata["test_list"])
    return CodeProgram(
        files={"program.py": program}, argv=("program.py",), wall_seconds=seconds, code=code, timeout=seconds
    )


def humaneval_plus_program(answer: str, metadata: Mapping[str, Any], timeout: float | None = None) -> CodeProgram:
    """As HumanEval's program, run as a plain script (EvalScope runs HumanEval+ only in its container, where
    success is exit 0 within the timeout)."""
    seconds = EVALSCOPE_TIMEOUTS["humaneval_plus"] if timeout is None else timeout
    code = humaneval_code(answer)
    program = f"{metadata['prompt']}{code}\n{metadata['test']}\ncheck({metadata['entry_point']})"
    return CodeProgram(
        files={"program.py": program}, argv=("program.py",), wall_seconds=seconds, code=code, timeout=seconds
    )


def mbpp_plus_program(answer: str, metadata: Mapping[str, Any], timeout: float | None = None) -> CodeProgram:
    """The extracted code, then the test imports, each assert of `test_list` and the `test` block, one per line."""
    seconds = EVALSCOPE_TIMEOUTS["mbpp_plus"] if timeout is None else timeout
    code = mbpp_plus_code(answer)
    imports, asserts = list(metadata.get("test_imports") or []), list(metadata.get("test_list") or [])
    parts = [code, *imports, *asserts, str(metadata.get("test") or "")]
    return CodeProgram(
        files={"program.py": "\n".join(parts)}, argv=("program.py",), wall_seconds=seconds, code=code,
        timeout=seconds,
    )


def live_code_bench_tests(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """{inputs, outputs, fn_name} from `evaluation_sample` (a JSON string in EvalScope's samples, or a dict)."""
    sample = metadata["evaluation_sample"]
    data = json.loads(sample) if isinstance(sample, str) else dict(sample)
    return {"inputs": list(data["inputs"]), "outputs": list(data["outputs"]), "fn_name": data.get("fn_name")}


def live_code_bench_program(answer: str, metadata: Mapping[str, Any], timeout: float | None = None) -> CodeProgram:
    """All public and private cases graded in one sandboxed process; every case must pass.

    The wall time is EvalScope's global bound, (timeout + 1) × number of cases; each case has `timeout`.
    """
    seconds = EVALSCOPE_TIMEOUTS["live_code_bench"] if timeout is None else timeout
    tests = live_code_bench_tests(metadata)
    code = live_code_bench_code(answer)
    return CodeProgram(
        files={
            "lcb_harness.py": _source(lcb_harness),
            "solution.py": code,
            "tests.json": json.dumps({**tests, "timeout": seconds}),
        },
        argv=("lcb_harness.py",),
        wall_seconds=(seconds + 1) * max(1, len(tests["inputs"])),
        code=code,
        timeout=seconds,
        marker=lcb_harness.MARKER,
    )
