"""Resume: a run killed part-way (SIGKILL of the whole run, Ctrl-C, or one xdist worker) and rerun with
the same ``--eval-use-cache DIR`` only asks the model for samples whose answer was never persisted.

What "no duplicate request" means, honestly: the server counts an answer when it sends it, the plugin
persists it when it arrives. A request in flight at kill time (sent by the server, not yet written by
the plugin) is lost with the process and legitimately asked again. So the assertions are:

* every prompt whose answer is in the cache after the kill gets **zero** requests in the rerun;
* every prompt without a cached answer gets **exactly one** request in the rerun;
* prompts answered by the server but not persisted are at most the requests in flight (workers × K);
* the rerun's report equals the one of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_runs import GENERAL_SUITE, MODEL, detailed_report, entries, general_script

from conftest import default_sigint
from pytest_evalindex.core.hashing import request_fingerprint
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.mock.script import prompt_key
from pytest_evalindex.model.store import AnswerCache

PYTEST = Path(sys.executable).with_name("pytest")
GEN = '{"temperature": 0.0}'
K = 2
WORKERS = 2


def _command(url: str, cache: Path, out: Path, workers: int = WORKERS) -> list[str]:
    return [str(PYTEST), "-p", "no:cacheprovider", "--eval-collection", str(GENERAL_SUITE), "--eval-model", MODEL,
            "--eval-api-url", url, "--eval-use-cache", str(cache), "--eval-batch-size", str(K),
            "--eval-generation-config", GEN, "--eval-output-dir", str(out), "-n", str(workers)]


def _fingerprint_to_prompt(url: str) -> dict[str, str]:
    """The cache key of each sample's request → the mock's per-prompt key of the same request."""
    return {request_fingerprint(MODEL, url, e.openai_messages(), e.prompt.tools, json.loads(GEN)): prompt_key(e.openai_messages())
            for e in entries(GENERAL_SUITE)}


# The limits below only stop a hung run from hanging the suite; they are far above what any run needs, because
# on a loaded machine (load ~25 on 2 cores) starting pytest with two xdist workers alone can take over 30 s.
HANG_LIMIT = 300.0


def _wait_for_answers(server: MockServer, at_least: int, process: subprocess.Popen[bytes],
                      limit: float = HANG_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while sum(server.stats()["answered"].values()) < at_least:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "the server never answered enough"
        time.sleep(0.02)


def _wait_until_idle(server: MockServer, limit: float = HANG_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while server.stats()["in_flight"]:
        assert time.monotonic() < deadline, "the server kept answering a killed run"
        time.sleep(0.02)


def _worker_pids(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children]


def _interrupt(how: str, process: subprocess.Popen[bytes]) -> None:
    if how == "kill -9 run":
        os.killpg(process.pid, signal.SIGKILL)
    elif how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the foreground group
    else:  # one xdist worker
        workers = _worker_pids(process.pid)
        assert workers, "no xdist worker process found"
        os.kill(workers[0], signal.SIGKILL)
    try:
        process.wait(timeout=HANG_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"the run did not end after {how}")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("plain")
    with MockServer(general_script()) as server:  # -n0: the report is the same under -n 2 (test_xdist_equivalence)
        done = subprocess.run(_command(server.url, out / "cache", out / "outputs", workers=0), capture_output=True, text=True,
                              cwd=out, timeout=HANG_LIMIT)
    assert done.returncode == 0, done.stdout[-3000:]
    return detailed_report(done.stdout)


# No plain "kill -9 run": the last case ends with that same SIGKILL of the whole run (after xdist replaced a
# killed worker) and its assertions are the same.
@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "kill -9 one worker", "kill -9 one worker, then the run"])
def test_rerun_asks_only_for_answers_never_persisted(tmp_path: Path, how: str, uninterrupted: dict[str, object]) -> None:
    cache, out = tmp_path / "cache", tmp_path / "outputs"
    # The latency keeps the run going long enough (33 samples, 4 in flight: ~2.5 s) to be interrupted part-way.
    with MockServer(general_script(latency=0.3)) as server:
        keys = _fingerprint_to_prompt(server.url)
        process = subprocess.Popen(_command(server.url, cache, out), cwd=tmp_path, start_new_session=True,
                                   preexec_fn=default_sigint,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if how == "kill -9 one worker, then the run":
            _wait_for_answers(server, 8, process)
            os.kill(_worker_pids(process.pid)[0], signal.SIGKILL)
            _wait_for_answers(server, 16, process)  # xdist replaces the worker and the run goes on
            how = "kill -9 run"
        else:
            _wait_for_answers(server, 14, process)
        _interrupt(how, process)
        _wait_until_idle(server)  # requests of the killed run still being answered belong to it
        first = server.stats()
        stored = AnswerCache(cache, "reader")
        persisted = {keys[fp] for fp in stored.fingerprints()}
        assert stored.counters.skipped_corrupt <= WORKERS  # at most a torn last line per shard

        server.reset_stats()
        rerun = subprocess.run(_command(server.url, cache, out), capture_output=True, text=True, cwd=tmp_path, timeout=HANG_LIMIT)
        second = server.stats()
    assert rerun.returncode == 0, rerun.stdout[-3000:]

    all_prompts = set(keys.values())
    answered_first = set(first["answered"])
    asked_again = set(second["requests_by_prompt"])
    # A killed worker does not end the run (xdist replaces it), so everything may be persisted then.
    assert 10 <= len(persisted) <= len(all_prompts) if how == "kill -9 one worker" else 10 <= len(persisted) < len(all_prompts)
    assert persisted <= answered_first
    assert not persisted & asked_again, "a prompt whose answer was persisted was asked again"
    assert second["requests_by_prompt"] == {p: 1 for p in all_prompts - persisted}, (
        how, {p: n for p, n in second["requests_by_prompt"].items() if n != 1},
        sorted(all_prompts - persisted - asked_again))
    lost_in_flight = answered_first - persisted
    assert len(lost_in_flight) <= WORKERS * K, lost_in_flight
    assert detailed_report(rerun.stdout) == uninterrupted
    print(f"{how}: {len(persisted)} persisted, {len(lost_in_flight)} answered but lost in flight, "
          f"{len(asked_again)} asked in the rerun")
