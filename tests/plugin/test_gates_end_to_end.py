"""Gates through the real plugin: exit codes, JUnit testcases, usage errors, error budget, baseline flips."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers_runs import run_pytest_in, run_pytester, shared_run

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of

WORKERS = pytest.mark.parametrize("workers", ["0", "2"])


@pytest.fixture
def seed(pytester: pytest.Pytester) -> Path:
    """The seed suite copied into the pytester folder, with its mock script beside it."""
    shutil.copy(SEED_SUITE, pytester.path / "suite.jsonl")
    shutil.copy(SEED_SCRIPT, pytester.path / "script.json")
    return pytester.path


def run(pytester: pytest.Pytester, *args: str, script: str = "script.json") -> pytest.RunResult:
    return run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-mock", script,
                                         "-p", "no:cacheprovider", *args)


def has_line(result: pytest.RunResult, start: str, *fragments: str) -> bool:
    """Whether some output line starts with ``start`` and contains every fragment (no glob syntax)."""
    return any(line.startswith(start) and all(f in line for f in fragments)
               for line in result.stdout.lines + result.stderr.lines)


def junit_cases(path: Path) -> dict[str, bool]:
    """JUnit testcase name → whether it failed."""
    tree = ET.parse(path)
    return {case.get("name", ""): case.find("failure") is not None for case in tree.iter("testcase")}


def edited_script(root: Path, name: str, changes: dict[int, str]) -> str:
    """A copy of the seed script whose answers for the given sample indices are replaced."""
    script = json.loads((root / "script.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (root / "suite.jsonl").read_text(encoding="utf-8").splitlines()]
    for index, answer in changes.items():
        script["answers"][lines[index]["prompt"]["input"][-1]["content"]] = answer
    (root / name).write_text(json.dumps(script, ensure_ascii=False), encoding="utf-8")
    return name


GATES_CONFTEST = """
from pytest_evalindex import gate

@gate
def reasoning_index_at_least_0_4(report):
    assert report.index.weighted >= 0.4

@gate("arc stays above 0.8")
def arc_micro(report):
    assert report.row("dataset_level", "arc").micro > 0.8
"""
CLI_GATES = ("index>=0.4", "dataset_level:*:micro_avg>=0.0", "dataset_level:*:micro_avg>=0.5")
# One run per mode carries every kind of gate at once; each test below asserts one kind on it.
FAILING_GATES = {"gate[index>=0.4]", "gate[dataset_level:*:micro_avg>=0.5]",
                 "gate[category_level:reasoning_index:micro_avg>=0.9]", "gate[reasoning_index_at_least_0_4]"}


@dataclass(frozen=True)
class GatedRun:
    """The seed suite run once with ini, command-line and conftest gates, JUnit XML and a Markdown summary."""

    workers: str
    folder: Path
    result: pytest.RunResult
    step_summary: Path


@pytest.fixture(scope="module", params=["0", "2"])
def gated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> GatedRun:
    workers: str = request.param

    def make(folder: Path) -> pytest.RunResult:
        shutil.copy(SEED_SUITE, folder / "suite.jsonl")
        shutil.copy(SEED_SCRIPT, folder / "script.json")
        (folder / "pytest.ini").write_text(
            "[pytest]\neval_thresholds =\n    index>=0.3\n    category_level:reasoning_index:micro_avg>=0.9\n",
            encoding="utf-8")
        (folder / "conftest.py").write_text(GATES_CONFTEST, encoding="utf-8")
        (folder / "step_summary.md").write_text("earlier step\n", encoding="utf-8")
        thresholds = [arg for expr in CLI_GATES for arg in ("--eval-threshold", expr)]
        return run_pytest_in(folder, "--eval-collection", "suite.jsonl", "--eval-mock", "script.json",
                             "-p", "no:cacheprovider", *thresholds, "--junitxml", "j.xml",
                             "--eval-markdown", "summary.md", "--eval-output-dir", "base", "-ra", "-n", workers,
                             env={"GITHUB_STEP_SUMMARY": str(folder / "step_summary.md")})

    folder, result = shared_run(tmp_path_factory, f"gated-n{workers}", make)
    return GatedRun(workers, folder, result, folder / "step_summary.md")


def test_index_threshold_decides_exit_code_and_junit(gated: GatedRun) -> None:
    result = gated.result
    assert result.ret == 1, result.stdout.str()
    assert has_line(result, "PASSED gate[index>=0.3]: index (reasoning_index) weighted_avg = 0.3556, needs >= 0.3")
    assert has_line(result, "FAILED", "gate[index>=0.4] - index (reasoning_index) weighted_av")
    cases = junit_cases(gated.folder / "j.xml")
    assert cases["gate[index>=0.3]"] is False
    assert cases["gate[index>=0.4]"] is True
    # Incorrect samples never fail the run; only the gates that missed do.
    assert {name for name, failed in cases.items() if failed} == FAILING_GATES


def test_glob_threshold(gated: GatedRun) -> None:
    assert has_line(gated.result, "PASSED gate[dataset_level:*:micro_avg>=0.0]")
    assert has_line(gated.result, "FAILED gate[dataset_level:*:micro_avg>=0.5]:", "reasoning/ceval = 0.0")
    assert not has_line(gated.result, "FAILED gate[dataset_level:*:micro_avg>=0.5]:", "reasoning/arc")


def test_ini_thresholds(gated: GatedRun) -> None:
    # The ini file's gates run beside the command line's (which add to them).
    assert has_line(gated.result, "PASSED gate[index>=0.3]")
    assert has_line(gated.result, "FAILED gate[category_level:reasoning_index:micro_avg>=0.9]:",
                    "= 0.8, needs >= 0.9")


def test_conftest_assertion_gate(gated: GatedRun) -> None:
    assert "assert 0.3556 >= 0.4" in gated.result.stdout.str()  # pytest's assertion introspection
    cases = junit_cases(gated.folder / "j.xml")
    assert cases["gate[reasoning_index_at_least_0_4]"] is True
    assert cases["gate[arc stays above 0.8]"] is False


def test_malformed_threshold_shows_grammar_before_any_call(pytester: pytest.Pytester, seed: Path) -> None:
    result = run(pytester, "--eval-threshold", "index=>0.5")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert has_line(result, "ERROR: --eval-threshold: invalid gate 'index=>0.5'")
    assert "LEVEL:ROW:METRIC[.BOUND] OP NUMBER" in result.stderr.str()


@WORKERS
def test_error_budget(pytester: pytest.Pytester, seed: Path, workers: str) -> None:
    script = edited_script(seed, "faulty.json", {})
    data = json.loads((seed / script).read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (seed / "suite.jsonl").read_text(encoding="utf-8").splitlines()]
    prompt = lines[6]["prompt"]["input"][-1]["content"]
    data["answers"][prompt] = {"answer": "ANSWER: A", "fault": "500"}
    (seed / script).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    strict_budget = run(pytester, "--eval-max-retries", "0", "-n", workers, script=script)
    assert strict_budget.ret == 1
    assert has_line(strict_budget, "FAILED gate[error_rate<=0]: 1 of 10 samples errored (rate 0.1), needs <= 0")
    strict_budget.stdout.re_match_lines([r".*1 error.*"])
    assert "HTTP 500" in strict_budget.stdout.str()

    # The rate is compared in the controller with the count above (which -n 2 gathers from both workers): the
    # tolerant budget's run is the same run under either mode, so it runs once, in-process.
    if workers == "0":
        within = run(pytester, "--eval-max-retries", "0", "--eval-max-error-rate", "0.2", script=script)
        assert within.ret == 0, within.stdout.str()
        assert has_line(within, "PASSED gate[error_rate<=0.2]: 1 of 10 samples errored")


@pytest.mark.slow
def test_baseline_lists_exactly_the_flipped_sample(pytester: pytest.Pytester, seed: Path, gated: GatedRun) -> None:
    workers = gated.workers
    # The gated run (whose gates failed: a baseline all the same) copied here, away from its ini file and conftest.
    base_run = output_dir_of(gated.result.stdout.str())
    baseline_dir = shutil.copytree(gated.folder / base_run, seed / "base_run")  # (an absolute base_run stays)

    worse = edited_script(seed, "worse.json", {6: "ANSWER: B"})  # ARC-Easy index 6 was correct (A)
    # by default a drop must be significant: one flipped sample of ten is not (exact McNemar p = 0.5)
    current = run(pytester, "--eval-baseline", str(baseline_dir), "-n", workers, script=worse)
    assert current.ret == 0, current.stdout.str()
    assert has_line(current, "PASSED gate[baseline:max_drop<=0,alpha=0.05]: no significant drop larger than 0",
                    "1 regressed, 0 improved of 10 common samples")
    report = json.loads(next(output_dir_of(current.stdout.str()).glob("reports/*/evalindex_report.json")).read_text())
    regressions = report["baseline_comparison"]["regressions"]
    assert [r["node_id"].split("::")[1] for r in regressions] == ["arc/ARC-Easy/6"]
    assert report["baseline_comparison"]["improvements"] == []
    assert has_line(current, "regressed: suite.jsonl::arc/ARC-Easy/6")

    # --eval-max-drop alone keeps the plain rule: any drop above it fails. The rule is applied in the controller
    # to the comparison above (which -n 2 built from both workers' samples): these runs are the same under either
    # mode, so they run once, in-process.
    if workers == "0":
        plain = run(pytester, "--eval-baseline", str(baseline_dir), "--eval-max-drop", "0", script=worse)
        assert plain.ret == 1
        assert has_line(plain, "FAILED gate[baseline:max_drop<=0]:", "1 regressed, 0 improved of 10 common samples")
        tolerant = run(pytester, "--eval-baseline", str(baseline_dir), "--eval-max-drop", "0.3", script=worse)
        assert tolerant.ret == 0, tolerant.stdout.str()


def test_markdown_summary_for_ci(gated: GatedRun) -> None:
    ours = (gated.folder / "summary.md").read_text(encoding="utf-8")
    appended = gated.step_summary.read_text(encoding="utf-8")
    assert appended.startswith("earlier step\n") and appended.endswith(ours)
    assert "0.3556" in ours and "FAIL" in ours
    assert re.search(r"\| ❌ \| gate\\\[index&gt;=0\.4\\\] +\|", ours)  # escaped for Markdown and HTML
    assert "| reasoning\\_index |" in ours  # the category table


def test_junit_carries_per_sample_properties(gated: GatedRun) -> None:
    cases = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
             for case in ET.parse(gated.folder / "j.xml").iter("testcase") if not case.get("name", "").startswith("gate[")}
    assert cases["ceval/logic/9"] == {"dataset": "ceval", "subset": "logic", "status": "incorrect",
                                      "score": "0.0", "extracted": "A"}
    assert cases["arc/ARC-Easy/7"] == {"dataset": "arc", "subset": "ARC-Easy", "status": "correct",
                                       "score": "1.0", "extracted": "B"}
    assert len(cases) == 10
