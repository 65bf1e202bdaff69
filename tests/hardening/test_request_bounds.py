"""Every request is bounded in time (wall clock), in rate-limit waiting and in memory, against a hostile server."""

from __future__ import annotations

import json
import resource

import pytest
from hardening.hostile_runs import error_lines, hostile_suite, outputs_json, run_hostile
from hardening.hostile_server import HostileServer, gzip_bomb


@pytest.mark.slow
@pytest.mark.parametrize("stream", [False, True])
def test_a_trickling_server_is_cut_at_the_timeout(pytester: pytest.Pytester, stream: bool) -> None:
    case = "trickle_stream" if stream else "trickle"
    suite = hostile_suite(pytester.path / "s.jsonl", [case, "ok"])
    generation = json.dumps({"temperature": 0.0, "stream": stream})
    with HostileServer() as server:
        # One byte (or chunk) every half second would take a minute; each read is well within the timeout
        # (3 s, not 1: on a loaded machine a retry must still reach the server before it runs out).
        result = run_hostile(pytester, server.url, suite, "--eval-timeout", "3", "--eval-max-retries", "1",
                             "--eval-generation-config", generation)
    assert result.ret == 1, result.stdout.str()
    assert error_lines(result) == ["request timed out: no complete answer within --eval-timeout 3 s (wall clock, "
                                   "from sending to the last byte) (after 2 attempts)"]
    assert server.count(case) == 2 and server.count("ok") == 1
    assert result.parseoutcomes()["passed"] == 1
    result.stdout.fnmatch_lines(["evalindex: * 3 requests, *; 2 requests cut at --eval-timeout"])
    outputs_json(pytester.path)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_retry_after_is_honoured_capped_and_counted(pytester: pytest.Pytester, workers: str) -> None:
    suite = hostile_suite(pytester.path / "s.jsonl", ["retry_after_huge", "retry_after_small", "ok"])
    with HostileServer(rate_limit_times=2) as server:
        result = run_hostile(pytester, server.url, suite, "-n", workers, "--eval-max-retries", "3")
    assert result.ret == 1, result.stdout.str()
    # Retry-After: 1000000000 is not waited for (nor retried): one request, one line saying why.
    assert server.count("retry_after_huge") == 1
    assert error_lines(result) == ["HTTP 429 from the model server: slow down (the server asked to retry after "
                                   "1000000000 s, more than the 60 s a request waits)"]
    # Two short Retry-After waits, then the answer; the summary counts the waits across processes.
    assert server.count("retry_after_small") == 3
    assert result.parseoutcomes()["passed"] == 2
    result.stdout.fnmatch_lines(["evalindex: * 5 requests, *; 2 rate-limit waits (0.1 s, Retry-After honoured)"])


@pytest.mark.slow
def test_bodies_are_capped_in_memory_with_one_clear_line(pytester: pytest.Pytester) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 1_100_000 and len(bomb) * 1000 > 1 << 30 - 1  # ~1 MB inflating to 1 GiB
    suite = hostile_suite(pytester.path / "s.jsonl", ["gzip_bomb", "endless", "gzip_ok"])
    with HostileServer() as server:
        result = run_hostile(pytester, server.url, suite, "--eval-max-retries", "2", "--eval-timeout", "60")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far (Linux: KiB)
    assert result.ret == 1, result.stdout.str()
    assert sorted(error_lines(result)) == [
        "the model server's response exceeded 32 MiB once decompressed; it was cut off",
        "the model server's response exceeded 32 MiB; it was cut off"]
    # Not retried: the same server would send the same body again.
    assert server.count("gzip_bomb") == 1 and server.count("endless") == 1
    assert result.parseoutcomes()["passed"] == 1  # a well-formed gzip answer is read as usual
    assert peak_kib < 600 * 1024, f"a child process peaked at {peak_kib // 1024} MiB"
    outputs_json(pytester.path)
