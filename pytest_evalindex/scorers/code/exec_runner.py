"""Sandbox-side runner for HumanEval: runs a program as EvalScope's local checker would (stdlib only).

Usage inside the sandbox: `python exec_runner.py program.py SECONDS`. The program gets fresh globals (so a
`__main__` guard does not fire), no usable stdin, its output discarded, and SECONDS of wall time. Any
exception, SystemExit included, fails it. Success is the marker line on the real stdout plus exit status 0,
so a program that calls os._exit(0) half-way does not pass.
"""

from __future__ import annotations

import _signal as signal  # not `signal`: its enum wrappers cost ~1.5 ms of every program's start
import io
import os
import sys
from types import FrameType

MARKER = "EVALINDEX-EXEC-PASSED"


class _NoInput(io.StringIO):
    """A stdin that refuses to be read, like an input stream opened for writing only."""

    def read(self, size: int | None = -1) -> str:
        raise OSError("stdin is not readable")

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise OSError("stdin is not readable")

    def readlines(self, hint: int | None = -1) -> list[str]:  # type: ignore[override]
        raise OSError("stdin is not readable")

    def readable(self) -> bool:
        return False


def _expired(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError("time limit reached")


def main() -> None:
    """Exec the program; exit 0 with the marker only if it ran to the end."""
    path, seconds = sys.argv[1], float(sys.argv[2])
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    real_out = os.fdopen(os.dup(1), "w")
    real_err = os.fdopen(os.dup(2), "w")
    sys.stdout, sys.stderr, sys.stdin = io.StringIO(), io.StringIO(), _NoInput()
    signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        exec(compile(source, path, "exec"), {})
    except BaseException as exc:  # SystemExit and KeyboardInterrupt fail the program too
        signal.setitimer(signal.ITIMER_REAL, 0)
        import traceback  # only when needed: its imports would add to every program's start

        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        real_err.write("".join(lines)[-4000:])
        real_err.flush()
        os._exit(1)
    signal.setitimer(signal.ITIMER_REAL, 0)
    real_out.write(MARKER + "\n")
    real_out.flush()
    os._exit(0)  # do not wait for threads the program left running


if __name__ == "__main__":
    main()
