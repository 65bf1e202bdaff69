"""The LLM judge end to end: EvalScope's rag_index shape (chinese_simpleqa, aa_lcr, ifeval) against two loopback
servers, one for the model and one for the judge, each requiring its own key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import run_pytester, write_suite
from test_xdist_equivalence import _snapshot

from conftest import EXAMPLES, output_dir_of
from pytest_evalindex.model.mock import MockServer

SUITE = EXAMPLES / "rag_index.jsonl"
DEMO = json.loads((EXAMPLES / "rag_index.mock.json").read_text(encoding="utf-8"))
MODEL_KEY, JUDGE_KEY = "sk-MODEL-5ecret-0101", "sk-JUDGE-5ecret-0202"
# The model's answers by prompt; the judge's verdicts by a substring of the judge prompt (the answer judged).
MODEL_SCRIPT = {"model": "mock-model", "answers": DEMO["answers"], "api_key": MODEL_KEY}
JUDGE_SCRIPT = {"model": "mock-judge", "rules": DEMO["rules"], "api_key": JUDGE_KEY,
                "default": "no verdict for this prompt"}
# What the scripted verdicts mean: chinese_simpleqa A, B, C and one reply with no JSON object (excluded);
# aa_lcr CORRECT, INCORRECT, CORRECT in a fenced object with an extra key; ifeval by its own checks.
EXPECTED = {0: (1.0, "success"), 1: (0.0, "success"), 2: (0.0, "success"), 3: (None, "excluded"),
            4: (1.0, "success"), 5: (0.0, "success"), 6: (1.0, "success"),
            7: (1.0, "success"), 8: (0.0, "success"), 9: (1.0, "success")}


def _run(pytester: pytest.Pytester, model: MockServer, judge_url: str, *extra: str) -> pytest.RunResult:
    return run_pytester(pytester,
        "--eval-collection", str(SUITE), "--eval-model", "mock-model", "--eval-api-url", model.url,
        "--eval-api-key", MODEL_KEY, "--eval-judge-model", "mock-judge", "--eval-judge-api-url", judge_url,
        "--eval-judge-api-key", JUDGE_KEY, "--eval-batch-size", "3", "--eval-judge-batch-size", "2",
        "-p", "no:cacheprovider", "-rA", *extra)


def _reviews(output: str) -> dict[int, dict[str, Any]]:
    path = output_dir_of(output) / "reviews" / "mock-model" / "data_collection_default.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {line["index"]: line["sample_score"]["score"] for line in lines}


def _comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A run's files without what differs run to run (ports, timings, counters, whether answers were cached)."""
    return {name: _without(content, {"judge", "cached"}) for name, content in snapshot.items()
            if not name.startswith("logs/")}


def _without(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value


def _leaks(root: Path, texts: list[str]) -> list[str]:
    found = [f"output: {key}" for text in texts for key in (MODEL_KEY, JUDGE_KEY) if key in text]
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path}: {key}" for key in (MODEL_KEY, JUDGE_KEY) if key in text]
    return found


@pytest.mark.slow
def test_rag_index_with_a_judge_xdist_identical_cached_rerun_asks_nobody(pytester: pytest.Pytester) -> None:
    with MockServer(MODEL_SCRIPT) as model, MockServer(JUDGE_SCRIPT) as judge:
        runs = {}
        for mode in ("0", "2"):
            cache = pytester.path / f"cache-{mode}"
            result = _run(pytester, model, judge.url, "-n", mode, "--eval-use-cache", str(cache),
                          "--eval-output-dir", str(pytester.path / f"out-{mode}"))
            output = result.stdout.str()
            assert result.ret == 0, output
            model_stats, judge_stats = model.stats(), judge.stats()
            # Each run: one request per sample to the model, one per judged sample (4 + 3) to the judge, all
            # authenticated with their own key (a wrong key is a 401), none sent twice.
            assert model_stats["by_status"] == {"200": 10} and judge_stats["by_status"] == {"200": 7}, mode
            assert model_stats["duplicate_answers"] == [] and judge_stats["duplicate_answers"] == []
            assert "; 7 judge requests" in output
            reviews = _reviews(output)
            assert {i: (next(iter(s["value"].values())) if s["value"] else None, s["status"])
                    for i, s in reviews.items()} == EXPECTED
            # The judge's reasoning and raw reply are kept; the unusable reply is listed with the reason.
            assert reviews[1]["explanation"].startswith("judge: verdict=B") and "矛盾" in reviews[1]["explanation"]
            attempt = reviews[3]["metadata"]["judge_attempts"][0]
            assert attempt["status"] == "parse_error" and attempt["raw_response"] == "判定：正确"
            assert reviews[6]["metadata"]["judge_attempts"][0]["parsed_value"]["confidence"] == 0.9
            # EvalScope's judge summaries: per judged review (none for ifeval), and the run's over the 7 judged.
            assert reviews[0]["judge_summary"]["judge_models"] == ["mock-judge"] and reviews[7]["judge_summary"] is None
            assert (reviews[3]["judge_summary"]["failures"], reviews[3]["judge_summary"]["coverage"]) == (
                {"parse_error": 1}, 0.0)
            report = json.loads((output_dir_of(output) / "reports" / "mock-model" / "data_collection.json")
                                .read_text(encoding="utf-8"))
            summary = report["judge_summary"]
            assert (summary["status"], summary["scored"], summary["total"], summary["failures"]) == (
                "degraded", 6, 7, {"parse_error": 1})
            assert "judge mock-judge at" in output and "strategy auto" in output
            assert _leaks(pytester.path, [output, result.stderr.str()]) == []
            runs[mode] = _comparable(_snapshot(output_dir_of(output)))
            model.reset_stats()
            judge.reset_stats()
        assert runs["2"] == runs["0"]

        # A rerun with the cache (re-scoring the cached answers) asks neither the model nor the judge, and scores
        # the same.
        result = _run(pytester, model, judge.url, "-n", "2", "--eval-use-cache", str(pytester.path / "cache-0"),
                      "--eval-rerun-review", "--eval-output-dir", str(pytester.path / "out-again"))
        assert result.ret == 0, result.stdout.str()
        assert model.stats()["requests"] == 0 and judge.stats()["requests"] == 0
        assert "; 0 judge requests" in result.stdout.str()
        again = _comparable(_snapshot(output_dir_of(result.stdout.str())))
        assert {k for k in again if again[k] != runs["0"].get(k)} == set()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["0", "2"])
def test_judged_samples_without_a_judge_are_a_usage_error_before_any_request(pytester: pytest.Pytester,
                                                                             mode: str) -> None:
    with MockServer(MODEL_SCRIPT) as model:
        no_judge = run_pytester(pytester,
            "--eval-collection", str(SUITE), "--eval-model", "mock-model", "--eval-api-url", model.url,
            "--eval-api-key", MODEL_KEY, "-p", "no:cacheprovider", "-n", mode)
        rule = run_pytester(pytester,
            "--eval-collection", str(SUITE), "--eval-model", "mock-model", "--eval-api-url", model.url,
            "--eval-api-key", MODEL_KEY, "-p", "no:cacheprovider", "-n", mode,
            "--eval-judge-model", "mock-judge", "--eval-judge-strategy", "rule")
        assert model.stats()["requests"] == 0
    assert no_judge.ret == rule.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in no_judge.stderr.str().splitlines() if line.startswith("ERROR")]
    assert errors == ["ERROR: --eval-judge-model (ini eval_judge_model) is required: aa_lcr, chinese_simpleqa are "
                      "scored by an LLM judge under --eval-judge-strategy auto; pass --eval-judge-model NAME (and "
                      "--eval-judge-api-url URL if the judge is not served at --eval-api-url)"]
    assert [line for line in rule.stderr.str().splitlines() if line.startswith("ERROR")] == [
        "ERROR: --eval-judge-strategy (ini eval_judge_strategy): 'rule' cannot score aa_lcr, chinese_simpleqa: only "
        "an LLM judge scores them; use auto or llm with --eval-judge-model NAME"]


@pytest.mark.slow
def test_a_failing_judge_is_an_error_and_a_judge_that_is_down_stops_the_run(pytester: pytest.Pytester,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_JUDGE_KEY", JUDGE_KEY)  # the judge's key from the environment this time
    lines = [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines()][:5]
    suite = write_suite(pytester.path / "small.jsonl", lines)
    failing = dict(JUDGE_SCRIPT, rules=[{"contains": "戈壁", "answer": "x", "fault": "500"}, *DEMO["rules"]])
    with MockServer(MODEL_SCRIPT) as model, MockServer(failing) as judge:
        result = run_pytester(pytester,
            "--eval-collection", str(suite), "--eval-model", "mock-model", "--eval-api-url", model.url,
            "--eval-api-key", MODEL_KEY, "--eval-judge-model", "mock-judge", "--eval-judge-api-url", judge.url,
            "--eval-judge-api-key-env", "MY_JUDGE_KEY", "--eval-max-retries", "1", "--eval-max-error-rate", "0.5",
            "--eval-strict", "--eval-output-dir", str(pytester.path / "out"), "-p", "no:cacheprovider", "-n", "0")
        judge_stats = judge.stats()
    output = result.stdout.str()
    assert _leaks(pytester.path, [output, result.stderr.str()]) == []
    # The 500 is retried once, then the sample is an error (within the budget), the others are judged; under
    # --eval-strict the incorrect one fails with the judge's verdict and reasoning in its failure text.
    assert judge_stats["by_status"] == {"200": 4, "500": 2}
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors") == 1 and outcomes.get("failed") == 1, outcomes
    assert "judge call failed: judge mock-judge:" in output
    assert "judge    judge: verdict=C | 没有给出答案" in output

    with MockServer(MODEL_SCRIPT) as model:
        down = run_pytester(pytester,
            "--eval-collection", str(suite), "--eval-model", "mock-model", "--eval-api-url", model.url,
            "--eval-api-key", MODEL_KEY, "--eval-judge-model", "mock-judge",
            "--eval-judge-api-url", "http://127.0.0.1:9/v1", "--eval-judge-api-key", JUDGE_KEY,
            "--eval-max-retries", "0", "-p", "no:cacheprovider", "-n", "0")
    text = down.stdout.str()
    assert down.ret != 0
    assert "stopping: judge mock-judge:" in text
    assert JUDGE_KEY not in text + down.stderr.str()


@pytest.mark.slow
def test_judge_calls_overlap_each_other_and_the_model_requests(pytester: pytest.Pytester) -> None:
    """A sample's judge call starts when its answer arrives: judge requests are in flight together, and the
    first ones reach the judge before the model has been sent its last request (a pipeline, not a second pass)."""
    template = json.loads(SUITE.read_text(encoding="utf-8").splitlines()[0])
    lines, answers = [], {}
    for i in range(16):
        content = f"请回答问题：\n\n第{i}个问题的答案是什么？"
        line = json.loads(json.dumps(template))
        line["index"], line["prompt"]["input"][0]["content"] = i, content
        lines.append(line)
        answers[content] = f"回答{i}号"
    suite = write_suite(pytester.path / "pipeline.jsonl", lines)
    rules = [{"contains": "回答", "answer": '{"verdict": "A"}'}]
    with MockServer({"model": "mock-model", "answers": answers, "latency": 0.3}) as model, \
            MockServer({"model": "mock-judge", "rules": rules, "latency": 0.3}) as judge:
        result = run_pytester(pytester,
            "--eval-collection", str(suite), "--eval-model", "mock-model", "--eval-api-url", model.url,
            "--eval-judge-model", "mock-judge", "--eval-judge-api-url", judge.url, "--eval-batch-size", "4",
            "--eval-judge-batch-size", "4", "-p", "no:cacheprovider", "-n", "0")
        model_stats, judge_stats = model.stats(), judge.stats()
    assert result.ret == 0, result.stdout.str()
    assert model_stats["requests"] == judge_stats["requests"] == 16
    assert model_stats["max_in_flight"] == 4 and 2 <= judge_stats["max_in_flight"] <= 4
    last_model_request = max(model_stats["arrivals"])
    assert sum(t < last_model_request for t in judge_stats["arrivals"]) >= 4
