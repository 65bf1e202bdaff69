"""The pre-started sandboxes: one program per sandbox even when a slot runs programs back to back, each with
its own limits, and a Python script run in the waiting interpreter behaves as `python script` would."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import pytest
from sandbox_helpers import Probe

from pytest_evalindex.sandbox import BwrapSandbox, Limits, run_python
from pytest_evalindex.sandbox.api import GiB, MiB
from pytest_evalindex.sandbox.proctree import descendants

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def one_slot(bwrap_sandbox: BwrapSandbox) -> Iterator[BwrapSandbox]:
    """A sandbox of its own: programs run one after another from one thread go through the same slot."""
    sandbox = BwrapSandbox()
    try:
        yield sandbox
    finally:
        sandbox.close()


def test_nothing_of_a_program_reaches_the_next_one_in_the_same_slot(one_slot: BwrapSandbox) -> None:
    probe = Probe(one_slot)
    token = probe.token
    leaver = f"""
import os, time
for path in ["/tmp/left_{token}", "/dev/shm/left_{token}", "/var/tmp/left_{token}", "left_{token}"]:
    open(path, "w").write("left behind")
if os.fork() == 0:  # a daemon that outlives the program and keeps writing
    os.setsid()
    if os.fork() == 0:
        while True:
            open("/tmp/daemon_{token}", "a").write("x")
            time.sleep(0.05)
    os._exit(0)
time.sleep(0.3)
print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
"""
    first, _ = probe.run(leaver, Limits(wall_seconds=10))
    assert first.status == "passed", first
    # The next program's sandbox was already waiting while this one ran: it is not visible from inside.
    visible = json.loads(first.stdout.split("pids", 1)[1])
    assert len(visible) <= 4, visible  # bwrap's init, the program, its child (exiting) and the daemon
    looker = f"""
import os
for folder in ["/tmp", "/dev/shm", "/var/tmp", "."]:
    print(folder, sorted(name for name in os.listdir(folder) if "{token}" in name))
print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
"""
    for _ in range(2):  # the sandbox started during the leaver, then one started during the first looker
        second, _ = probe.run(looker, Limits(wall_seconds=10))
        assert second.status == "passed", second
        for folder in ["/tmp", "/dev/shm", "/var/tmp"]:
            assert f"{folder} []" in second.stdout
        assert f". ['probe_{token}.py']" in second.stdout  # only its own file in a fresh work directory
        assert json.loads(second.stdout.split("pids", 1)[1]) == [1, 2]  # bwrap's init and the program
    assert probe.leftovers() == []


def test_each_program_gets_its_own_limits_in_the_same_slot(one_slot: BwrapSandbox) -> None:
    source = """
import os, resource
fs = os.statvfs("/tmp")
print(fs.f_blocks * fs.f_frsize, resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU),
      resource.getrlimit(resource.RLIMIT_NPROC)[0], resource.getrlimit(resource.RLIMIT_NOFILE)[0])
"""
    runs = [
        Limits(wall_seconds=4, tmpfs_bytes=64 * MiB, memory_bytes=1 * GiB, processes=32, open_files=128),
        Limits(wall_seconds=9.5, tmpfs_bytes=48 * MiB, memory_bytes=2 * GiB, processes=64, open_files=256),
        Limits(wall_seconds=2, tmpfs_bytes=48 * MiB, memory_bytes=1 * GiB, cpu_seconds=7, processes=16),
    ]
    seen = []
    for limits in runs:
        result = run_python(one_slot, source, limits)
        assert result.status == "passed", result
        seen.append(result.stdout.split())
    assert seen == [
        [str(64 * MiB), str(1 * GiB), "(5,", "6)", "32", "128"],
        [str(48 * MiB), str(2 * GiB), "(11,", "12)", "64", "256"],
        [str(48 * MiB), str(1 * GiB), "(7,", "8)", "16", "256"],
    ]


def test_a_script_runs_as_python_would_run_it(one_slot: BwrapSandbox) -> None:
    source = """
import atexit, os, sys, threading, time
print("argv", sys.argv, __name__, __file__, sys.path[0])
print("cmdline", open("/proc/self/cmdline", "rb").read().rstrip(b"\\0").split(b"\\0")[1:])
print("main", sys.modules["__main__"].__dict__ is globals(), sorted(k for k in globals() if k.startswith("__")))
print("stdin", repr(sys.stdin.read()), "fds", sorted(int(fd) for fd in os.listdir("/proc/self/fd"))[:4])
atexit.register(lambda: print("atexit ran", flush=True))
threading.Thread(target=lambda: (time.sleep(0.2), print("thread joined"))).start()
mode = sys.argv[1]
if mode == "exit3":
    sys.exit(3)
if mode == "message":
    sys.exit("bad input")
if mode == "raise":
    def inner():
        raise ValueError("boom")
    inner()
print("end reached")
"""
    results = {
        mode: one_slot.run({"s.py": source}, [one_slot.python, "s.py", mode], Limits(wall_seconds=10), stdin=mode)
        for mode in ("plain", "exit3", "message", "raise")
    }
    plain = results["plain"]
    assert (plain.status, plain.exit_code) == ("passed", 0), plain
    assert "argv ['s.py', 'plain'] __main__ /tmp/work/s.py /tmp/work" in plain.stdout
    assert "cmdline [b's.py', b'plain']" in plain.stdout
    assert "stdin 'plain' fds [0, 1, 2, 3]" in plain.stdout  # 3: the listing itself; nothing of the stub is open
    assert "main True ['__builtins__', '__cached__', '__doc__', '__file__', '__loader__', '__name__', " in plain.stdout
    assert plain.stdout.rstrip().splitlines()[-3:] == ["end reached", "thread joined", "atexit ran"]
    assert results["exit3"].exit_code == 3 and "atexit ran" in results["exit3"].stdout
    assert (results["message"].exit_code, results["message"].stderr) == (1, "bad input\n")
    raised = results["raise"]
    assert raised.exit_code == 1 and "thread joined" in raised.stdout and "atexit ran" in raised.stdout
    assert raised.stderr.startswith('Traceback (most recent call last):\n  File "/tmp/work/s.py", line ')
    assert raised.stderr.count('File "') == 2 and raised.stderr.endswith("ValueError: boom\n")


def test_a_stopped_slot_server_is_replaced(one_slot: BwrapSandbox) -> None:
    assert run_python(one_slot, "print('before')", Limits()).stdout == "before\n"
    one_slot.close()  # stops the servers and their waiting sandboxes; the next program starts new ones
    after = run_python(one_slot, "print('after')", Limits())
    assert (after.status, after.stdout) == ("passed", "after\n")


def test_a_waiting_sandbox_that_died_is_replaced_for_its_program(one_slot: BwrapSandbox) -> None:
    assert run_python(one_slot, "print('first')", Limits()).stdout == "first\n"
    assert one_slot._slots is not None
    (server,) = one_slot._slots._all
    deadline = time.monotonic() + 30  # a loaded machine may take a while to start the next sandbox
    waiting: list[int] = []
    while not waiting and time.monotonic() < deadline:
        time.sleep(0.05)
        waiting = [pid for pid in descendants(server.proc.pid) if b"pre-started" in _cmdline(pid)]
    assert waiting  # the next program's sandbox (bwrap, then the interpreter waiting for the program)
    for pid in waiting:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # gone already: its sandbox ended with the process killed before it
            pass
    after = run_python(one_slot, "print('second')", Limits())
    assert (after.status, after.stdout) == ("passed", "second\n")


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""
