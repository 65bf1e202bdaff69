"""Model text is data: control characters, ANSI escapes, a 1 MB answer and HTML render safely everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers_runs import GENERAL_SUITE, general_script, run_plugin, write_suite

from conftest import output_dir_of
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.mock.script import last_user_text

LINES = [json.loads(line) for line in GENERAL_SUITE.read_text(encoding="utf-8").splitlines()]
NASTY = [
    "\x1b[31mRED\x1b[0m \x1b]0;pwned title\x07 ANSWER: Z",
    "nul\x00 bell\x07 backspace\x08\x08 cr\rover \u202eRTL\u2066 del\x7f ANSWER: Z",
    "<script>alert('x')</script> | pipe | `code` **bold** ANSWER: Z",
    "x" * 1_000_000 + " \x1b[2J ANSWER: Z",
    '{"not": "closed" \\ "\ud7ff" \n\n --- \n',
]


@pytest.mark.parametrize("workers", ["0", "2"])
def test_hostile_answers_render_safely_and_files_stay_valid(pytester: pytest.Pytester, workers: str) -> None:
    lines = LINES[: len(NASTY)]
    script = general_script()
    for answer, line in zip(NASTY, lines):
        script["answers"][last_user_text(line["prompt"]["input"])] = answer
    suite = write_suite(pytester.path / "nasty.jsonl", lines)
    with MockServer(script) as server:
        # --eval-strict: the incorrect answers go into failure text; -rA -v: every summary line too.
        result = run_plugin(pytester, server.url, "--eval-strict", "-rA", "-v", "-n", workers,
                            "--junitxml", str(pytester.path / "junit.xml"), "--eval-use-cache",
                            str(pytester.path / "cache"), suite=suite)
    raw = "\n".join(result.outlines + result.errlines)
    assert result.parseoutcomes().get("failed", 0) >= 4, raw[-2000:]
    assert "\x1b" not in raw and "\x07" not in raw and "\x00" not in raw and "\u202e" not in raw
    assert "\\x1b[31mRED" in raw  # shown escaped, not acted on
    assert len(raw) < 200_000  # the 1 MB answer is shortened in failure text

    run_dir = output_dir_of(result.stdout.str())
    files = [p for p in run_dir.rglob("*") if p.is_file()] + list((pytester.path / "cache").glob("*.jsonl"))
    texts_found = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
            texts_found += sum(json.dumps(r, ensure_ascii=False).count("x" * 1000) > 0 for r in records)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".yaml":
            yaml.safe_load(text)
    assert texts_found >= 3  # the 1 MB answer kept whole in predictions, reviews and the cache
    # The answers round-trip exactly through the predictions file.
    answers = set()
    for p in (run_dir / "predictions").rglob("*.jsonl"):
        for line in p.read_text(encoding="utf-8").splitlines():
            answers.add(json.loads(line)["model_output"]["choices"][0]["message"]["content"])
    assert set(NASTY) <= answers
    import xml.etree.ElementTree as ET

    ET.parse(pytester.path / "junit.xml")  # JUnit XML stays well-formed
    assert Path(suite).exists()
