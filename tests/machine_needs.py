"""What some tests need from the machine (bubblewrap, EvalScope 1.14.1's own environment), and what happens
without it: a skip that names the missing piece and its fix, or a failure under ``EVALINDEX_TESTS_NEED_ALL=1``
(set by ``.ci/run``, so a CI image that lacks a piece cannot pass by skipping the tests that use it)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

NEED_ALL_ENV = "EVALINDEX_TESTS_NEED_ALL"
EVALSCOPE_PYTHON_ENV = "EVALINDEX_EVALSCOPE_PYTHON"
EVALSCOPE_VERSION = "1.14.1"
EVALSCOPE_FIX = (f"python3 -m venv /tmp/es && /tmp/es/bin/pip install evalscope=={EVALSCOPE_VERSION}, "
                 f"or point {EVALSCOPE_PYTHON_ENV} at such an environment's python")
_PROBE = ("import importlib.metadata as m, importlib.util as u, os; "
          "print(m.version('evalscope')); print(os.path.dirname(u.find_spec('evalscope').origin))")


@dataclass(frozen=True)
class EvalScopeOracle:
    """EvalScope 1.14.1's own environment: its interpreter and its installed ``evalscope`` package folder."""

    python: Path
    package: Path


def missing(reason: str) -> NoReturn:
    """Skip the test with ``reason``, or fail it when the run must have everything."""
    if os.environ.get(NEED_ALL_ENV) == "1":
        pytest.fail(f"{reason} ({NEED_ALL_ENV}=1)", pytrace=False)
    pytest.skip(reason)


def find_evalscope_oracle() -> EvalScopeOracle:
    """The oracle environment (``$EVALINDEX_EVALSCOPE_PYTHON``, else /tmp/es), checked to hold EvalScope 1.14.1."""
    python = Path(os.environ.get(EVALSCOPE_PYTHON_ENV) or "/tmp/es/bin/python")
    if not python.exists():
        missing(f"EvalScope {EVALSCOPE_VERSION} oracle not found at {python}: {EVALSCOPE_FIX}")
    found = subprocess.run([str(python), "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False)
    lines = found.stdout.splitlines()
    if found.returncode != 0 or len(lines) != 2 or lines[0] != EVALSCOPE_VERSION:
        got = f"evalscope {lines[0]}" if found.returncode == 0 and lines else "no evalscope"
        missing(f"{python} has {got}; the oracle must be EvalScope {EVALSCOPE_VERSION}: {EVALSCOPE_FIX}")
    return EvalScopeOracle(python, Path(lines[1]))
