"""mt_bench end to end: the model answers both turns (the second request carries the conversation, at the
category's temperature), the judge rates each turn, and the sample's value is on 0–1 by default and 1–10
under --eval-compat evalscope; a cached rerun asks nobody. The model is a stdlib server that records every
request body; the judge is the built-in mock."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers_runs import run_pytester, write_suite
from plain_openai_server import serve_plain

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer

TURNS = {"writing": ["Write a two-line poem about rain.", "Make every line start with R."],
         "math": ["What is 12 times 13?", "And divided by 4?"]}
BROKEN = {"index": 2, "prompt": {"input": "One turn only.", "target": "", "metadata": {
    "category": "writing", "turns": ["One turn only."]}}, "dataset_name": "mt_bench", "subset_name": "writing",
    "categories": ["chat_index"], "tags": ["chat"], "task_type": "chat", "weight": 1.0}
REFERENCES = {"writing": [], "math": ["156", "39"]}
ANSWERS = {"Write a two-line poem about rain.": "POEM-ONE", "Make every line start with R.": "POEM-TWO",
           "What is 12 times 13?": "MATH-ONE", "And divided by 4?": "MATH-TWO", "One turn only.": "ONLY"}
# Turn-1 prompts show the answer between the answer markers; turn-2 prompts show the conversation.
RULES = [{"contains": "Answer]\nPOEM-ONE\n", "answer": '{"explanation": "vivid", "score": 8}'},
         {"contains": "### Assistant:\nPOEM-TWO", "answer": '{"score": 6}'},
         {"contains": "Answer]\nMATH-ONE\n", "answer": '{"score": 10}'},
         {"contains": "### Assistant:\nMATH-TWO", "answer": "Rating: [[3]]"}]  # no JSON: the sample is excluded


def _line(index: int, category: str) -> dict[str, Any]:
    prompt = {"input": [{"role": "user", "content": TURNS[category][0]}], "target": "", "id": index,
              "metadata": {"category": category, "prompt_id": 81 + index, "turns": TURNS[category],
                           "references": REFERENCES[category]}}
    return {"index": index, "prompt": prompt, "tags": ["chat"], "categories": ["chat_index"], "task_type": "chat",
            "weight": 1.0, "dataset_name": "mt_bench", "subset_name": category}


def _scores(output: str) -> dict[int, dict[str, Any]]:
    path = output_dir_of(output) / "reviews" / "mock-model" / "data_collection_default.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {line["index"]: line["sample_score"]["score"] for line in lines}


def _outcomes(output: str) -> dict[int, tuple[str, float | None]]:
    report = json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text())
    return {s["index"]: (s["status"], s["score"]) for s in report["samples"]}


def test_mt_bench_two_turns_judged_per_turn_on_both_scales_and_cached(pytester: pytest.Pytester) -> None:
    suite = write_suite(pytester.path / "mt.jsonl", [_line(0, "writing"), _line(1, "math"), BROKEN])
    cache = pytester.path / "cache"
    judge_script = {"model": "mock-judge", "rules": RULES, "default": "no rule for this prompt"}
    with serve_plain(ANSWERS) as (url, model), MockServer(judge_script) as judge:
        def run(*extra: str) -> pytest.RunResult:
            return run_pytester(pytester, "--eval-collection", str(suite), "--eval-model", "mock-model",
                                "--eval-api-url", url, "--eval-judge-model", "mock-judge", "--eval-judge-api-url",
                                judge.url, "--eval-use-cache", str(cache), "-p", "no:cacheprovider", "-n0", *extra)

        first = run("--eval-output-dir", str(pytester.path / "default"))
        output = first.stdout.str()
        assert first.ret == 0, output
        # Two requests per sample; the second carries turn 1, the model's answer and turn 2.
        bodies = {tuple(m["content"] for m in body["messages"]): body for body in model.bodies}
        assert len(model.bodies) == 5  # the sample without two turns is asked its one turn
        for category, (one, two) in TURNS.items():
            answer = ANSWERS[one]
            body = bodies[(one, answer, two)]
            assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
            assert (body["temperature"], body["max_tokens"]) == ({"writing": 0.7, "math": 0.0}[category], 1024)
            assert bodies[(one,)]["temperature"] == body["temperature"]
        assert judge.stats()["by_status"] == {"200": 4}
        scores = _scores(output)
        # writing: turns 8 and 6 → judge_score 7 → (7 − 1) / 9 on the 0–1 scale of the other datasets.
        assert scores[0]["value"] == pytest.approx({"judge_score": 6 / 9, "first_turn_judge_score": 7 / 9,
                                                    "second_turn_judge_score": 5 / 9})
        assert scores[0]["metadata"]["unit_scale"]["native"] == {
            "judge_score": 7.0, "first_turn_judge_score": 8.0, "second_turn_judge_score": 6.0}
        # math: turn 2's reply has no JSON object → excluded, not scored 0 (turn 1's 10 is not used alone).
        assert scores[1]["value"] == {} and scores[1]["metadata"]["status"] == "excluded"
        assert "second_turn" in scores[1]["metadata"]["judge_error"]
        # A sample without two turns is excluded with a line naming the field (the judge is not asked).
        assert scores[2]["value"] == {} and "metadata.turns must be a list of exactly two strings" in scores[2][
            "metadata"]["judge_error"]

        assert _outcomes(output) == {0: ("partial", pytest.approx(6 / 9)), 1: ("excluded", None),
                                     2: ("excluded", None)}

        model.bodies.clear()
        judge.reset_stats()
        again = run("--eval-compat", "evalscope", "--eval-output-dir", str(pytester.path / "evalscope"))
        assert again.ret == 0, again.stdout.str()
        assert model.bodies == [] and judge.stats()["requests"] == 0  # both turns and both ratings cached
        scores = _scores(again.stdout.str())
        assert scores[0]["value"] == {"judge_score": 7.0, "first_turn_judge_score": 8.0,
                                      "second_turn_judge_score": 6.0}  # EvalScope's unnormalised 1–10
        assert scores[1]["value"] == {}
        # 7 of 10 is partial on its own scale too (not "correct" for being ≥ 1).
        assert _outcomes(again.stdout.str()) == {0: ("partial", 7.0), 1: ("excluded", None), 2: ("excluded", None)}
    report = json.loads((output_dir_of(again.stdout.str()) / "reports" / "mock-model" / "data_collection.json")
                        .read_text(encoding="utf-8"))
    assert report["judge_summary"]["failures"] == {"parse_error": 1}

