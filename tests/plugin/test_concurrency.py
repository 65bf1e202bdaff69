"""Prefetch depth and the concurrency cap, read from the engine counters (never from wall time)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web
from helpers_runs import run_pytester

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer

# Only a broken engine (one that never reaches the gate's count) waits this long; it then fails the assertions.
GATE_LIMIT = 60.0


class GatedMock(MockServer):
    """The mock, holding every answer until ``opens_at`` requests are in flight at once (then never again), and
    counting the requests in flight from their arrival (held ones included). Reaching the count proves the
    concurrency the tests are about without any timing: a short latency raced the workers' own sending, and a
    worker starved of CPU once peaked at 2 in flight."""

    def __init__(self, answers: dict[str, str], opens_at: int) -> None:
        super().__init__({"answers": answers})
        self.opens_at = opens_at
        self.in_flight = self.max_in_flight = 0
        self.opened_by_count = False
        self._open = asyncio.Event()

    def __enter__(self) -> GatedMock:
        self.start()
        return self

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1  # the handlers share the server's one event loop: no lock needed
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.in_flight >= self.opens_at and not self._open.is_set():
                self.opened_by_count = True
                self._open.set()
            try:
                await asyncio.wait_for(self._open.wait(), GATE_LIMIT)
            except TimeoutError:
                self._open.set()
            return await super()._chat(request)
        finally:
            self.in_flight -= 1


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


@pytest.mark.slow
@pytest.mark.parametrize("dist", [None, "load"])
def test_each_worker_keeps_several_requests_in_flight(pytester: pytest.Pytester, dist: str | None) -> None:
    # 9 in flight at once with at most 6 per worker (the batch size) means every worker had 3 or more. Under
    # --dist load xdist first hands each worker 48 // 2 // 4 = 6 samples, enough for 6 in flight each.
    answers = _suite(pytester, 48)
    with GatedMock(answers, opens_at=9) as server:
        extra = ["--dist", dist] if dist else []
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-batch-size", "6",
                                               "-n", "2", "-p", "no:cacheprovider", *extra)
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert server.opened_by_count, f"never {server.opens_at} requests in flight at once (peak {server.max_in_flight})"
    assert server.max_in_flight <= 12, server.max_in_flight
    counters = _counters(result)
    assert sorted(counters) == ["gw0", "gw1"]
    for worker in counters.values():
        assert 2 < worker["max_in_flight"] <= 6, counters
    # Exactly one request per sample, whatever the scheduling.
    assert stats["requests"] == 48, stats
    assert sum(c["requests"] for c in counters.values()) == 48, counters
    if dist is None:  # no --dist: the plugin picks worksteal (an explicit --dist worksteal schedules the same way)
        result.stdout.fnmatch_lines(["evalindex: scheduling with --dist worksteal*"])
    else:
        assert "scheduling with --dist worksteal" not in result.stdout.str()


@pytest.mark.slow
def test_max_concurrency_caps_all_workers_together(pytester: pytest.Pytester) -> None:
    answers = _suite(pytester, 12)
    # Held until 3 are in flight at once: with a cap of 3 over 2 workers (1 and 2), each worker is at its cap then.
    with GatedMock(answers, opens_at=3) as server:
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-batch-size", "8",
                                               "--eval-max-concurrency", "3", "-n", "2", "-p", "no:cacheprovider")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert server.opened_by_count, f"never 3 requests in flight at once (peak {server.max_in_flight})"
    assert server.max_in_flight == 3 and stats["max_in_flight"] <= 3 and stats["requests"] == 12
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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
