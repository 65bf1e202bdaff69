"""An empty answer is retried like a glitch, then scored as the model's answer (as EvalScope scores it)."""

from __future__ import annotations

import json

import pytest
from helpers_runs import run_pytester

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer


def test_an_answer_empty_on_every_attempt_is_scored_not_errored(pytester: pytest.Pytester) -> None:
    lines = [{"index": i, "prompt": {"input": f"Say w{i}.", "target": f"w{i}"}, "tags": ["en"], "categories": ["c"],
              "task_type": "qa", "weight": 1.0, "dataset_name": "exact", "subset_name": "default"} for i in range(2)]
    (pytester.path / "suite.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    # "Say w1." is answered empty every time; "Say w0." once empty, then right (a glitch).
    script = {"answers": {"Say w0.": {"answer": "w0", "fault": "empty", "times": 1}, "Say w1.": ""}}
    with MockServer(script) as server:
        result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-model", "m",
                                               "--eval-api-url", server.url, "--eval-max-retries", "2",
                                               "-p", "no:cacheprovider")
        stats = server.stats()
    assert stats["requests"] == 2 + 3, stats  # the glitch once more; the empty one 1 + 2 retries
    out = result.stdout.str()
    assert result.ret == 0 and result.parseoutcomes() == {"passed": 1, "incorrect": 1}, out
    reviews = next(output_dir_of(out).glob("reviews/*/*.jsonl")).read_text().splitlines()
    scored = {json.loads(line)["index"]: json.loads(line)["sample_score"]["score"] for line in reviews}
    assert scored[1]["prediction"] == "" and scored[1]["value"] == {"accuracy": 0.0}, scored[1]
    assert scored[0]["prediction"] == "w0" and scored[0]["value"] == {"accuracy": 1.0}
