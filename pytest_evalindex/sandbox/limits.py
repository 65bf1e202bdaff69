"""Default limits per dataset (EvalScope 1.14.1's review_timeout) and their translation into rlimits."""

from __future__ import annotations

import dataclasses
from typing import Any

from pytest_evalindex.sandbox.api import Limits

# Seconds per program from each EvalScope 1.14.1 adapter's `review_timeout` (live_code_bench: per test case).
EVALSCOPE_TIMEOUTS: dict[str, float] = {
    "humaneval": 4.0,
    "humaneval_plus": 300.0,
    "mbpp": 20.0,
    "mbpp_plus": 60.0,
    "live_code_bench": 6.0,
    "ds1000": 120.0,
    "bigcodebench": 240.0,
    "bigcodebench_hard": 240.0,
    "multiple_humaneval": 30.0,
    "multiple_mbpp": 30.0,
    "scicode": 300.0,
}


def limits_for(dataset: str, **overrides: Any) -> Limits:
    """Limits for one program of `dataset`: EvalScope's wall time (4 s when unknown), other fields default."""
    base = Limits(wall_seconds=EVALSCOPE_TIMEOUTS.get(dataset, 4.0))
    return dataclasses.replace(base, **overrides) if overrides else base


def rlimit_rows(limits: Limits, *, processes: bool = True, already_running: int = 0) -> list[tuple[str, int, int]]:
    """(resource name, soft, hard) rows for setrlimit. processes=False leaves RLIMIT_NPROC alone.

    RLIMIT_NPROC counts every process of the real uid, so `already_running` (that uid's processes outside
    the program) is added to the program's allowance.

    The CPU hard limit is one second above the soft one: SIGXCPU first (a clean, recognisable death),
    SIGKILL if the program ignores it.
    """
    rows = [
        ("RLIMIT_CPU", limits.cpu, limits.cpu + 1),
        ("RLIMIT_AS", limits.memory_bytes, limits.memory_bytes),
        ("RLIMIT_FSIZE", limits.file_bytes, limits.file_bytes),
        ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
        ("RLIMIT_CORE", 0, 0),
    ]
    if processes:
        allowance = limits.processes + already_running
        rows.append(("RLIMIT_NPROC", allowance, allowance))
    return rows
