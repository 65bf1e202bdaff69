"""A pytest run inside this process, kept as honest as a subprocess: its fd output caught, this process's state kept.

An in-process run (xdist controller included) shares this process's file descriptors and process-wide state. What
a child process inherits (xdist's workers write to the controller's fd 2) is caught at the fd level and handed back
with the run's output; what the run changes process-wide is put back as a fresh process would have left it.
"""

from __future__ import annotations

import atexit
import gc
import io
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)
STATE_LOG = "EVALINDEX_TEST_STATE_LOG"
"""When set, a file to which every in-process run appends (one JSON line) what it changed process-wide."""
THREAD_JOIN_S = 10.0
"""Seconds to wait, in all, for the threads a run started to end."""


@contextmanager
def fd_output(into: dict[str, str]) -> Iterator[None]:
    """Point fd 1 and fd 2 at temporary files inside ``with`` (so do the children started inside), then put them
    back, even on error, and leave what they got in ``into["out"]`` and ``into["err"]``.

    The outer pytest's fd capture is simply what is saved and put back; an outer xdist worker talks to its controller
    over descriptors execnet duplicated from the original fd 0 and fd 1 at startup (fd 1 itself then points at
    /dev/null), so its channel is not affected."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    files = [tempfile.TemporaryFile(), tempfile.TemporaryFile()]
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(files[0].fileno(), 1)
        os.dup2(files[1].fileno(), 2)
        yield
    finally:
        for stream in (sys.__stdout__, sys.__stderr__):  # bytes a run left buffered on the real streams
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)
        for name, handle in zip(("out", "err"), files):
            handle.seek(0)
            into[name] = handle.read().decode("utf-8", errors="replace")
            handle.close()


@contextmanager
def process_state_kept(label: str) -> Iterator[None]:
    """Inside, a pytest run may change this process's state as a process of its own would; on exit the cwd,
    environment, signal handlers (and real-time alarm), hooks, switch interval, warning filters, logging setup and
    garbage collector's frozen set are put back, the atexit callbacks registered inside are run and unregistered
    (as the run's own process would at its exit), and the threads it started are waited for."""
    cwd, environ = os.getcwd(), dict(os.environ)
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    alarm = signal.getitimer(signal.ITIMER_REAL)
    hooks = (sys.unraisablehook, sys.excepthook, threading.excepthook, sys.stdout, sys.stderr)
    switch, recursion = sys.getswitchinterval(), sys.getrecursionlimit()
    filters = list(warnings.filters)
    factory, root = logging.getLogRecordFactory(), logging.getLogger()
    root_handlers, root_level = list(root.handlers), root.level
    frozen = gc.get_freeze_count()
    threads = set(threading.enumerate())
    registered: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
    register = atexit.register

    def recording(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        registered.append((func, args, kwargs))
        return register(func, *args, **kwargs)

    atexit.register = recording  # type: ignore[assignment]
    try:
        yield
    finally:
        atexit.register = register
        changed: list[str] = []
        for func, args, kwargs in reversed(registered):
            atexit.unregister(func)
            try:
                func(*args, **kwargs)
            except Exception:  # a process's exit would print it and go on
                pass
        if registered:
            changed.append(f"atexit: {[getattr(f, '__qualname__', repr(f)) for f, _, _ in registered]}")
        deadline = time.monotonic() + THREAD_JOIN_S
        for thread in set(threading.enumerate()) - threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            changed.append(f"thread {thread.name} (daemon={thread.daemon}, alive={thread.is_alive()})")
        if os.getcwd() != cwd:
            changed.append("cwd")
            os.chdir(cwd)
        if dict(os.environ) != environ:
            changed.append(f"environ: {sorted(set(os.environ.items()) ^ set(environ.items()))}")
            os.environ.clear()
            os.environ.update(environ)
        for sig, handler in handlers.items():
            if signal.getsignal(sig) != handler:
                changed.append(f"signal {signal.Signals(sig).name}")
                signal.signal(sig, handler)
        if alarm == (0.0, 0.0) and signal.getitimer(signal.ITIMER_REAL) != alarm:
            changed.append("ITIMER_REAL")
            signal.setitimer(signal.ITIMER_REAL, 0)
        if (sys.unraisablehook, sys.excepthook, threading.excepthook, sys.stdout, sys.stderr) != hooks:
            changed.append("hooks or streams")
            sys.unraisablehook, sys.excepthook, threading.excepthook, sys.stdout, sys.stderr = hooks
        if (sys.getswitchinterval(), sys.getrecursionlimit()) != (switch, recursion):
            changed.append("switch interval or recursion limit")
            sys.setswitchinterval(switch)
            sys.setrecursionlimit(recursion)
        if warnings.filters != filters:
            changed.append("warning filters")
            warnings.filters = filters
        if logging.getLogRecordFactory() is not factory:
            changed.append("log record factory")
            logging.setLogRecordFactory(factory)
        if list(root.handlers) != root_handlers or root.level != root_level:
            changed.append("root logger")
            root.handlers[:] = root_handlers
            root.setLevel(root_level)
        if frozen == 0 and gc.get_freeze_count():
            changed.append("gc.freeze")
            gc.unfreeze()
        log = environ.get(STATE_LOG)
        if log and changed:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"run": label, "changed": changed}) + "\n")


def run_inprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytester.runpytest_inprocess(*args)`` with the fd output of the run (and of the processes it started)
    appended to the result's lines. pytester's own echo of the run's output is replaced by ours, of all of it."""
    fds: dict[str, str] = {}
    echo = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()  # pytester echoes the run's sys output here: dropped
    try:
        with fd_output(fds):
            result = pytester.runpytest_inprocess(*args)
    finally:
        sys.stdout, sys.stderr = echo
    result.outlines.extend(fds.get("out", "").splitlines())
    result.errlines.extend(fds.get("err", "").splitlines())
    sys.stdout.write("\n".join(result.outlines) + "\n")
    sys.stderr.write("\n".join(result.errlines) + "\n")
    return result
