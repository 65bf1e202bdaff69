"""Scoring recorded answers needs no server: the model name comes from the cache or the predictions; the
cache key ignores the URL; a cache without this run's answers is one line; a run that got no answer
writes no run folder and no empty tables."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from helpers_runs import MODEL, run_plugin, run_pytester

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of
from pytest_evalindex.model.mock import MockServer, load_script


def _runs(outputs: Path) -> list[str]:
    return sorted(p.name for p in outputs.iterdir() if p.name != "cache") if outputs.is_dir() else []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_offline_modes_need_no_server_and_the_url_is_not_part_of_the_key(pytester: pytest.Pytester) -> None:
    shutil.copy(SEED_SUITE, pytester.path / "suite.jsonl")
    outputs = pytester.path / "outputs"
    cache = ("--eval-use-cache", "outputs/cache")
    with MockServer(load_script(SEED_SCRIPT)) as server:
        first = run_plugin(pytester, server.url, *cache, suite=Path("suite.jsonl"))
        assert first.ret == 0 and server.stats()["requests"] == 10
        # Another spelling of the same server (localhost, a trailing slash) reuses every cached answer.
        moved = server.url.replace("127.0.0.1", "localhost") + "/"
        second = run_plugin(pytester, moved, *cache, "-n", "2", suite=Path("suite.jsonl"))
        assert second.ret == 0 and server.stats()["requests"] == 10, second.stdout.str()
        second.stdout.fnmatch_lines(["*10 of 10 answers from*"])
    assert len(_runs(outputs)) == 2

    # No --eval-model, no --eval-api-url: the cache names its model, and the run is filed under it.
    review = run_pytester(pytester, "--eval-collection", "suite.jsonl", *cache, "--eval-rerun-review",
                                           "-p", "no:cacheprovider")
    assert review.ret == 0, review.stdout.str()
    review.stdout.fnmatch_lines([f"evalindex: model {MODEL}, scoring the answers recorded in *cache*",
                                 "*8 passed, 2 incorrect*"])
    assert (output_dir_of(review.stdout.str()) / "reports" / MODEL / "evalindex_report.json").is_file()

    # Predictions of the output folder (its latest complete run), again without model or URL.
    latest = _runs(outputs)[-1]
    imported = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-predictions", "outputs",
                                             "-p", "no:cacheprovider", "-n", "2")
    assert imported.ret == 0, imported.stdout.str()
    imported.stdout.fnmatch_lines([f"evalindex: model {MODEL}, scoring the answers recorded in *{latest} *",
                                   f"evalindex: --eval-predictions *{latest} (latest complete run in *outputs)",
                                   "*8 passed, 2 incorrect*"])
    before = _runs(outputs)

    # Another model name: one line saying what the cache holds, before any sample runs; no run folder.
    wrong = run_pytester(pytester, "--eval-collection", "suite.jsonl", *cache, "--eval-rerun-review",
                                          "--eval-model", "other-model", "-p", "no:cacheprovider")
    assert wrong.ret == 4
    wrong.stderr.fnmatch_lines(["ERROR: --eval-rerun-review: the cache *cache holds no answer for model "
                                "'other-model' with generation config {\"temperature\": 0.0}; it holds 10 for "
                                "model 'mock-model' with generation config {\"temperature\": 0.0}. *not the URL*"])
    assert "no cached answer for this sample" not in wrong.stdout.str()

    # A server that is not there: the run stops with one line, prints no tables and leaves no run folder.
    down = run_plugin(pytester, f"http://127.0.0.1:{_free_port()}/v1", suite=Path("suite.jsonl"))
    assert down.ret != 0
    text = down.stdout.str()
    assert "Report:" not in text and "evalindex outputs:" not in text
    down.stdout.fnmatch_lines(["evalindex: no sample got an answer (1 error; 1× *); no report and no run "
                               "folder written"])
    assert _runs(outputs) == before
