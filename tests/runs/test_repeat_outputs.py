"""EvalScope-shaped files of a repeats run: one prediction/review line per answer, numbered as EvalScope numbers
them (index = position·K + repeat, group_id = position, generation_index = repeat); its reports count answers
in the compat modes, as EvalScope does, and samples otherwise."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest
from helpers_results import make_result
from test_outputs import MID, MODEL, entry_for, finished, read_jsonl

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.metrics.repeated import combine_repeats
from pytest_evalindex.render.html import load_run
from pytest_evalindex.render.html.details import result_texts
from pytest_evalindex.render.html.payload import transposed
from pytest_evalindex.runs.writer import in_report_order, make_run_dir, write_outputs

K = 3
DESIGN = [("ARC-Easy", [1.0, 0.0, 1.0]), ("ARC-Easy", [1.0, 1.0, 1.0]), ("ARC-Challenge", [0.0, 0.0, 1.0])]


def _results() -> list[SampleResult]:
    results = []
    for position, (subset, scores) in enumerate(DESIGN):
        answers = finished([make_result(position, "arc", subset, s, weight=0.2) for s in scores])
        results.append(combine_repeats([dataclasses.replace(a, extracted=f"{position}.{r}")
                                        for r, a in enumerate(answers)]))
    return results


@pytest.mark.parametrize("compat", [False, True])
def test_one_line_per_answer_and_counts(tmp_path: Path, compat: bool) -> None:
    results = _results()
    report = aggregate(results, compat=compat)
    run_dir = make_run_dir(tmp_path, datetime(2026, 8, 1, 12, 0, 0))
    write_outputs(run_dir, report=report, results=results, entries={r.node_id: entry_for(r) for r in results},
                  settings={"model": MODEL, "compat": compat, "repeats": K}, log_text="")
    reviews = read_jsonl(run_dir / "reviews" / MID / "data_collection_default.jsonl")
    predictions = read_jsonl(run_dir / "predictions" / MID / "data_collection_default.jsonl")
    assert [p["index"] for p in predictions] == [r["index"] for r in reviews] == list(range(len(DESIGN) * K))
    identity = [(r["sample_score"]["sample_id"], r["sample_score"]["group_id"], r["sample_score"]["generation_index"],
                 r["sample_score"]["score"]["value"]["accuracy"], r["sample_score"]["score"]["extracted_prediction"])
                for r in reviews]
    assert identity == [(p * K + g, p, g, DESIGN[p][1][g], f"{p}.{g}") for p in range(len(DESIGN)) for g in range(K)]
    detailed = json.loads((run_dir / "reports" / MID / "collection_detailed_report.json").read_text())
    collection = json.loads((run_dir / "reports" / MID / "data_collection.json").read_text())
    counted = len(DESIGN) * (K if compat else 1)
    assert detailed["dataset_level"][0]["count"] == counted and collection["num"] == counted
    # the averages agree either way (every sample has all K answers scored)
    assert detailed["dataset_level"][0]["micro_avg."] == round(sum(sum(s) for _, s in DESIGN) / (len(DESIGN) * K), 4)
    ours = json.loads((run_dir / "reports" / MID / "evalindex_report.json").read_text())
    assert ours["index"]["count"] == len(DESIGN) and ours["index"]["repeats"]["stability"]["flaky"] == 2
    assert [len(s["repeats"]) for s in ours["samples"]] == [K] * len(DESIGN)
    # the HTML page's texts read back from these reviews are each sample's first answer, as from memory
    run = load_run(run_dir)
    assert transposed(run.details) == result_texts(in_report_order(results), {r.node_id: entry_for(r) for r in results})
    assert all(d is not None for d in run.details)
