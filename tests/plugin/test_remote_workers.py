"""Remote xdist workers: a ``socket=`` gateway to an execnet socket server on loopback (running in its own folder,
the project rsynced into it, as on another machine) beside a ``popen`` one keeps several requests in flight per
worker and writes the files of the ``-n0`` run; the shared limits reach the remote worker over its gateway."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import GENERAL_SUITE, MODEL, general_script, run_pytester

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer

K = 4
# Timings and per-process counters differ between runs; everything else must not.
VARYING = frozenset({"latency", "time", "perf_metrics", "engine_counters"})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _snapshot(run_dir: Path) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for path in sorted(run_dir.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".jsonl"):
            text = path.read_text(encoding="utf-8")
            lines = [json.loads(line) for line in text.splitlines() if line.strip()] if path.suffix == ".jsonl" \
                else json.loads(text)
            files[str(path.relative_to(run_dir))] = _plain(lines)
    return files


@pytest.fixture
def socket_server(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """execnet's own socket server, started as a process in a folder of its own: ``(folder, port)``."""
    folder = tmp_path / "remote-host"
    folder.mkdir()
    server = subprocess.Popen([sys.executable, "-u", "-m", "execnet.script.socketserver", "127.0.0.1:0"], cwd=folder,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # "... Entering Accept loop ('127.0.0.1', PORT)"
        match = re.search(r"\('127\.0\.0\.1', (\d+)\)", line)
        assert match, line
        yield folder, int(match.group(1))
    finally:
        server.kill()
        server.wait(timeout=30)


@pytest.mark.slow
def test_a_socket_gateway_worker_evaluates_like_a_single_process(pytester: pytest.Pytester,
                                                                 socket_server: tuple[Path, int]) -> None:
    remote_folder, port = socket_server
    project = pytester.path
    pytester.makeini("[pytest]\n")  # one rootdir for the controller and the remote copy: the same node ids
    suite = Path(shutil.copy(GENERAL_SUITE, project / "general_index.jsonl"))
    # Paths are absolute: xdist rewrites them into the remote copy; the limits are relayed by the controller.
    common = ("--eval-collection", str(suite), "--eval-model", MODEL, "--eval-batch-size", str(K),
              "--eval-rpm", "6000", "--eval-max-tokens", "1000000", "-p", "no:cacheprovider")
    with MockServer(general_script(latency=0.5)) as server:
        single = run_pytester(pytester, *common, "--eval-api-url", server.url, "-n", "0",
                                        f"--eval-output-dir={project / 'single'}")
        server.reset_stats()
        remote = run_pytester(pytester, *common, "--eval-api-url", server.url, "--dist", "worksteal",
                                        "--tx", "popen", "--tx", f"socket=127.0.0.1:{port}",
                                        "--rsyncdir", str(project), f"--eval-output-dir={project / 'remote'}")
        stats = server.stats()
    assert single.ret == 0, single.stdout.str()
    assert remote.ret == 0, remote.stdout.str()
    remote_dir = output_dir_of(remote.stdout.str())
    assert _snapshot(remote_dir) == _snapshot(output_dir_of(single.stdout.str()))

    # The remote worker (gw1) evaluated its share from its own copy of the project, K requests at a time.
    assert (remote_folder / "pyexecnetcache" / project.name / suite.name).is_file()
    report = json.loads((remote_dir / "reports" / MODEL / "evalindex_report.json").read_text(encoding="utf-8"))
    counters = report["settings"]["engine_counters"]
    assert sorted(counters) == ["gw0", "gw1"], counters
    assert all(c["requests"] > 0 and 3 <= c["max_in_flight"] <= K for c in counters.values()), counters
    assert stats["requests"] == 33 and not stats["duplicate_answers"]
    assert K < stats["max_in_flight"] <= 2 * K, stats["max_in_flight"]  # both workers' requests at once
