"""Prefetch depth and the concurrency cap, read from the engine counters (never from wall time)."""

from __future__ import annotations

import json

import pytest
from helpers_runs import run_pytester

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer


def _suite(pytester: pytest.Pytester, n: int) -> dict[str, str]:
    answers = {}
    lines = []
    for i in range(n):
        question = f"Say w{i}."
        answers[question] = f"w{i}"
        lines.append(json.dumps({"index": i, "prompt": {"input": question, "target": f"w{i}"}, "tags": ["en"],
                                 "categories": ["c"], "task_type": "qa", "weight": 1.0, "dataset_name": "exact",
                                 "subset_name": "default"}))
    (pytester.path / "suite.jsonl").write_text("\n".join(lines) + "\n")
    return answers


def _counters(result: pytest.RunResult) -> dict[str, dict[str, int]]:
    report = next(output_dir_of(result.stdout.str()).glob("reports/*/evalindex_report.json"))
    counters: dict[str, dict[str, int]] = json.loads(report.read_text())["settings"]["engine_counters"]
    return counters


@pytest.mark.parametrize("dist", [None, "load", "worksteal"])
def test_each_worker_keeps_several_requests_in_flight(pytester: pytest.Pytester, dist: str | None) -> None:
    answers = _suite(pytester, 48)
    # 0.3 s per answer leaves a starved worker (load ~25 on 2 cores) time to send its next requests before the
    # first ones come back; at 0.1 s a worker once peaked at 2 in flight under load.
    with MockServer({"answers": answers, "latency": 0.3}) as server:
        extra = ["--dist", dist] if dist else []
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-batch-size", "6",
                                               "-n", "2", "-p", "no:cacheprovider", *extra)
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    counters = _counters(result)
    assert sorted(counters) == ["gw0", "gw1"]
    for worker in counters.values():
        assert worker["max_in_flight"] > 2
        assert worker["max_in_flight"] <= 6
    # Exactly one request per sample, whatever the scheduling.
    assert stats["requests"] == 48
    assert sum(c["requests"] for c in counters.values()) == 48
    if dist is None:
        result.stdout.fnmatch_lines(["evalindex: scheduling with --dist worksteal*"])
    else:
        assert "scheduling with --dist worksteal" not in result.stdout.str()


def test_max_concurrency_caps_all_workers_together(pytester: pytest.Pytester) -> None:
    answers = _suite(pytester, 24)
    with MockServer({"answers": answers, "latency": 0.3}) as server:  # long enough for each worker to reach its cap
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-batch-size", "8",
                                               "--eval-max-concurrency", "3", "-n", "2", "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert stats["max_in_flight"] <= 3
    assert sorted(c["max_in_flight"] for c in _counters(result).values()) == [1, 2]


def test_rate_limits_slow_the_sender_instead_of_spending_retries(pytester: pytest.Pytester) -> None:
    answers = _suite(pytester, 12)
    script = {"answers": {q: {"answer": a, "fault": "429", "times": 2} for q, a in answers.items()},
              "latency": 0.02, "retry_after": 0.05}
    with MockServer(script) as server:
        # No retries allowed: every sample still gets answered, because 429 waits do not spend them.
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-batch-size", "6",
                                               "--eval-max-retries", "0", "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert stats["by_status"].get("429") == 24
    counters = _counters(result)["main"]
    assert counters["lowest_limit"] < 6  # the process slowed down


def test_dist_each_is_refused_before_any_request(pytester: pytest.Pytester) -> None:
    answers = _suite(pytester, 4)
    with MockServer({"answers": answers}) as server:
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "-n", "2", "--dist", "each",
                                               "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--dist each runs every sample on every worker" in result.stderr.str()
    assert stats["requests"] == 0


@pytest.mark.parametrize("dist", ["loadfile", "loadscope"])
def test_a_file_per_worker_mode_says_that_one_worker_evaluates(pytester: pytest.Pytester, dist: str) -> None:
    answers = _suite(pytester, 8)
    with MockServer({"answers": answers}) as server:
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "-n", "2", "--dist", dist,
                                               "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"evalindex: --dist {dist} keeps each collection file on one worker, "
                                 "so 1 of 2 workers evaluate; pass --dist load or worksteal to use them all"])
    assert stats["requests"] == 8
    assert len(_counters(result)) == 1  # one worker did all the calls, as the line says


def test_a_cap_below_the_worker_count_is_refused_before_any_request(pytester: pytest.Pytester) -> None:
    answers = _suite(pytester, 4)
    with MockServer({"answers": answers}) as server:
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "-n", "2",
                                               "--eval-max-concurrency", "1", "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ("--eval-max-concurrency 1 is below the 2 xdist workers, and each worker keeps at least one request "
            "in flight; pass -n 1 or a cap >= 2") in result.stderr.str()
    assert stats["requests"] == 0


BUSY_SCORER = '''
import json, os, time
from pytest_evalindex import Score, ScoreInput, scorer

@scorer("busy_exact")
def busy_exact(sample: ScoreInput) -> Score:
    started = time.time()
    while time.time() - started < 0.08:  # pure-Python CPU work, holding the GIL as sympy would
        pass
    with open(os.environ["SCORING_LOG"], "a") as log:
        log.write(json.dumps([started, time.time()]) + "\\n")
    return Score(value=float(sample.completion.strip() == sample.target), extracted=sample.completion.strip())
'''


@pytest.mark.parametrize("workers", ["0", "2"])
def test_cpu_heavy_scoring_does_not_stall_the_requests(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                         workers: str) -> None:
    answers = _suite(pytester, 24)
    suite = pytester.path / "suite.jsonl"
    suite.write_text("".join(json.dumps({**json.loads(line), "scorer": "busy_exact"}) + "\n"
                             for line in suite.read_text().splitlines()))
    pytester.makeconftest(BUSY_SCORER)
    log = pytester.path / "scoring.jsonl"
    monkeypatch.setenv("SCORING_LOG", str(log))
    # Staggered latencies (0.1-0.4 s) spread the responses, so refills are due all through the scoring.
    replies = {question: {"answer": answer, "latency": 0.1 + 0.03 * (i * 7 % 11)}
               for i, (question, answer) in enumerate(answers.items())}
    with MockServer({"answers": replies}) as server:
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-batch-size", "4",
                                               "-n", workers, "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    scoring = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(scoring) == 24 and stats["requests"] == 24
    # Requests keep leaving while the scorers compute: the engine's event loop runs beside them. A loop that
    # only ran between items would send its refills in the gaps between scorings, so almost none would land
    # inside one; measured here on a loaded 2-core machine: 10 of 15 to 17 of 20.
    first_scoring = min(start for start, _ in scoring)
    later = [t for t in stats["arrivals"] if t > first_scoring]
    during = [t for t in later if any(start < t < end for start, end in scoring)]
    assert later and len(during) >= len(later) / 3, (len(during), later, scoring)
