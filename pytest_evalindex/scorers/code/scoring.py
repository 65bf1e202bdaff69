"""From a sample to a Score: build the benchmark's program, run it in a sandbox, read the verdict."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_evalindex.sandbox.api import ExecResult, Limits, Sandbox
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.code.programs import (
    CodeProgram,
    humaneval_plus_program,
    humaneval_program,
    live_code_bench_program,
    mbpp_plus_program,
    mbpp_program,
)

METRIC = "acc"  # EvalScope's per-sample metric name for these benchmarks
Builder = Callable[[str, Mapping[str, Any]], CodeProgram]
BUILDERS: dict[str, Builder] = {
    "humaneval": humaneval_program,
    "humaneval_plus": humaneval_plus_program,
    "mbpp": mbpp_program,
    "mbpp_plus": mbpp_plus_program,
    "live_code_bench": live_code_bench_program,
}


def build_program(sample: ScoreInput) -> CodeProgram:
    """The program for `sample`, chosen by its dataset name (KeyError for a dataset without a builder)."""
    return BUILDERS[sample.dataset_name](sample.completion, sample.metadata)


def score_run(program: CodeProgram, result: ExecResult) -> Score:
    """1.0 if the program passed, 0.0 for any other outcome of the program, None (excluded) for a sandbox error."""
    execution: dict[str, Any] = {
        "status": result.status,
        "exit_code": result.exit_code,
        "signal": result.signal,
        "wall_seconds": round(result.wall_seconds, 3),
        "stderr_tail": result.stderr[-2000:],
        "mode": result.mode,
    }
    report = program.report(result)
    if report:
        execution["report"] = report
    if not result.scored:
        return Score(
            value=None,
            extracted=program.code,
            metric=METRIC,
            explanation=f"sandbox error: {result.error}",
            metadata={"execution_result": execution},
        )
    passed = program.passed(result)
    return Score(
        value=1.0 if passed else 0.0,
        extracted=program.code,
        metric=METRIC,
        explanation="passed" if passed else f"not passed ({result.status})",
        metadata={"timeout": program.timeout, "execution_result": execution},
    )


def score_code(sample: ScoreInput, sandbox: Sandbox, base: Limits | None = None, *, benchmark: str | None = None) -> Score:
    """Build, run (blocking: call from a worker thread) and score one sample (``benchmark``: whose program to
    build, default the sample's dataset name)."""
    program = BUILDERS[benchmark or sample.dataset_name](sample.completion, sample.metadata)
    return score_run(program, program.run(sandbox, base))
