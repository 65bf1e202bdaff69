"""Running untrusted code: the `bwrap` sandbox (isolated) and the `unsafe` one (plain subprocess, trusted code)."""

from __future__ import annotations

from pytest_evalindex.sandbox.api import Check, ExecResult, Limits, Sandbox, Status, run_python
from pytest_evalindex.sandbox.bwrap import BwrapSandbox
from pytest_evalindex.sandbox.limits import EVALSCOPE_TIMEOUTS, limits_for
from pytest_evalindex.sandbox.unsafe import UnsafeSandbox

MODES = ("bwrap", "unsafe")


def make_sandbox(mode: str, python: str | None = None) -> Sandbox:
    """The backend for `mode` ("bwrap" or "unsafe"); `python` defaults to the running interpreter."""
    if mode == "bwrap":
        return BwrapSandbox(python=python)
    if mode == "unsafe":
        return UnsafeSandbox(python=python)
    raise ValueError(f"unknown sandbox mode {mode!r}: use one of {', '.join(MODES)}")


__all__ = [
    "EVALSCOPE_TIMEOUTS",
    "MODES",
    "BwrapSandbox",
    "Check",
    "ExecResult",
    "Limits",
    "Sandbox",
    "Status",
    "UnsafeSandbox",
    "limits_for",
    "make_sandbox",
    "run_python",
]
