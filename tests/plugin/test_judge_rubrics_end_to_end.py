"""The rubric-graded judge benchmarks end to end: health_bench, prbench (a multi-turn prompt), one_million_bench and
plawbench against a loopback model and a loopback judge whose verdicts are picked by the rubric text they grade."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers_runs import write_suite

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer

MET, NOT_MET = '{"explanation": "seen", "criteria_met": true}', '{"criteria_met": false}'


def _line(index: int, dataset: str, messages: list[dict[str, str]], metadata: dict[str, Any],
          target: str = "") -> dict[str, Any]:
    return {"index": index, "prompt": {"input": messages, "target": target, "id": index, "metadata": metadata},
            "dataset_name": dataset, "subset_name": "default", "weight": 1.0}


def _health(index: int, question: str, items: list[tuple[str, float, str]]) -> dict[str, Any]:
    prompt = [{"role": "user", "content": question}]
    rubrics = [{"criterion": text, "points": points, "tags": [f"axis:{axis}"]} for text, points, axis in items]
    return _line(index, "health_bench", prompt, {"prompt": prompt, "rubrics": rubrics})


def _prbench(index: int, last: str, weights: dict[str, float]) -> dict[str, Any]:
    turns = [{"role": "user", "content": "PR turn one"}, {"role": "assistant", "content": "PR reply one"},
             {"role": "user", "content": last}]
    rubrics = [{"id": title, "title": title, "weight": weight} for title, weight in weights.items()]
    return _line(index, "prbench", turns, {"rubrics": rubrics})


LINES = [
    _health(0, "HB question one", [("HB-ITEM-ONE", 5, "accuracy"), ("HB-ITEM-TWO", 3, "completeness"),
                                   ("HB-ITEM-BAD", -2, "accuracy")]),
    _health(1, "HB question two", [("HB-ITEM-ONE", 5, "accuracy"), ("HB-GARBLED", 3, "accuracy")]),
    _prbench(2, "PR turn two", {"PR-CRIT-GOOD": 4, "PR-CRIT-PENALTY": -2}),
    _line(3, "one_million_bench", [{"role": "user", "content": "OM task"}], {"question": "OM task"},
          target=json.dumps([{"rubric_number": 1, "rubric_detail": "OM-DETAIL-A", "rubric_weight": 5},
                             {"rubric_number": 2, "rubric_detail": "OM-DETAIL-B", "rubric_weight": 5}])),
    _line(4, "plawbench", [{"role": "user", "content": "PL question"}],
          {"judge_type": "legal_qa", "rubrics": "PL-RUBRIC (+8)", "max_points": 8, "prompt": "PL question"}),
    _prbench(5, "PR turn three", {"PR-CRIT-ONLYBAD": -3}),
]
MODEL = {"model": "mock-model", "default": "generic answer",
         "answers": {"PR turn two": "<think>hidden draft</think>PR final answer", "OM task": "OM answer"}}
JUDGE = {"model": "mock-judge", "default": "no verdict for this prompt", "rules": [
    # prbench's judge sees the whole conversation, the answer without its reasoning block, then the criterion.
    {"contains": "user: PR turn one\nassistant: PR reply one\nuser: PR turn two\nassistant: PR final answer\n\n"
                 "Rubric item:\nPR-CRIT-GOOD", "answer": MET},
    {"contains": "PR-CRIT-PENALTY", "answer": MET},
    {"contains": "PR-CRIT-ONLYBAD", "answer": MET},
    {"contains": "[5] HB-ITEM-ONE", "answer": MET},  # health_bench shows each item as "[points] criterion"
    {"contains": "[3] HB-ITEM-TWO", "answer": NOT_MET},
    {"contains": "[-2] HB-ITEM-BAD", "answer": MET},
    {"contains": "HB-GARBLED", "answer": "criteria met, I think"},
    {"contains": "OM-DETAIL-B", "answer": json.dumps({"results": [
        {"rubric_id": 1, "status": "是", "justification": "a"}, {"rubric_id": 2, "status": "否", "justification": "b"}]})},
    {"contains": "PL-RUBRIC", "answer": '分析……\n{"total_points": 6, "max_points": 8}'},
]}


@pytest.mark.slow
def test_rubric_benchmarks_score_items_points_and_parts(pytester: pytest.Pytester) -> None:
    suite = write_suite(pytester.path / "rubrics.jsonl", LINES)
    with MockServer(MODEL) as model, MockServer(JUDGE) as judge:
        result = pytester.runpytest_subprocess(
            "--eval-collection", str(suite), "--eval-model", "mock-model", "--eval-api-url", model.url,
            "--eval-judge-model", "mock-judge", "--eval-judge-api-url", judge.url,
            "--eval-output-dir", str(pytester.path / "out"), "-p", "no:cacheprovider", "-n", "0")
        judge_stats = judge.stats()
    output = result.stdout.str()
    # One request per rubric item for health_bench (3 + 2) and prbench (2), one per sample for the others; none
    # for the prbench sample whose rubric has no positive weight.
    assert judge_stats["by_status"] == {"200": 9}, output
    path = output_dir_of(output) / "reviews" / "mock-model" / "data_collection_default.jsonl"
    reviews = {line["index"]: line["sample_score"]["score"]
               for line in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    # health_bench: (5 - 2) / 8 overall; the accuracy axis (5 - 2) / 5; completeness 0 / 3.
    assert reviews[0]["value"] == {"overall_score": 0.375, "accuracy": 0.6, "completeness": 0.0}
    assert reviews[0]["metadata"]["rubric_tag_scores"] == {"axis:accuracy": 0.6, "axis:completeness": 0.0}
    assert reviews[0]["status"] == "success"
    # One unusable item verdict excludes the whole sample, with the judge's reply kept.
    assert reviews[1]["status"] == "excluded"
    assert "criteria met, I think" in [a["raw_response"] for a in reviews[1]["metadata"]["judge_attempts"]]
    # prbench: 4 - 2 of a positive 4; normalised (2 + 2) / (4 + 2).
    assert reviews[2]["value"] == pytest.approx({"clipped_score": 0.5, "normalized_score": 4 / 6})
    assert reviews[3]["value"] == {"expert_score": 0.5, "pass_rate": 0.0}
    assert reviews[4]["value"] == {"acc": 0.75}
    # A rubric without positive weight cannot be scored (EvalScope raises too): an error of that sample only,
    # raised before any judge request.
    assert 5 not in reviews or reviews[5]["value"] in (None, {})
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors") == 1, output
    assert "prbench: the sample has no rubric with a positive weight" in output
