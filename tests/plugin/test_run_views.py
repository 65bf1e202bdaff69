"""What a user sees after a run, through the real plugin: the HTML report written to reports/report.html, the
terminal (progress with rate and ETA, gates counted as gates, incorrect samples under -ra), JUnit read by
junitparser (incorrect samples as skipped with why, errored samples with properties) and the folded Markdown."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import run_pytester

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of

SECRET = "sk-html-echo-5ecret-0001"
COPIES = 21  # 210 samples: past the 200 from which the progress counter shows a rate and an ETA


@pytest.fixture
def long_suite(pytester: pytest.Pytester) -> Path:
    """The seed suite repeated: 210 samples, 42 incorrect (the mock answers every copy the same way)."""
    lines = [json.loads(line) for line in SEED_SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for copy in range(COPIES):
        for line in lines:
            out.append({**line, "index": copy * 100 + int(line["index"]), "weight": float(line["weight"]) / COPIES})
    suite = pytester.path / "suite.jsonl"
    suite.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in out) + "\n", encoding="utf-8")
    # Arguments inside the test folder only: pytest takes every path-like argument into its rootdir choice.
    (pytester.path / "script.json").write_text(SEED_SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    return suite


def properties_of(case: Any) -> dict[str, str]:
    """A testcase's <properties> (junitparser exposes them on suites only)."""
    from junitparser import Properties

    return {p.name: p.value for group in case.iterchildren(Properties) for p in group}


def _html_text(path: Path, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', path.read_text(encoding="utf-8"))
    assert match, f"no #{element_id} in {path}"
    return match.group(1)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_what_a_run_shows(pytester: pytest.Pytester, long_suite: Path, workers: str) -> None:
    from junitparser import Failure, JUnitXml, Skipped

    result = run_pytester(pytester,
        "--eval-collection", long_suite.name, "--eval-mock", "script.json", "-p", "no:cacheprovider",
        "--eval-threshold", "index>=0.1", "--eval-threshold", "index>=0.9", "-ra", "-n", workers,
        "--junitxml", "junit.xml", "--eval-markdown", "summary.md")
    output = result.stdout.str()
    assert result.ret == 1, output  # the index>=0.9 gate fails
    run_dir = output_dir_of(output)
    report = json.loads(next(run_dir.glob("reports/*/evalindex_report.json")).read_text(encoding="utf-8"))
    totals = report["totals"]
    assert totals["samples"] == 210 and totals["incorrect"] == 42

    # The HTML report at the path EvalScope's viewer serves, its headline the report's index.
    html = run_dir / "reports" / "report.html"
    assert f"evalindex HTML report: {html}" in output
    assert _html_text(html, "index-value") == str(round(report["index"]["weighted"], 4))
    assert _html_text(html, "verdict") == "FAIL (1 of 2 gates)"

    # Progress: a rate and an ETA while running, never above 100% (the gates come after the samples).
    counters = re.findall(r"\[\s*(\d+)%([^\]]*)\]", output)
    assert counters and all(int(percent) <= 100 for percent, _ in counters)
    assert any(re.fullmatch(r" \d+(\.\d)?/s ETA \d+(s|m\d\ds)", rest) for _, rest in counters), counters
    # The summary line counts samples as samples and gates as gates.
    assert re.search(rf"= 1 failed, {totals['correct']} passed, 42 incorrect, 1 gates passed in ", output), output
    # -ra lists the incorrect samples with their target and extracted answer, without --eval-strict.
    incorrect = [line for line in output.splitlines() if line.startswith("INCORRECT ")]
    assert len(incorrect) == 42
    assert "INCORRECT suite.jsonl::ceval/logic/9 - target 'B', extracted 'A'" in incorrect
    assert re.search(r"FAILED evalindex::gate\[index>=0\.9\] - index", output)

    # JUnit through a standard consumer: incorrect samples are skipped with why, correct ones pass, gates fail.
    cases = {case.name: case for suite in JUnitXml.fromfile(str(pytester.path / "junit.xml")) for case in suite}
    sample_cases = [case for name, case in cases.items() if "/" in name and not name.startswith("gate[")]
    assert len(sample_cases) == 210
    skipped = [case for case in sample_cases if any(isinstance(r, Skipped) for r in case.result)]
    assert len(skipped) == 42 and not [c for c in sample_cases if any(isinstance(r, Failure) for r in c.result)]
    logic = next(case for case in skipped if case.name.endswith("logic/9"))
    assert logic.result[0].message == "incorrect: target 'B', extracted 'A'"
    assert properties_of(logic)["status"] == "incorrect"
    assert any(isinstance(r, Failure) for r in cases["gate[index>=0.9]"].result)
    assert not cases["gate[index>=0.1]"].result

    # Markdown: the levels folded, no path of this machine.
    markdown = (pytester.path / "summary.md").read_text(encoding="utf-8")
    assert "<details><summary>The five levels" in markdown and str(pytester.path) not in markdown


def test_junit_incorrect_passed_and_error_properties(pytester: pytest.Pytester, long_suite: Path) -> None:
    """--eval-junit-incorrect passed keeps incorrect samples as passes; a sample whose call failed is an error
    that carries its dataset, subset, status and error as properties."""
    from junitparser import Error, JUnitXml, Skipped

    script = json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))
    prompt = next(iter(script["answers"]))
    script["answers"][prompt] = {"answer": "ANSWER: A", "fault": "500"}  # every attempt fails
    echoing = list(script["answers"])[1]  # and a model that echoes the API key: the HTML report never shows it
    script["answers"][echoing] = f"The key is {SECRET}. ANSWER: B"
    (pytester.path / "script.json").write_text(json.dumps(script), encoding="utf-8")
    result = run_pytester(pytester,
        "--eval-collection", long_suite.name, "--eval-mock", "script.json", "-p", "no:cacheprovider",
        "--eval-max-retries", "0", "--eval-max-error-rate", "0.5", "--eval-junit-incorrect", "passed",
        "--eval-limit", "10", "--junitxml", "junit.xml", "--eval-api-key", SECRET)
    html = (output_dir_of(result.stdout.str()) / "reports" / "report.html").read_text(encoding="utf-8")
    packed = re.search(r'id="evalindex-details">([^<]*)<', html)
    assert packed
    texts = gzip.decompress(base64.b64decode(packed.group(1))).decode("utf-8")
    assert "The key is " in texts and SECRET not in texts and SECRET not in html
    cases = [case for suite in JUnitXml.fromfile(str(pytester.path / "junit.xml")) for case in suite]
    assert not [c for c in cases if any(isinstance(r, Skipped) for r in c.result)], result.stdout.str()
    errored = [c for c in cases if any(isinstance(r, Error) for r in c.result)]
    assert len(errored) == 1, result.stdout.str()
    properties = properties_of(errored[0])
    assert properties["status"] == "error" and properties["dataset"] == "arc" and "500" in properties["error"]
