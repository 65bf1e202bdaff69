"""--eval-repeats K: K answers per sample (one item per sample), averaged per sample, pass@k and flaky samples per
row, the same under -n0 and -n 2; a cache asks only for repeats it lacks; -k still selects samples."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from helpers_runs import MODEL, entries, run_plugin, run_pytester
from scipy.special import comb

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.mock.script import last_user_text

SEED = entries(SEED_SUITE)


def _prompt(index: int) -> str:
    return last_user_text(SEED[index].openai_messages())


def _flaky_script() -> dict[str, Any]:
    """The seed script, with sample 0 answered right, wrong, right and sample 1 wrong, wrong, right (cycled)."""
    script: dict[str, Any] = json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))
    for index, pattern in ((0, (True, False, True)), (1, (False, False, True))):
        right = f"ANSWER: {SEED[index].prompt.target}"
        wrong = "ANSWER: D" if right != "ANSWER: D" else "ANSWER: C"
        script["answers"][_prompt(index)] = {"cycle": [right if ok else wrong for ok in pattern]}
    return script


def _report(output: str) -> dict[str, Any]:
    return dict(json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text()))


def _answers_per_sample(output: str) -> dict[int, tuple[list[float], float]]:
    """From the EvalScope-shaped reviews (one line per answer): group_id → (answer scores in repeat order, weight)."""
    path = output_dir_of(output) / "reviews" / MODEL / "data_collection_default.jsonl"
    groups: dict[int, dict[int, float]] = {}
    weights: dict[int, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        review = json.loads(line)
        score = review["sample_score"]
        assert review["index"] == score["sample_id"]
        groups.setdefault(score["group_id"], {})[score["generation_index"]] = score["score"]["value"]["accuracy"]
        weights[score["group_id"]] = score["sample_metadata"]["collection_info"]["weight"]
    return {g: ([a[r] for r in sorted(a)], weights[g]) for g, a in groups.items()}


def _expected_pass_at_k(answers: dict[int, tuple[list[float], float]], k: int) -> tuple[float, float]:
    """(micro, weighted) pass@k computed directly: 1 - C(n-c, k) / C(n, k) per sample."""
    values = []
    for scores, weight in answers.values():
        n, c = len(scores), sum(1 for s in scores if s == 1.0)
        values.append((1 - comb(n - c, k, exact=True) / comb(n, k, exact=True), weight))
    micro = sum(g for g, _ in values) / len(values)
    weighted = sum(g * w for g, w in values) / sum(w for _, w in values)
    return micro, weighted


def _check_repeats_run(output: str, k: int) -> dict[str, Any]:
    report = _report(output)
    answers = _answers_per_sample(output)
    assert len(answers) == 10 and all(len(scores) == k for scores, _ in answers.values())
    index = report["index"]
    assert index["count"] == 10  # samples, not answers
    for j in range(1, k + 1):
        micro, weighted = _expected_pass_at_k(answers, j)
        assert index["repeats"]["pass@k"][str(j)]["micro"] == pytest.approx(micro, abs=5e-5)
        assert index["repeats"]["pass@k"][str(j)]["weighted"] == pytest.approx(weighted, abs=5e-5)
    # pass@1 is the per-sample mean: the row's own average
    assert index["repeats"]["pass@k"]["1"]["weighted"] == index["weighted"]
    flaky = [g for g, (scores, _) in answers.items() if 0 < sum(scores) < len(scores)]
    assert index["repeats"]["stability"]["flaky"] == len(flaky) == 2
    by_node = {s["node_id"].split("::")[1]: s for s in report["samples"]}
    first = by_node["arc/ARC-Challenge/0"]
    assert first["status"] == "partial" and len(first["repeats"]) == k
    assert first["score"] == pytest.approx(sum(s["score"] for s in first["repeats"]) / k)
    assert "arc/ARC-Challenge/0 (" in output and "evalindex flaky samples:" in output
    assert f"pass@{k}" in output and "repeats Report" in output
    return report


@pytest.mark.slow
def test_repeats_flaky_pass_at_k_xdist_cache_and_selection(pytester: pytest.Pytester, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    markdown = tmp_path / "summary.md"
    with MockServer(_flaky_script()) as server:
        # -n0: every prompt asked exactly 3 times
        first = run_plugin(pytester, server.url, "-n", "0", "--eval-repeats", "3", "--eval-use-cache", str(cache),
                           "--eval-markdown", str(markdown), suite=SEED_SUITE)
        assert first.ret == 0, first.stdout.str()
        assert sorted(server.stats()["requests_by_prompt"].values()) == [3] * 10
        report_n0 = _check_repeats_run(first.stdout.str(), 3)
        assert "## Repeats" in markdown.read_text() and "flaky" in markdown.read_text()
        # resume with 5 repeats after 3 under -n 2 (work stealing): only repeats 3 and 4 are asked, each exactly
        # once (no repeat asked twice by the two workers)
        server.reset_stats()
        more = run_plugin(pytester, server.url, "-n", "2", "--eval-repeats", "5", "--eval-use-cache", str(cache),
                          suite=SEED_SUITE)
        assert more.ret == 0, more.stdout.str()
        assert sorted(server.stats()["requests_by_prompt"].values()) == [2] * 10
        assert f"30 of 50 answers from {cache}" in more.stdout.str()
        report_n2 = _check_repeats_run(more.stdout.str(), 5)
        # -n0 over the same 50 answers (all cached now) writes the same report as -n 2
        server.reset_stats()
        again = run_plugin(pytester, server.url, "-n", "0", "--eval-repeats", "5", "--eval-use-cache", str(cache),
                           suite=SEED_SUITE)
        assert again.ret == 0 and server.stats()["requests"] == 0, again.stdout.str()
        report_again = _check_repeats_run(again.stdout.str(), 5)
        assert report_n2["levels"] == report_again["levels"] and report_n2["index"] == report_again["index"]
        # -k selects samples (node ids do not carry the repeat); the cache answers every repeat
        server.reset_stats()
        some = run_plugin(pytester, server.url, "-n", "0", "--eval-repeats", "5", "--eval-use-cache", str(cache),
                          "-k", "ARC-Challenge", "--eval-allow-partial", suite=SEED_SUITE)
        assert some.ret == 0, some.stdout.str()
        assert server.stats()["requests"] == 0
        selected = _report(some.stdout.str())
        assert {s["node_id"].split("::")[1] for s in selected["samples"]} == {
            f"arc/ARC-Challenge/{e.index}" for e in SEED if e.subset_name == "ARC-Challenge"}
        assert "5 deselected" in some.stdout.str().splitlines()[-1] and len(selected["samples"]) == 5
        # recorded predictions of a repeats run serve each repeat its own answer, without a request
        replay = run_plugin(pytester, server.url, "-n", "0", "--eval-repeats", "3",
                            "--eval-predictions", str(output_dir_of(first.stdout.str())), suite=SEED_SUITE)
        assert replay.ret == 0, replay.stdout.str()
        assert server.stats()["requests"] == 0
        assert _report(replay.stdout.str())["index"] == report_n0["index"]
    bad = run_pytester(pytester, "--eval-collection", str(SEED_SUITE), "--eval-repeats", "0")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert "--eval-repeats (ini eval_repeats): must be >= 1 (got 0)" in bad.stderr.str()


# -- a loopback server that answers by the request's seed, to see the seed sent per repeat -----------------------

@contextmanager
def _seed_server(latency: float) -> Iterator[tuple[str, dict[str, Any]]]:
    """Answers a seed's parity: even seeds right (the line's target), odd seeds wrong; records seeds and the peak
    number of requests in flight."""
    targets = {_prompt(e.index): str(e.prompt.target) for e in SEED}
    seen: dict[str, Any] = {"seeds": {}, "in_flight": 0, "peak": 0}

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        prompt = last_user_text(body["messages"])
        seen["seeds"].setdefault(prompt, []).append(body.get("seed"))
        seen["in_flight"] += 1
        seen["peak"] = max(seen["peak"], seen["in_flight"])
        await asyncio.sleep(latency)
        seen["in_flight"] -= 1
        seed = body.get("seed")
        target = targets[prompt]
        letter = target if isinstance(seed, int) and seed % 2 == 0 else ("A" if target != "A" else "B")
        return web.json_response({
            "id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": f"ANSWER: {letter}"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}})

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/v1", seen
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


@pytest.mark.slow
def test_repeats_are_concurrent_and_send_seed_plus_repeat(pytester: pytest.Pytester) -> None:
    with _seed_server(latency=1.0) as (url, seen):
        result = run_plugin(pytester, url, "-n", "0", "--eval-limit", "2", "--eval-repeats", "3",
                            "--eval-batch-size", "6", "--eval-generation-config", '{"temperature": 0.7, "seed": 10}',
                            suite=SEED_SUITE)
    output = result.stdout.str()
    assert result.ret == 0, output
    assert {p: sorted(s) for p, s in seen["seeds"].items()} == {_prompt(0): [10, 11, 12], _prompt(1): [10, 11, 12]}
    # two samples' repeats side by side: more than one request per sample was in flight at once
    assert seen["peak"] > 2
    report = _report(output)
    assert [s["score"] for s in report["samples"]] == [pytest.approx(2 / 3)] * 2
    assert [[a["status"] for a in s["repeats"]] for s in report["samples"]] == [["correct", "incorrect", "correct"]] * 2
    assert report["index"]["repeats"]["stability"] == {"stable-correct": 0, "flaky": 2, "stable-wrong": 0}


@pytest.mark.slow
def test_each_answer_of_a_code_sample_runs_its_own_program(pytester: pytest.Pytester) -> None:
    right = "```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```"
    wrong = "```python\ndef add(a: int, b: int) -> int:\n    return a - b\n```"
    metadata = {"task_id": "toy/0", "prompt": 'def add(a: int, b: int) -> int:\n    """Sum."""\n',
                "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n", "entry_point": "add"}
    lines = [{"index": i, "prompt": {"input": f"Task {i}", "target": "", "metadata": metadata}, "tags": ["code"],
              "categories": ["code_index"], "task_type": "code", "weight": 1.0, "dataset_name": "humaneval",
              "subset_name": "default"} for i in range(2)]
    (pytester.path / "code.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    script = {"answers": {"Task 0": right, "Task 1": {"cycle": [right, wrong]}}}
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "--eval-code-exec", "bwrap", "--eval-repeats", "2",
                            suite=pytester.path / "code.jsonl")
    out = result.stdout.str()
    assert result.ret == 0, out
    assert "4 programs in bwrap" in out
    report = _report(out)
    assert [s["score"] for s in report["samples"]] == [1.0, 0.5]
    assert sorted(a["status"] for a in report["samples"][1]["repeats"]) == ["correct", "incorrect"]
    assert report["index"]["repeats"]["pass@k"]["2"]["micro"] == 1.0
    assert report["index"]["repeats"]["pass@k"]["1"]["micro"] == 0.75
