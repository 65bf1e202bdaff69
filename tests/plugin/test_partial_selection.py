"""No verdict on a partial selection: -k, --deselect or -x leave samples unrun and the gates do not decide."""

from __future__ import annotations

import json

import pytest
from helpers_runs import run_plugin

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of
from pytest_evalindex.model.mock import MockServer

THRESHOLD = ("--eval-threshold", "index>=0.1")


def _report(output: str) -> dict[str, object]:
    path = next(output_dir_of(output).glob("reports/*/evalindex_report.json"))
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("workers", ["0", "2"])
def test_k_selection_gives_no_verdict(pytester: pytest.Pytester, workers: str) -> None:
    md = pytester.path / "summary.md"
    with MockServer(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))) as server:
        result = run_plugin(pytester, server.url, *THRESHOLD, "-k", "arc", "-n", workers,
                            "--eval-markdown", str(md), suite=SEED_SUITE)
    output = result.stdout.str()
    assert result.ret == 2, output
    ran = sum(1 for line in SEED_SUITE.read_text(encoding="utf-8").splitlines() if '"arc"' in line)
    result.stdout.fnmatch_lines([f"evalindex: no verdict — {ran} of 10 samples ran ({10 - ran} deselected by -k, "
                                 "-m, --lf or --deselect); gates are not evaluated*--eval-allow-partial*"])
    assert "gate[" not in output
    report = _report(output)
    assert report["partial"] is True and report["incomplete"] is False
    assert report["selection"] == {"ran": ran, "selected": ran, "total": 10, "partial": True,
                                   "why": [f"{10 - ran} deselected by -k, -m, --lf or --deselect"]}
    summary = md.read_text(encoding="utf-8")
    assert f"Partial run: {ran} of 10 samples ran" in summary and "NO VERDICT" in summary


def test_allow_partial_gates_the_selection(pytester: pytest.Pytester) -> None:
    # -n0 only: the controller decides from the selection counts, which test_k_selection_gives_no_verdict[2]
    # checks are gathered alike from xdist workers; this option only turns that "no verdict" into gating.
    with MockServer(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))) as server:
        result = run_plugin(pytester, server.url, *THRESHOLD, "-k", "arc", "--eval-allow-partial",
                            suite=SEED_SUITE)
    output = result.stdout.str()
    assert result.ret == 0, output
    result.stdout.fnmatch_lines(["PASSED gate?index>=0.1?*", "evalindex: PARTIAL — gated on the * of 10 samples*"])


def test_a_whole_run_is_not_partial(pytester: pytest.Pytester) -> None:
    with MockServer(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))) as server:
        result = run_plugin(pytester, server.url, *THRESHOLD, suite=SEED_SUITE)
    assert result.ret == 0
    report = _report(result.stdout.str())
    assert report["partial"] is False and report["selection"] == {"ran": 10, "selected": 10, "total": 10,
                                                                  "partial": False, "why": []}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_x_stop_gives_no_verdict(pytester: pytest.Pytester, workers: str) -> None:
    script = json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, *THRESHOLD, "-x", "--eval-strict", "-n", workers,
                            suite=SEED_SUITE)
    output = result.stdout.str()
    assert result.ret == 2 and "evalindex: no verdict" in output, output
    assert "gate[" not in output
    assert _report(output)["partial"] is True
