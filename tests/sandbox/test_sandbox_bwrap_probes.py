"""Hostile programs against the bwrap sandbox: each must be contained and leave nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from machine_needs import missing
from sandbox_helpers import LoopbackServer, Probe

from pytest_evalindex.sandbox import BwrapSandbox, ExecResult, Limits, run_python
from pytest_evalindex.sandbox.api import MiB

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def host_dir() -> Iterator[Path]:
    """A world-writable directory on the host outside every masked directory (not under /tmp or a home)."""
    for parent in ("/var/lib", "/opt", "/srv", os.getcwd()):
        if os.access(parent, os.W_OK):
            path = Path(tempfile.mkdtemp(prefix="evalindex-probe-", dir=parent))
            path.chmod(0o1777)
            break
    else:
        missing("no writable directory outside /tmp and the home directories")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_loopback_server_on_the_host_is_unreachable(bwrap_probe: Probe, loopback_server: LoopbackServer) -> None:
    source = f"""
import socket, sys
try:
    socket.create_connection(("127.0.0.1", {loopback_server.port}), timeout=2).recv(100)
except OSError as exc:
    print("blocked", type(exc).__name__)
    print("interfaces", [name for _, name in socket.if_nameindex()])
    sys.exit(0)
print("connected")
sys.exit(1)
"""
    result, _ = bwrap_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert "blocked ConnectionRefusedError" in result.stdout
    assert "interfaces ['lo']" in result.stdout
    assert loopback_server.accepted == []
    # The same program outside the sandbox does connect: the server is really there.
    outside = subprocess.run(["python3", "-c", source], capture_output=True, text=True, timeout=20)
    assert "connected" in outside.stdout and len(loopback_server.accepted) == 1


def test_writes_outside_the_work_dir_fail_and_leave_the_host_unchanged(
    bwrap_probe: Probe, host_dir: Path, tmp_path: Path
) -> None:
    token = bwrap_probe.token
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    secret.chmod(0o644)
    targets = [
        f"{host_dir}/x",
        f"/etc/evalindex-{token}",
        f"/usr/evalindex-{token}",
        f"{os.getcwd()}/evalindex-{token}",
    ]
    source = f"""
import os
for path in {targets!r}:
    try:
        open(path, "w").write("pwned")
        print("WROTE", path)
    except OSError as exc:
        print("denied", path, exc.errno)
for path in ["/tmp/{token}", "/var/tmp/{token}", "/dev/shm/{token}"]:
    open(path, "w").write("private")  # lands in the sandbox's own tmpfs
open("in_work_dir.txt", "w").write("mine")
print("work", open("in_work_dir.txt").read())
for path in [{str(secret)!r}, "/root/.bashrc"]:
    print("readable" if os.path.exists(path) else "hidden", path)
"""
    before = sorted(os.listdir(host_dir))
    result, _ = bwrap_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    # A checkout under /tmp (CI clones there) shows up inside the sandbox's private /tmp tmpfs as the parent of the
    # read-only venv: a write there lands in that tmpfs. Everything else is denied, and the host is unchanged.
    private = [t for t in targets if t.startswith("/tmp/")]
    for target in targets:
        assert f"denied {target}" in result.stdout or (target in private and f"WROTE {target}" in result.stdout)
    assert all(f"WROTE {t}" not in result.stdout for t in targets if t not in private)
    assert "work mine" in result.stdout
    assert "readable" not in result.stdout
    assert sorted(os.listdir(host_dir)) == before == []
    for leaked in [*targets[1:], f"/tmp/{token}", f"/var/tmp/{token}", f"/dev/shm/{token}"]:  # host unchanged
        assert not os.path.exists(leaked), leaked


def test_parent_environment_is_invisible(bwrap_probe: Probe, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"sk-{bwrap_probe.token}"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("EVALINDEX_API_KEY", secret)
    source = """
import os, glob
print(sorted(os.environ.items()))
for path in glob.glob("/proc/*/environ"):
    try:
        print(open(path, "rb").read())
    except OSError:
        pass
"""
    result, _ = bwrap_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert "PATH" in result.stdout
    assert secret not in result.stdout and "OPENAI_API_KEY" not in result.stdout


def test_uid_inside_is_not_root(bwrap_probe: Probe) -> None:
    source = """
import ctypes, os
print("ids", os.getuid(), os.geteuid(), os.getgid())
print([line for line in open("/proc/self/status") if line.startswith("CapEff")])
try:
    os.setuid(0)
    print("setuid worked")
except OSError as exc:  # EINVAL: uid 0 is not even mapped into the namespace
    print("setuid denied", exc.errno)
libc = ctypes.CDLL(None, use_errno=True)
print("nested userns", libc.unshare(0x10000000), ctypes.get_errno())
"""
    result, _ = bwrap_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert "ids 65534 65534 65534" in result.stdout
    assert "CapEff:\\t0000000000000000" in result.stdout
    assert "setuid denied" in result.stdout
    assert "nested userns -1" in result.stdout


@pytest.mark.slow
def test_fork_bomb_is_contained_and_leaves_no_process(bwrap_probe: Probe) -> None:
    source = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
    result, elapsed = bwrap_probe.run(source, Limits(wall_seconds=3, processes=64))
    assert result.status == "timeout", result
    assert elapsed < 3 + 8
    assert bwrap_probe.leftovers() == []


@pytest.mark.slow
def test_fork_bomb_does_not_starve_a_concurrent_program(bwrap_sandbox: BwrapSandbox, bwrap_probe: Probe) -> None:
    """Each live run has its own outside uid, so one program's process limit is not another's."""
    bomb = "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n"
    forks = "import subprocess, sys\nfor _ in range(20): subprocess.run([sys.executable, '-c', 'pass'], check=True)\n"
    results: list[ExecResult] = []
    thread = threading.Thread(target=lambda: results.append(bwrap_probe.run(bomb, Limits(wall_seconds=6))[0]))
    thread.start()
    time.sleep(1.5)
    worker = run_python(bwrap_sandbox, forks, Limits(wall_seconds=30, processes=64))
    thread.join(timeout=40)
    assert worker.status == "passed", worker
    assert results[0].status == "timeout"
    assert bwrap_probe.leftovers() == []


def test_8gib_allocation_is_refused(bwrap_probe: Probe) -> None:
    result, _ = bwrap_probe.run("buffer = bytearray(8 << 30)\n", Limits(wall_seconds=10, memory_bytes=1 << 30))
    assert result.status == "memory", result
    assert "MemoryError" in result.stderr
    assert bwrap_probe.leftovers() == []


def test_busy_loop_is_stopped_by_the_cpu_limit(bwrap_probe: Probe) -> None:
    result, elapsed = bwrap_probe.run("while True:\n    pass\n", Limits(wall_seconds=20, cpu_seconds=1))
    assert result.status == "cpu_limit", result
    assert elapsed < 10
    assert bwrap_probe.leftovers() == []


@pytest.mark.slow
def test_sleep_forever_is_stopped_by_the_wall_time(bwrap_probe: Probe) -> None:
    result, elapsed = bwrap_probe.run("import time\ntime.sleep(10**6)\n", Limits(wall_seconds=1.5))
    assert result.status == "timeout", result
    assert 1.5 <= elapsed < 1.5 + 8
    assert bwrap_probe.leftovers() == []


def test_setsid_grandchild_does_not_survive(bwrap_probe: Probe) -> None:
    source = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            print("still here", flush=True)
            time.sleep(0.2)
    os._exit(0)
os.wait()
print("parent done", flush=True)
"""
    result, elapsed = bwrap_probe.run(source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert "parent done" in result.stdout
    assert elapsed < 8
    assert bwrap_probe.leftovers() == []


@pytest.mark.slow
def test_unbounded_output_is_capped(bwrap_probe: Probe) -> None:
    source = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n    sys.stderr.write('y' * 65536)\n"
    result, elapsed = bwrap_probe.run(source, Limits(wall_seconds=2, output_bytes=1 * MiB))
    assert result.status == "timeout", result
    assert result.stdout_truncated and result.stderr_truncated
    assert len(result.stdout) == len(result.stderr) == 1 * MiB
    assert set(result.stdout) == {"x"}
    assert elapsed < 2 + 8
    assert bwrap_probe.leftovers() == []


@pytest.mark.slow
def test_kill_minus_one_hits_nothing_outside(bwrap_sandbox: BwrapSandbox, bwrap_probe: Probe) -> None:
    bystander = subprocess.Popen(["sleep", "60"])
    neighbour: list[ExecResult] = []
    thread = threading.Thread(
        target=lambda: neighbour.append(
            run_python(bwrap_sandbox, "import time\ntime.sleep(3)\nprint('neighbour ok')\n", Limits(wall_seconds=20))
        )
    )
    thread.start()
    try:
        time.sleep(1.0)
        source = """
import os, signal, subprocess
own_child = subprocess.Popen(["sleep", "30"])
os.kill(-1, signal.SIGKILL)  # every process this uid may signal, except itself
print("after kill(-1): own child", own_child.wait())
"""
        result, _ = bwrap_probe.run(source, Limits(wall_seconds=10))
        thread.join(timeout=30)
        assert result.status == "passed", result
        assert "after kill(-1): own child -9" in result.stdout
        assert bystander.poll() is None
        assert neighbour[0].status == "passed" and "neighbour ok" in neighbour[0].stdout
    finally:
        bystander.kill()
        bystander.wait()
    assert bwrap_probe.leftovers() == []


def test_file_size_and_open_file_limits(bwrap_probe: Probe) -> None:
    source = """
import errno
try:
    with open("big.bin", "wb") as fh:
        fh.write(b"0" * (32 << 20))
except OSError as exc:
    print("write", errno.errorcode[exc.errno])
try:
    for i in range(100):
        with open(f"/tmp/fill_{i}", "wb") as fh:
            fh.write(b"0" * (8 << 20))
except OSError as exc:
    print("fill", errno.errorcode[exc.errno], i < 8)
files = []
try:
    while True:
        files.append(open("in_work_dir_" + str(len(files)), "w"))
except OSError as exc:
    print("open", errno.errorcode[exc.errno], len(files) < 300)
"""
    result, _ = bwrap_probe.run(
        source, Limits(wall_seconds=10, file_bytes=16 * MiB, open_files=256, tmpfs_bytes=48 * MiB)
    )
    assert result.status == "passed", result
    assert "write EFBIG" in result.stdout
    assert "open EMFILE True" in result.stdout
    assert "fill ENOSPC True" in result.stdout


def test_closed_outputs_and_blocking_stdin(bwrap_probe: Probe) -> None:
    source = (
        "import os, sys\nos.close(1)\nos.close(2)\ndata = sys.stdin.buffer.read()\nos._exit(0 if data == b'' else 3)\n"
    )
    result, elapsed = bwrap_probe.run(source, Limits(wall_seconds=10))
    assert (result.status, result.stdout, result.stderr) == ("passed", "", "")
    assert elapsed < 8


def test_correct_and_incorrect_programs_score(bwrap_sandbox: BwrapSandbox) -> None:
    good = "def add(a, b):\n    return a + b\n\nassert add(2, 3) == 5\n"
    bad = "def add(a, b):\n    return a - b\n\nassert add(2, 3) == 5\n"
    ok, wrong = (run_python(bwrap_sandbox, src, Limits()) for src in (good, bad))
    assert (ok.status, ok.exit_code, ok.scored) == ("passed", 0, True)
    assert (wrong.status, wrong.exit_code, wrong.scored) == ("failed", 1, True)
    assert "AssertionError" in wrong.stderr


def test_only_the_system_tree_and_the_interpreter_are_visible(bwrap_sandbox: BwrapSandbox, host_dir: Path) -> None:
    """A project checkout may keep keys in files (.env): host directories outside the system tree are absent."""
    (host_dir / ".env").write_text("OPENAI_API_KEY=sk-in-a-file\n")
    (host_dir / ".env").chmod(0o644)
    source = f"""
import os, sys
for path in [{str(host_dir)!r}, {__file__!r}, "/root/.bashrc", "/home", "/run", "/var/lib", "/srv"]:
    print("visible" if os.path.exists(path) else "absent", path)
print("interpreter", os.path.exists(sys.executable), os.listdir("/"))
"""
    result = run_python(bwrap_sandbox, source, Limits(wall_seconds=10))
    assert result.status == "passed", result
    assert "visible" not in result.stdout
    assert "interpreter True" in result.stdout
    assert sorted(os.listdir(host_dir)) == [".env"]
