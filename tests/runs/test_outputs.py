"""The output folder: EvalScope's tree and line shapes, our report, determinism, no secrets."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from helpers_results import make_result, seed_results

from pytest_evalindex.core.results import SampleResult, Usage
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.tables import render_tables
from pytest_evalindex.runs.reader import load_baseline, read_results
from pytest_evalindex.runs.writer import make_run_dir, model_id, write_outputs

MODEL = "org/oracle-model"
MID = "oracle-model"


def entry_for(result: SampleResult) -> Entry:
    return Entry.model_validate({
        "index": result.index,
        "prompt": {"input": [{"role": "system", "content": "Be brief."},
                             {"id": "76edd7a5", "role": "user", "content": f"Question {result.index}? 请回答"}],
                   "choices": ["a", "b", "c", "d"], "target": "A", "metadata": {"id": f"q{result.index}"}},
        "tags": result.tags, "categories": result.categories, "task_type": result.task_type,
        "weight": result.weight if result.weight > 0 else 1.0, "dataset_name": result.dataset_name,
        "subset_name": result.subset_name,
    })


def finished(results: list[SampleResult]) -> list[SampleResult]:
    for r in results:
        if r.status != "error":
            r.completion = f"Reasoning...\nANSWER: {'A' if r.score else 'B'}"
            r.extracted = "A" if r.score else "B"
            r.finish_reason = "stop"
            r.usage = Usage(input_tokens=12, output_tokens=5, total_tokens=17)
            r.latency = 0.25
    return results


def write(base: Path, results: list[SampleResult], *, compat: bool = False,
          settings: dict[str, Any] | None = None, log_text: str | None = None) -> Path:
    report = aggregate(results, compat=compat)
    run_dir = make_run_dir(base, datetime(2026, 8, 1, 12, 0, 0))
    write_outputs(run_dir, report=report, results=results, entries={r.node_id: entry_for(r) for r in results},
                  settings=settings or {"model": MODEL, "api_url": "http://127.0.0.1:8000/v1", "compat": compat},
                  log_text=render_tables(report) if log_text is None else log_text)
    return run_dir


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_dir_naming_and_collisions(tmp_path: Path) -> None:
    now = datetime(2026, 8, 1, 9, 5, 7)
    first = make_run_dir(tmp_path / "outputs", now)
    second = make_run_dir(tmp_path / "outputs", now)
    third = make_run_dir(tmp_path / "outputs", now)
    assert [p.name for p in (first, second, third)] == ["20260801_090507", "20260801_090507_1", "20260801_090507_2"]
    assert sorted(p.name for p in first.iterdir()) == ["configs", "logs", "predictions", "reports", "reviews"]


def test_model_id_is_evalscope_safe_filename() -> None:
    assert model_id("Qwen/Qwen3-8B") == "Qwen3-8B"
    assert model_id("/models/qwen2.5-7b-instruct/") == "qwen2.5-7b-instruct"
    assert model_id("café model: v2!!") == "cafe_model_v2"
    assert model_id("__.hidden.__") == "hidden"
    assert model_id("模型") == "model"


def test_tree_and_file_names(tmp_path: Path) -> None:
    run_dir = write(tmp_path, finished(seed_results()))
    files = sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file())
    assert files == [
        "configs/task_config.yaml",
        "logs/eval_log.log",
        f"predictions/{MID}/data_collection_default.jsonl",
        f"reports/{MID}/collection_detailed_report.json",
        f"reports/{MID}/data_collection.json",
        f"reports/{MID}/evalindex_report.json",
        f"reviews/{MID}/data_collection_default.jsonl",
    ]
    assert "task_level Report:" in (run_dir / "logs/eval_log.log").read_text(encoding="utf-8")
    config = yaml.safe_load((run_dir / "configs/task_config.yaml").read_text(encoding="utf-8"))
    assert config["model"] == MODEL and config["model_id"] == MID and config["datasets"] == ["data_collection"]


def test_prediction_and_review_lines(tmp_path: Path) -> None:
    results = finished(seed_results())
    results.append(make_result(10, "arc", "ARC-Easy", None, tags=["en"]))  # excluded
    results.append(make_result(11, "arc", "ARC-Easy", None, tags=["en"], status="error", error="HTTP 500"))
    finished(results[10:11])
    random.Random(1).shuffle(results)  # completion order
    run_dir = write(tmp_path, results)
    preds = read_jsonl(run_dir / f"predictions/{MID}/data_collection_default.jsonl")
    reviews = read_jsonl(run_dir / f"reviews/{MID}/data_collection_default.jsonl")
    assert [p["index"] for p in preds] == list(range(11)) == [r["index"] for r in reviews]  # error: no line
    first = preds[0]
    assert list(first) == ["index", "model", "model_output", "messages", "agent_trace", "metadata"]
    assert first["model"] == MODEL
    answer = first["model_output"]["choices"][0]
    assert answer["stop_reason"] == "stop"
    assert answer["message"]["role"] == "assistant" and answer["message"]["source"] == "generate"
    assert answer["message"]["content"] == "Reasoning...\nANSWER: A"
    assert answer["message"]["perf_metrics"] == first["model_output"]["perf_metrics"]
    assert answer["message"]["perf_metrics"]["latency"] == 0.25
    assert first["model_output"]["usage"]["total_tokens"] == 17
    assert first["model_output"]["usage"]["reasoning_tokens"] == 0  # EvalScope 1.14.1 writes 0, not null
    roles = [m["role"] for m in first["messages"]]
    assert roles == ["system", "user", "assistant"]
    assert first["messages"][1]["id"] == "76edd7a5" and len(first["messages"][0]["id"]) == 8
    assert first["metadata"] == {"id": "q0", "collection_info": {
        "index": 0, "tags": ["en"], "categories": ["reasoning_index"], "task_type": "reasoning",
        "weight": 0.4 / 9, "dataset_name": "arc", "subset_name": "ARC-Challenge"}}
    raw = (run_dir / f"predictions/{MID}/data_collection_default.jsonl").read_text(encoding="utf-8")
    assert "请回答" in raw and '{"index": 0, "model": ' in raw  # jsonlines conventions

    ok = reviews[0]
    assert ok["target"] == ["A"]  # always a list in EvalScope's reviews
    score = ok["sample_score"]["score"]
    assert score["value"] == {"accuracy": 1.0} and score["status"] == "success"
    assert score["main_score_name"] == "accuracy" and score["metadata"] == {}
    assert score["extracted_prediction"] == "A" and score["prediction"] == "Reasoning...\nANSWER: A"
    assert ok["sample_score"]["sample_metadata"]["collection_info"]["subset_name"] == "ARC-Challenge"
    assert ok["sample_score"]["sample_id"] == 0
    excluded = reviews[10]["sample_score"]["score"]
    assert excluded["value"] == {} and excluded["status"] == "excluded"


def test_collection_report_seed_matches_spec(tmp_path: Path) -> None:
    for compat in (True, False):
        run_dir = write(tmp_path / str(compat), finished(seed_results()), compat=compat)
        data = json.loads((run_dir / f"reports/{MID}/data_collection.json").read_text(encoding="utf-8"))
        assert data["schema_version"] == 2 and data["name"] == data["dataset_name"] == "data_collection"
        assert data["model_name"] == MODEL and data["num"] == 10
        (metric,) = data["metrics"]
        assert metric["identity"] == {"name": "accuracy", "aggregation": "mean", "dimensions": {}}
        assert (metric["num"], metric["score"], metric["macro_score"]) == (10, 0.8, 0.8)
        assert metric["categories"] == [{
            "name": ["reasoning_index"], "num": 10, "score": 0.8, "macro_score": 0.6,
            "subsets": [{"name": "arc/ARC-Challenge", "score": 0.8, "num": 5, "metadata": None, "is_aggregate": False},
                        {"name": "arc/ARC-Easy", "score": 1.0, "num": 4, "metadata": None, "is_aggregate": False},
                        {"name": "ceval/logic", "score": 0.0, "num": 1, "metadata": None, "is_aggregate": False}]}]
        assert data["execution_summary"]["requested"] == 10
        # one scored metric: EvalScope 1.14.1 names it the primary metric
        assert data["primary_metric_identity"] == {"name": "accuracy", "aggregation": "mean", "dimensions": {}}
        assert data["primary_metric_unavailable_reason"] is None
        keys = list(data)
        assert keys[keys.index("primary_metric_identity") + 1] == "primary_metric_unavailable_reason"


def nested(results_spec: list[tuple[list[str], str, str, float, str]]) -> list[SampleResult]:
    return finished([make_result(i, d, s, score, categories=cats, metric=metric)
                     for i, (cats, d, s, score, metric) in enumerate(results_spec)])


def test_collection_report_nested_and_mixed_metrics(tmp_path: Path) -> None:
    results = nested([
        (["math_index", "math"], "aime25", "default", 1.0, "acc"),
        (["math_index", "math"], "gsm8k", "main", 0.0, "accuracy"),
        (["math_index", "reasoning"], "arc", "ARC-Easy", 1.0, "accuracy"),
        (["math_index", "reasoning"], "arc", "ARC-Easy", 1.0, "accuracy"),
    ])
    compat = json.loads((write(tmp_path / "c", results, compat=True) / f"reports/{MID}/data_collection.json").read_text())
    # EvalScope: one Metric block per raw key in first-appearance order, same identity twice
    assert [m["identity"]["name"] for m in compat["metrics"]] == ["accuracy", "accuracy"]
    acc, accuracy = compat["metrics"]
    assert [c["name"] for c in accuracy["categories"]] == [["math_index", "math"], ["math_index", "reasoning"]]
    assert compat["num"] == acc["num"] == 1
    assert compat["primary_metric_identity"] is None
    assert compat["primary_metric_unavailable_reason"] == (
        "The collection contains multiple scored metrics, so no single primary metric is selected.")
    # every mode: full-path categories only (a prefix row shows twice in EvalScope's viewer)
    fixed = json.loads((write(tmp_path / "f", results) / f"reports/{MID}/data_collection.json").read_text())
    accuracy = fixed["metrics"][1]
    assert [(c["name"], c["num"], c["score"]) for c in accuracy["categories"]] == [
        (["math_index", "math"], 1, 0.0), (["math_index", "reasoning"], 2, 1.0)]
    assert (accuracy["num"], accuracy["score"]) == (3, 0.6667)
    assert fixed["metrics"] == compat["metrics"]


def test_review_line_shapes_follow_evalscope_1_14(tmp_path: Path) -> None:
    results = finished([make_result(0, "aime24", "default", 1.0, task="math", metric="acc",
                                    score_metadata={"math_reason": "matched"}),
                        make_result(1, "trivia_qa", "default", 0.0, task="qa")])
    results[0].reasoning = "24 it is."
    entries = {r.node_id: entry_for(r) for r in results}
    entries[results[1].node_id].prompt.target = [" Paris ", "paris", "", "Paris"]
    run_dir = make_run_dir(tmp_path, datetime(2026, 8, 1, 12, 0, 0))
    report = aggregate(results, compat=True)
    write_outputs(run_dir, report=report, results=results, entries=entries,
                  settings={"model": MODEL, "compat": True}, log_text=render_tables(report))
    aime, trivia = read_jsonl(run_dir / f"reviews/{MID}/data_collection_default.jsonl")
    # aime's adapter builds its Score by hand: value key acc, main_score_name null, math_reason kept
    assert aime["sample_score"]["score"]["value"] == {"acc": 1.0}
    assert aime["sample_score"]["score"]["main_score_name"] is None
    assert aime["sample_score"]["score"]["metadata"] == {"math_reason": "matched"}
    # target: stripped, empty values dropped, duplicates removed (EvalScope's Target)
    assert trivia["target"] == ["Paris", "paris"]
    # content parts in EvalScope's dump shape, field for field
    reasoning, text = aime["messages"][-1]["content"]
    assert reasoning == {"internal": None, "type": "reasoning", "reasoning": "24 it is.", "signature": None,
                         "redacted": False, "reasoning_tokens": None}
    assert text == {"internal": None, "type": "text", "text": "Reasoning...\nANSWER: A", "refusal": None}


def test_detailed_report_shape(tmp_path: Path) -> None:
    results = finished(seed_results())
    results[9].subset_name = "逻辑"
    path = write(tmp_path, results) / f"reports/{MID}/collection_detailed_report.json"
    text = path.read_text(encoding="utf-8")
    assert "\\u903b\\u8f91" in text and "逻辑" not in text  # ensure_ascii, like EvalScope
    assert text.startswith('{\n  "subset_level": [\n    {\n      "task_type": "reasoning",')
    data = json.loads(text)
    assert list(data) == ["subset_level", "dataset_level", "task_level", "tag_level", "category_level"]
    assert data["subset_level"][0] == {"task_type": "reasoning", "dataset_name": "arc", "subset_name": "ARC-Challenge",
                                       "micro_avg.": 0.8, "count": 5}
    assert data["task_level"] == [{"task_type": "reasoning", "micro_avg.": 0.8, "macro_avg.": 0.6,
                                   "weighted_avg.": 0.3556, "count": 10}]
    assert data["category_level"] == [{"category0": "reasoning_index", "micro_avg.": 0.8, "macro_avg.": 0.6,
                                       "weighted_avg.": 0.3556, "count": 10}]


def test_evalindex_report(tmp_path: Path) -> None:
    results = finished(seed_results())
    results.append(make_result(10, "gsm8k", "main", None, task="math", status="error", error="timeout"))
    settings = {"model": MODEL, "compat": "corrected",
                "collections": [{"path": "suite.jsonl", "fingerprint": "sha256:abc"}]}
    run_dir = write(tmp_path, results, settings=settings)
    data = json.loads((run_dir / f"reports/{MID}/evalindex_report.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 3 and data["compat"] is False
    assert data["index"]["name"] == "reasoning_index" and data["index"]["weighted"] == 0.3556
    assert data["totals"]["errors"] == 1 and data["totals"]["samples"] == 11
    assert data["collections"] == [{"path": "suite.jsonl", "fingerprint": "sha256:abc"}]
    gsm = [r for r in data["levels"]["dataset_level"] if r["name"] == "math/gsm8k"]
    assert gsm[0]["errors"] == 1 and gsm[0]["micro"] is None
    first = results[0]
    assert data["samples"][0] == {"node_id": "suite.jsonl::arc/ARC-Challenge/0", "sample_hash": f"{0:016x}",
                                  "file": "suite.jsonl", "line": 1, "index": 0, "ordinal": 0,
                                  "dataset_name": "arc", "subset_name": "ARC-Challenge", "task_type": "reasoning",
                                  "tags": first.tags, "categories": ["reasoning_index"], "weight": first.weight,
                                  "status": "correct", "score": 1.0, "metric": "accuracy", "metrics": None,
                                  "extracted": "A", "latency": first.latency, "cached": False,
                                  "usage": {"input_tokens": first.usage.input_tokens, "output_tokens": 5,
                                            "total_tokens": first.usage.total_tokens}}
    assert data["samples"][-1]["status"] == "error" and data["samples"][-1]["error"] == "timeout"


def test_the_report_alone_rebuilds_every_level(tmp_path: Path) -> None:
    """Schema 2: a merge or a re-render needs nothing but evalindex_report.json."""
    results = finished(seed_results())
    results.append(make_result(10, "gsm8k", "main", None, task="math", status="error", error="timeout"))
    run_dir = write(tmp_path, results)
    back = read_results(run_dir)
    assert [r.node_id for r in back] == [r.node_id for r in sorted(results, key=lambda r: (r.file, r.ordinal))]
    assert aggregate(back).to_dict() == aggregate(results).to_dict()
    assert back[-1].error == "timeout"


def test_schema_1_reports_still_read(tmp_path: Path) -> None:
    old = {"schema_version": 1, "model": "m", "samples": [
        {"node_id": "s.jsonl::arc/e/0", "sample_hash": "ab", "dataset_name": "arc", "subset_name": "e",
         "status": "correct", "score": 1.0, "extracted": "A"}]}
    (tmp_path / "evalindex_report.json").write_text(json.dumps(old), encoding="utf-8")
    (result,) = read_results(tmp_path / "evalindex_report.json")
    assert (result.dataset_name, result.status, result.score, result.weight, result.tags) == ("arc", "correct", 1.0,
                                                                                           1.0, [])
    assert load_baseline(tmp_path).samples[0].sample_hash == "ab"


def test_any_result_order_gives_identical_files(tmp_path: Path) -> None:
    results = finished(seed_results())
    results.append(make_result(10, "arc", "ARC-Easy", None, tags=["en"]))
    shuffled = list(results)
    random.Random(5).shuffle(shuffled)
    one = write(tmp_path / "a", results)
    two = write(tmp_path / "b", shuffled)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len(files) == 7
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    assert not [p for p in one.rglob("*.tmp")]


def test_secrets_never_written(tmp_path: Path) -> None:
    key = "sk-test-SECRET-0123456789"
    bearer = "tok-abcdef-987654"
    settings = {
        "model": MODEL,
        "api_url": "https://user:pw-secret-77@gateway.example/v1",
        "api_key": key,
        "generation_config": {"temperature": 0.0, "extra_headers": {"Authorization": f"Bearer {bearer}"},
                              "extra_body": {"provider": {"API-Key": key}}},
        "model_args": {"default_headers": {"x-api-key": key}, "nested": [{"auth_token": key}]},
        "judge": {"models": [{"api_key": key, "url": "http://judge"}]},
        "path": Path("suite.jsonl"),
    }
    results = finished(seed_results())
    results[0].completion = f"the key is {key} and {bearer}"  # even echoed by the model
    run_dir = write(tmp_path, results, settings=settings, log_text=f"calling with {key} / Bearer {bearer}\n")
    for path in run_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert key not in text and bearer not in text and "pw-secret-77" not in text, path
    config = yaml.safe_load((run_dir / "configs/task_config.yaml").read_text(encoding="utf-8"))
    assert config["api_key"] == "**********"
    assert config["generation_config"]["extra_headers"]["Authorization"] == "**********"
    assert config["generation_config"]["temperature"] == 0.0 and config["path"] == "suite.jsonl"
    assert "**********" in (run_dir / "logs/eval_log.log").read_text(encoding="utf-8")
