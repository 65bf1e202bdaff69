"""--eval-max-requests-per-minute and --eval-tpm pace every xdist worker together (server-side arrival and token
counts), and a 429 then pauses them all; --eval-max-tokens
stops a run within one batch per worker, without a verdict, and a rerun with the cache finishes it without
repeating a request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_runs import GENERAL_SUITE, entries, general_script, run_plugin

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer

K = 2


@pytest.mark.slow
def test_requests_per_minute_is_one_budget_for_all_workers(pytester: pytest.Pytester) -> None:
    with MockServer(general_script()) as server:
        result = run_plugin(pytester, server.url, "-n", "4", "--eval-batch-size", "8", "--eval-rpm", "600")
        arrivals = sorted(server.stats()["arrivals"])
    assert result.ret == 0, result.stdout.str()
    assert len(arrivals) == 33
    # 600 per minute is 10 a second; the budget may be exceeded by at most one second's worth in any second.
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= 20, busiest


# The token limit under -n0, the cost limit (one USD per token: 1e6 USD per million) under -n 2.
BUDGETS = {"0": ("--eval-max-tokens", "400"),
           "2": ("--eval-max-cost", "400", "--eval-price-input", "1000000", "--eval-price-output", "1000000")}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_token_or_cost_budget_stops_the_run_and_the_cache_resumes_it(pytester: pytest.Pytester, workers: str) -> None:
    cache = pytester.path / "cache"
    limit = 400
    with MockServer(general_script()) as server:
        stopped = run_plugin(pytester, server.url, "-n", workers, "--eval-batch-size", str(K), *BUDGETS[workers],
                             "--eval-use-cache", str(cache), "--eval-threshold", "index>=0.1")
        first = server.stats()
        # The rerun is -n0 after either: a -n 2 rerun reading the cache is test_resume's subject.
        resumed = run_plugin(pytester, server.url, "-n", "0", "--eval-use-cache", str(cache),
                             "--eval-threshold", "index>=0.1")
        both = server.stats()
    out = stopped.stdout.str()
    assert stopped.ret == 2, out
    assert "spending limit reached" in out and "evalindex: no verdict" in out and "gate[" not in out
    report = json.loads(next(output_dir_of(out).glob("reports/*/evalindex_report.json")).read_text("utf-8"))
    answered = [s for s in report["samples"] if s["status"] != "error"]
    assert report["incomplete"] is True and 0 < len(answered) < 33
    used = sum(s["usage"]["total_tokens"] for s in answered)
    largest = max(s["usage"]["total_tokens"] for s in answered)
    processes = 1 if workers == "0" else 2
    # Stopped within one batch per process of the limit: only what was in flight when it was reached was sent
    # after it (answers that arrived for items that no longer ran are kept in the cache).
    assert used <= limit + processes * K * largest, (used, largest)
    assert len(answered) <= first["requests"] <= len(answered) + processes * K
    assert first["requests"] == sum(first["answered"].values())

    assert resumed.ret == 0, resumed.stdout.str()
    assert both["requests"] == 33 and not both["duplicate_answers"]  # the rerun sent only what was missing
    # Every answer of the stopped run came from the cache, and so did those that landed after the stop.
    from_cache = 33 - (both["requests"] - first["requests"])
    assert from_cache >= len(answered)
    resumed.stdout.fnmatch_lines([f"*{from_cache} of 33 answers from {cache}*"])


@pytest.mark.slow
def test_tokens_per_minute_is_one_budget_for_all_workers_and_a_429_pauses_them_all(
        pytester: pytest.Pytester) -> None:
    script = general_script()
    faulty = entries(GENERAL_SUITE)[0].openai_messages()[-1]["content"]  # sent first: a 429 asking to wait 3 s
    assert faulty in script["answers"]
    script["answers"][faulty] = {"answer": script["answers"][faulty], "fault": "429", "times": 1, "retry_after": 3}
    tpm = 18_000  # 300 tokens a second; the suite's 33 answers use about 1,200
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "-n", "2", "--eval-batch-size", "8", "--eval-tpm", str(tpm),
                            "--eval-price-input", "2", "--eval-price-output", "10")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    _assert_tokens_and_cost_per_row(output_dir_of(result.stdout.str()), prices=(2.0, 10.0))
    assert stats["requests"] == 34 and stats["by_status"] == {"200": 33, "429": 1}
    # Tokens counted by the server at each answered request's arrival: in any one second, at most one second's
    # worth more than the budget allows.
    tokens = sorted((float(t), int(n)) for t, n in stats["tokens"])
    assert sum(n for _, n in tokens) > 3 * tpm / 60
    busiest = max(sum(n for t, n in tokens if start <= t < start + 1.0) for start, _ in tokens)
    assert busiest <= 2 * tpm / 60, busiest
    # The 429 paused both workers: no request arrived from either in the 3 s it asked for (after 1 s of slack
    # for requests whose slot was taken before it came back).
    [refused] = sorted(set(stats["arrivals"]) - {t for t, _ in tokens})  # the only request not answered
    assert not [t for t in stats["arrivals"] if refused + 1.0 <= t < refused + 3.0]
    assert [t for t in stats["arrivals"] if t >= refused + 3.0]  # and the run went on after the pause


def _assert_tokens_and_cost_per_row(run_dir: Path, prices: tuple[float, float]) -> None:
    """Every dataset row and the index row carry their samples' tokens and what they cost; so does the HTML page."""
    report = json.loads(next(run_dir.glob("reports/*/evalindex_report.json")).read_text("utf-8"))
    by_dataset: dict[str, list[int]] = {}
    for sample in report["samples"]:
        used = by_dataset.setdefault(sample["dataset_name"], [0, 0])
        used[0] += sample["usage"]["input_tokens"]
        used[1] += sample["usage"]["output_tokens"]
    rows = {row["keys"]["dataset_name"]: row for row in report["levels"]["dataset_level"]}
    assert sorted(rows) == sorted(by_dataset)
    for name, (given, got) in by_dataset.items():
        assert rows[name]["tokens"] == {"input": given, "output": got, "total": given + got}, name
        assert rows[name]["cost"] == round((given * prices[0] + got * prices[1]) / 1e6, 6), name
    total_in = sum(u[0] for u in by_dataset.values())
    assert report["index"]["tokens"]["input"] == total_in > 0
    page = (run_dir / "reports" / "report.html").read_text("utf-8")
    assert "<th class=\"n\">cost (USD)</th>" in page and "<th class=\"n\">input tokens</th>" in page
