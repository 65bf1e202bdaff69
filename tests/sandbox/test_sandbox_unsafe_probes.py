"""The unsafe backend (plain subprocess): limits, output cap and tree kill hold; isolation does not, by design."""

from __future__ import annotations

import os
import threading

import pytest
from sandbox_helpers import LoopbackServer, Probe

from pytest_evalindex.sandbox import Limits
from pytest_evalindex.sandbox.api import MiB

pytestmark = pytest.mark.timeout(60)


def test_parent_environment_is_invisible(unsafe_probe: Probe, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"sk-{unsafe_probe.token}"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    result, _ = unsafe_probe.run("import os\nprint(sorted(os.environ.items()))\n", Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert secret not in result.stdout and "OPENAI_API_KEY" not in result.stdout


def test_stdin_exit_codes_and_a_fresh_work_dir(unsafe_probe: Probe) -> None:
    source = "import os, sys\nprint(input()[::-1], sorted(os.listdir('.')))\nsys.exit(7)\n"
    result, _ = unsafe_probe.run(source, Limits(wall_seconds=10), stdin="abc\n")
    assert (result.status, result.exit_code) == ("failed", 7)
    assert result.stdout == f"cba ['probe_{unsafe_probe.token}.py']\n"


@pytest.mark.slow
def test_sleep_forever_is_stopped_by_the_wall_time(unsafe_probe: Probe) -> None:
    result, elapsed = unsafe_probe.run("import time\ntime.sleep(10**6)\n", Limits(wall_seconds=1.5))
    assert result.status == "timeout", result
    assert 1.5 <= elapsed < 1.5 + 8
    assert unsafe_probe.leftovers() == []


@pytest.mark.slow
def test_busy_loop_is_stopped_by_the_cpu_limit(unsafe_probe: Probe) -> None:
    result, elapsed = unsafe_probe.run("while True:\n    pass\n", Limits(wall_seconds=20, cpu_seconds=1))
    assert result.status == "cpu_limit", result
    assert elapsed < 10
    assert unsafe_probe.leftovers() == []


def test_8gib_allocation_is_refused(unsafe_probe: Probe) -> None:
    result, _ = unsafe_probe.run("buffer = bytearray(8 << 30)\n", Limits(wall_seconds=10, memory_bytes=1 << 30))
    assert result.status == "memory", result


@pytest.mark.slow
def test_unbounded_output_is_capped(unsafe_probe: Probe) -> None:
    source = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
    result, _ = unsafe_probe.run(source, Limits(wall_seconds=2, output_bytes=1 * MiB))
    assert result.status == "timeout", result
    assert result.stdout_truncated and len(result.stdout) == 1 * MiB
    assert unsafe_probe.leftovers() == []


def test_setsid_grandchild_does_not_survive(unsafe_probe: Probe) -> None:
    """The supervisor is a child subreaper: the escaped grandchild comes back to it and is killed."""
    source = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(10**6)
    os._exit(0)
os.wait()
print("parent done", flush=True)
"""
    result, elapsed = unsafe_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert elapsed < 8
    assert unsafe_probe.leftovers() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="as root RLIMIT_NPROC does not apply: a fork bomb would hit the host")
def test_fork_bomb_is_bounded_when_not_root(unsafe_probe: Probe) -> None:
    source = "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n"
    result, _ = unsafe_probe.run(source, Limits(wall_seconds=3, processes=32))
    assert result.status == "timeout", result
    assert unsafe_probe.leftovers() == []


def test_unsafe_is_not_isolation(unsafe_probe: Probe, loopback_server: LoopbackServer) -> None:
    """Pinned on purpose: the unsafe mode reaches the host network; only trusted code belongs in it."""
    source = f"import socket\nprint(socket.create_connection(('127.0.0.1', {loopback_server.port})).recv(100))\n"
    result, _ = unsafe_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert "hello from the host" in result.stdout and len(loopback_server.accepted) == 1


def test_runs_from_many_threads(unsafe_probe: Probe) -> None:
    results: dict[int, str] = {}

    def one(i: int) -> None:
        result, _ = unsafe_probe.run(f"print({i} * {i})\n", Limits(wall_seconds=20))
        results[i] = result.stdout.strip()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=50)
    assert results == {i: str(i * i) for i in range(6)}
