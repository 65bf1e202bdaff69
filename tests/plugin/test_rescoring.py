"""Re-scoring without the model (--eval-rerun-review) and the report of an interrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_runs import GENERAL_SUITE, MODEL, general_script, run_plugin, write_suite

from conftest import default_sigint, output_dir_of
from pytest_evalindex.model.mock import MockServer

PYTEST = Path(sys.executable).with_name("pytest")
STRICT_TRIVIA = """
from pytest_evalindex import Score, scorer

@scorer("trivia_qa")
def full_name_only(sample):
    answer = sample.completion.strip().splitlines()[-1].removeprefix("ANSWER:").strip()
    return Score(value=float(answer in ("Canberra", "William Shakespeare", "Pacific Ocean")), extracted=answer)
"""


def _samples(result: pytest.RunResult) -> dict[str, dict[str, object]]:
    report = next(output_dir_of(result.stdout.str()).glob("reports/*/evalindex_report.json"))
    return {s["node_id"].split("::")[1]: s for s in json.loads(report.read_text())["samples"]}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_rerun_review_rescores_cached_answers_without_calling_the_model(pytester: pytest.Pytester,
                                                                        workers: str) -> None:
    cache = pytester.path / "cache"
    with MockServer(general_script()) as server:
        # The answers are cached by a -n0 run either way (a -n 2 run writing the cache is test_resume's subject);
        # the rescoring runs under -n0 and -n 2.
        first = run_plugin(pytester, server.url, "--eval-use-cache", str(cache), "-n", "0")
        assert first.ret == 0
        before = _samples(first)
        # A scorer fix after the run: trivia_qa now needs the canonical answer on the last line.
        pytester.makeconftest(STRICT_TRIVIA)
        server.reset_stats()
        rescored = run_plugin(pytester, server.url, "--eval-use-cache", str(cache), "--eval-rerun-review",
                              "-n", workers)
        assert server.stats()["requests"] == 0
    assert rescored.ret == 0, rescored.stdout.str()
    after = _samples(rescored)
    # Only trivia_qa samples were scored again with the new rule; the answers are the cached ones.
    expected = {node: "correct" if after[node]["extracted"] == "Canberra" else "incorrect"
                for node in after if node.startswith("trivia_qa/")}
    assert {node: after[node]["status"] for node in expected} == expected
    unchanged = ("status", "score", "metric", "metrics", "extracted", "sample_hash", "weight", "tags")
    assert all({k: after[node][k] for k in unchanged} == {k: before[node][k] for k in unchanged}
               for node in after if not node.startswith("trivia_qa/"))
    assert {after[node]["extracted"] for node in expected} == {"Canberra", "Iron", "Shakespeare", "the Atlantic"}


@pytest.mark.slow
def test_rerun_review_fails_clearly_for_samples_without_a_cached_answer(pytester: pytest.Pytester) -> None:
    cache = pytester.path / "cache"
    lines = GENERAL_SUITE.read_text(encoding="utf-8").splitlines()
    write_suite(pytester.path / "part.jsonl", lines[:20])
    with MockServer(general_script()) as server:
        assert run_plugin(pytester, server.url, "--eval-use-cache", str(cache), suite=pytester.path / "part.jsonl").ret == 0
        server.reset_stats()
        rescored = run_plugin(pytester, server.url, "--eval-use-cache", str(cache), "--eval-rerun-review")
        assert server.stats()["requests"] == 0
    assert rescored.ret == 1
    rescored.stdout.re_match_lines([r".*13 errors.*"])
    samples = _samples(rescored)
    errors = {node: s for node, s in samples.items() if s["status"] == "error"}
    assert len(errors) == 13 and len(samples) == 33
    assert {s["error"] for s in errors.values()} == {
        "no cached answer for this sample under model 'mock-model' and this generation config (the cache holds "
        "answers for other samples; run without --eval-rerun-review to ask the model)"}


@pytest.mark.slow
def test_ctrl_c_still_writes_the_report_marked_incomplete(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    with MockServer(general_script(latency=0.2)) as server:
        process = subprocess.Popen(
            [str(PYTEST), "-p", "no:cacheprovider", "--eval-collection", str(GENERAL_SUITE), "--eval-model", MODEL,
             "--eval-api-url", server.url, "--eval-batch-size", "2", "--eval-output-dir", str(out)],
            cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=default_sigint)
        deadline = time.monotonic() + 300  # only stops a hung run; a loaded machine needs > 30 s to start pytest
        while sum(server.stats()["answered"].values()) < 10:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=300)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "INCOMPLETE" in output
    report = json.loads(next(out.glob("*/reports/*/evalindex_report.json")).read_text())
    assert report["incomplete"] is True
    # Guaranteed: the report is written and marked incomplete, it holds only samples that finished before the
    # interrupt (how many depends on scheduling: the server had answered >= 10, the run may have scored fewer),
    # and each of them is a scored answer, never an error invented by the interrupt.
    assert 1 <= len(report["samples"]) < 33
    assert all(s["status"] in ("correct", "incorrect") for s in report["samples"])
