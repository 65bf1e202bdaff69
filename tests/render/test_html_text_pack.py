"""The run page's fast path gives the page exactly what the general path gives: sample columns and texts taken
straight from the results, and texts packed column by column as they are cut."""

from __future__ import annotations

import base64
import gzip
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from helpers_html import MODEL, entry_for, hostile_results

from pytest_evalindex.core.secrets import scrub
from pytest_evalindex.metrics.aggregate import aggregate
from pytest_evalindex.render.html.columns import result_columns, sample_columns
from pytest_evalindex.render.html.details import result_texts
from pytest_evalindex.render.html.payload import encoded_texts, sample_payload, text_columns
from pytest_evalindex.render.html.text_pack import pack_texts
from pytest_evalindex.runs.writer import in_report_order, report_document

SECRET = "sk-pack-secret-0042"


def _unpacked(columns: list[list[str]], budget: int, clean: bool = False) -> bytes:
    def scrubbed(text: str) -> str:
        return scrub(text, [SECRET])

    with ThreadPoolExecutor(max_workers=1) as pool:
        packed = pack_texts(columns, pool, scrubbed if clean else None, budget=budget)()
    return gzip.decompress(base64.b64decode(packed))


def test_texts_packed_column_by_column_equal_the_texts_encoded_at_once() -> None:
    """Long texts (ASCII, non-ASCII, one holding the byte that stands for a note's "…") are cut as before,
    secrets are scrubbed in every column, a text holding a NUL still turns the packing into JSON."""
    prompts = ["p" * 300 + "END", "short", "é" * 250 + "Ω", f"key {SECRET} then " + "x" * 400]
    answers = ["a\x01b" + "y" * 500, "", f"{SECRET}", "ANSWER: A"]
    columns = [prompts, answers, ["", "", "", ""], ["A", "B", "C", "D"], ["", "why", "", ""], ["{}", "", "", ""]]
    for budget in (200, 900, 10**6):
        expected = encoded_texts(text_columns(transposed_back(columns), budget=budget))
        assert _unpacked(columns, budget) == expected
        with_secret = _unpacked(columns, budget, clean=True)
        assert SECRET.encode() not in with_secret
        assert with_secret == encoded_texts(text_columns(transposed_back(columns), budget=budget),
                                            lambda text: scrub(text, [SECRET]))
    assert b"characters left out" in _unpacked(columns, 200) and "…".encode() in _unpacked(columns, 200)
    with_nul = [[*prompts[:3], "a\x00b"], *columns[1:]]
    assert json.loads(_unpacked(with_nul, 10**6)) == with_nul
    assert _unpacked([[] for _ in columns], 100) == b"\x00"


def transposed_back(columns: list[list[str]]) -> list[list[str] | None]:
    return [list(texts) for texts in zip(*columns)]


def test_columns_and_texts_from_results_equal_those_from_the_report() -> None:
    """The run page reads its columns and texts straight from the results: the same as from the report's sample
    dicts (an errored sample has no texts and shows its error)."""
    results = hostile_results()
    results[2].score_metadata = {"judge": "<b>yes</b>"}
    entries = {r.node_id: entry_for(r) for r in results[1:]}  # a sample whose line is unknown: no prompt
    document = report_document(aggregate(results), results, settings={"model": MODEL})
    samples = document["samples"]
    ordered = in_report_order(results)
    assert result_columns(ordered) == sample_columns(samples)
    assert sample_payload(result_columns(ordered), {}) == sample_payload(sample_columns(samples), {})
    texts = result_texts(ordered, entries)  # equal to the texts read back from reviews/: test_html_report
    errored = [i for i, s in enumerate(samples) if s["status"] == "error"]
    assert errored and all(column[i] == "" for column in texts for i in errored)
    assert any(texts[0]) and not texts[0][[s["node_id"] for s in samples].index(results[0].node_id)]


def test_sample_columns_of_every_kind_become_what_the_page_takes() -> None:
    """A hand-edited report's odd values are made page values as before; columns already of the page's kinds
    are taken as they are."""
    samples: list[dict[str, Any]] = [
        {"node_id": "s.jsonl::a/12", "dataset_name": "a", "subset_name": "x", "tags": ["en"], "status": "correct",
         "score": 1.0, "extracted": "A", "latency": 0.25, "usage": {"input_tokens": 3, "output_tokens": 4}},
        {"node_id": "s.jsonl::a/007", "dataset_name": None, "subset_name": 5, "tags": [1], "status": "odd",
         "score": float("nan"), "extracted": 7, "latency": "slow", "usage": {"input_tokens": True}},
        {"node_id": "plain", "dataset_name": "a", "subset_name": "x", "tags": None, "status": ["error"],
         "score": 10**400, "extracted": None, "latency": 2, "usage": None},
        {"node_id": "s.jsonl::b/1234567890123456", "dataset_name": "a", "subset_name": "x", "tags": ["en"],
         "status": "error", "error": "HTTP 500", "score": None, "extracted": None, "latency": None, "usage": {}},
    ]
    payload = sample_payload(sample_columns(samples), {})
    columns = payload["columns"]
    assert columns["suffix"] == [12, "007", "plain", "1234567890123456"]
    assert [payload["prefixes"][i] for i in columns["prefix"]] == ["s.jsonl::a/", "s.jsonl::a/", "", "s.jsonl::b/"]
    assert [payload["datasets"][i] for i in columns["dataset"]] == ["a", "", "a", "a"]
    assert [payload["subsets"][i] for i in columns["subset"]] == ["x", "5", "x", "x"]
    assert columns["status"] == [0, 4, 4, 4] and columns["score"] == [1.0, None, 10**400, None]
    assert columns["extracted"] == ["A", "7", None, "HTTP 500"] and columns["latency_ms"] == [250, None, 2000, None]
    assert columns["input_tokens"] == [3, None, None, None] and columns["output_tokens"] == [4, None, None, None]
    plain = sample_columns([samples[0], samples[3]])
    assert sample_payload(plain, {})["columns"]["score"] == [1.0, None]
    whole = sample_columns([samples[0], {**samples[0], "score": 0, "node_id": "s.jsonl::a/0"}])
    payload = sample_payload(whole, {})
    assert payload["columns"]["score"] == [1.0, 0] and payload["columns"]["suffix"] == [12, 0]
    assert sample_payload(sample_columns([{**samples[0], "score": float("inf")}]), {})["columns"]["score"] == [None]
