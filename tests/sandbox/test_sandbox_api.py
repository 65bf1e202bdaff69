"""The sandbox contract: limits, file names, sandbox failures kept apart from failing programs, the pool."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from machine_needs import EvalScopeOracle

from pytest_evalindex.sandbox import (
    EVALSCOPE_TIMEOUTS,
    BwrapSandbox,
    Limits,
    UnsafeSandbox,
    limits_for,
    make_sandbox,
    run_python,
)
from pytest_evalindex.sandbox.launch import checked_name
from pytest_evalindex.sandbox.pool import SandboxPool, default_workers

pytestmark = pytest.mark.timeout(60)

def test_limits_defaults_and_validation() -> None:
    assert Limits(wall_seconds=4).cpu == 5 and Limits(wall_seconds=4.2).cpu == 6
    assert Limits(cpu_seconds=2).cpu == 2
    for bad in ({"wall_seconds": 0}, {"wall_seconds": float("inf")}, {"processes": 0}, {"cpu_seconds": 0}):
        with pytest.raises(ValueError):
            Limits(**bad)


@pytest.mark.parametrize(
    ("dataset", "adapter"),
    [
        ("humaneval", "humaneval/humaneval_adapter.py"),
        ("humaneval_plus", "humanevalplus/humanevalplus_adapter.py"),
        ("mbpp", "mbpp/mbpp_adapter.py"),
        ("mbpp_plus", "mbppplus/mbppplus_adapter.py"),
        ("live_code_bench", "live_code_bench/live_code_bench_adapter.py"),
        ("ds1000", "ds1000/ds1000_adapter.py"),
        ("multiple_humaneval", "multipl_e/multiple_humaneval_adapter.py"),
    ],
)
def test_wall_time_defaults_match_evalscope(dataset: str, adapter: str, evalscope_oracle: EvalScopeOracle) -> None:
    text = (evalscope_oracle.package / "benchmarks" / adapter).read_text(encoding="utf-8")
    assert f"review_timeout={int(EVALSCOPE_TIMEOUTS[dataset])}," in text
    assert limits_for(dataset).wall_seconds == EVALSCOPE_TIMEOUTS[dataset]
    assert limits_for(dataset, memory_bytes=1 << 30).memory_bytes == 1 << 30


@pytest.mark.parametrize("name", ["", ".", "/etc/passwd", "../escape.py", "a/../../b"])
def test_file_names_must_stay_in_the_work_dir(name: str) -> None:
    with pytest.raises(ValueError):
        checked_name(name)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="bwrap, unsafe"):
        make_sandbox("docker")


def test_missing_bwrap_is_a_sandbox_error_with_an_install_hint() -> None:
    sandbox = BwrapSandbox(bwrap="/nonexistent/bwrap")
    check = sandbox.check()
    assert not check.ok
    assert "apt-get install -y bubblewrap" in check.message and "\n" not in check.message
    result = run_python(sandbox, "print(1)\n", Limits())
    assert (result.status, result.scored, result.passed) == ("sandbox_error", False, False)


@pytest.fixture
def refusing_bwrap() -> Iterator[str]:
    """A stand-in for bwrap on a host that refuses user namespaces (runnable by the sandbox uid)."""
    folder = tempfile.mkdtemp(prefix="evalindex-fake-bwrap-")
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "bwrap")
    Path(path).write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        '  --help) echo "usage: bwrap --json-status-fd FD --size BYTES --disable-userns"; exit 0;;\n'
        '  --version) echo "bubblewrap 0.8.0"; exit 0;;\n'
        "esac\n"
        'echo "bwrap: No permissions to create new namespace, likely because the kernel does not allow '
        'non-privileged user namespaces." >&2\n'
        "exit 1\n"
    )
    os.chmod(path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    try:
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_refused_user_namespaces_are_a_sandbox_error_not_a_failing_program(refusing_bwrap: str) -> None:
    sandbox = BwrapSandbox(bwrap=refusing_bwrap)
    result = run_python(sandbox, "print(1)\n", Limits())
    assert result.status == "sandbox_error" and not result.scored
    assert result.error is not None and "user namespaces" in result.error
    check = sandbox.check()
    assert not check.ok and "sysctl" in check.message and "\n" not in check.message


def test_a_program_imitating_bwrap_is_still_a_failing_program(bwrap_sandbox: BwrapSandbox) -> None:
    source = "import sys\nprint('bwrap: No permissions to create new namespace', file=sys.stderr)\nsys.exit(1)\n"
    result = run_python(bwrap_sandbox, source, Limits())
    assert (result.status, result.scored, result.exit_code) == ("failed", True, 1)


def test_check_reports_the_isolation_in_one_line(bwrap_sandbox: BwrapSandbox) -> None:
    check = bwrap_sandbox.check()
    assert check.ok and "uid 65534 inside" in check.message and "\n" not in check.message
    assert UnsafeSandbox().check().ok


@pytest.mark.slow
def test_pool_runs_programs_off_the_event_loop(tmp_path: Path) -> None:
    """Every program waits for a file that only the event loop writes, after the programs have started: a pool that
    ran programs on the loop would block it and each program would end at its wall time without printing."""
    loop_ran = tmp_path / "loop-ran"
    program = f"import os, sys, time\nwhile not os.path.exists({str(loop_ran)!r}):\n    time.sleep(0.01)\n" \
              "print(sys.argv[1])\n"
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(5):
            await asyncio.sleep(0.05)
            ticks += 1
        loop_ran.write_text("", encoding="utf-8")

    async def main(pool: SandboxPool) -> list[str]:
        runs = [pool.run({"m.py": program}, [pool.sandbox.python, "m.py", str(i)], Limits(wall_seconds=20))
                for i in range(4)]
        results, _ = await asyncio.gather(asyncio.gather(*runs), ticker())
        return [r.stdout.strip() for r in results]

    assert default_workers() >= 1
    with SandboxPool(UnsafeSandbox(), workers=2) as pool:
        assert asyncio.run(main(pool)) == ["0", "1", "2", "3"]
    assert ticks == 5


@pytest.mark.parametrize("mode", ["unsafe", "bwrap"])
def test_programs_get_default_signal_dispositions(mode: str, request: pytest.FixtureRequest) -> None:
    """Python ignores SIGPIPE; a shell pipeline in the sandbox must still see the default (quiet) behaviour."""
    sandbox = request.getfixturevalue("bwrap_sandbox") if mode == "bwrap" else UnsafeSandbox()
    result = sandbox.run({}, ["sh", "-c", "yes | head -n 1; echo done"], Limits(wall_seconds=10))
    assert (result.status, result.stdout, result.stderr) == ("passed", "y\ndone\n", "")


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory every user may enter (pytest's own tmp_path sits under a 0700 directory)."""
    path = Path(tempfile.mkdtemp(prefix="evalindex-paths-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_paths_plan_masks_and_re_exposure(open_dir: Path) -> None:
    from pytest_evalindex.sandbox.paths import expose_plan, extra_binds, outermost, system_entries

    closed = open_dir / "home"
    prefix = closed / "user" / "venv"
    prefix.mkdir(parents=True)
    os.chmod(closed, 0o700)
    os.chmod(closed / "user", 0o755)
    os.chmod(prefix, 0o755)
    assert outermost(["/a/b", "/a", "/c", "/a"]) == ["/a", "/c"]
    assert expose_plan([str(prefix)]) == [(str(closed), [str(prefix)])]
    os.chmod(prefix, 0o700)
    with pytest.raises(ValueError, match="chmod o\\+rx"):
        expose_plan([str(prefix)])
    assert ("/usr", None) in system_entries()
    assert extra_binds([str(prefix), "/usr/lib", str(prefix / "missing")], ["/usr"]) == [str(prefix)]
