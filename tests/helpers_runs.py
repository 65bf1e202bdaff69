"""Running the real plugin against a loopback MockServer, and reading what the run wrote."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, output_dir_of
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.model.mock.script import prompt_key

GENERAL_SUITE = EXAMPLES / "general_index.jsonl"
GENERAL_SCRIPT = EXAMPLES / "general_index.mock.json"
MODEL = "mock-model"


def general_script(**overrides: Any) -> dict[str, Any]:
    """The general suite's mock script with some keys replaced."""
    script = dict(json.loads(GENERAL_SCRIPT.read_text(encoding="utf-8")))
    script.update(overrides)
    return script


def entries(path: Path) -> list[Entry]:
    return [Entry.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def prompt_keys(path: Path) -> dict[str, int]:
    """The mock's per-prompt key of each line's request messages → the line's index."""
    return {prompt_key(e.openai_messages()): e.index for e in entries(path)}


def run_plugin(pytester: pytest.Pytester, url: str, *args: str, suite: Path = GENERAL_SUITE) -> pytest.RunResult:
    """The real plugin in a subprocess (it inherits the test's environment): ``--eval-collection suite`` at ``url``."""
    return pytester.runpytest_subprocess(
        "--eval-collection", str(suite), "--eval-model", MODEL, "--eval-api-url", url,
        "-p", "no:cacheprovider", *args,
    )


def detailed_report(output: str) -> dict[str, Any]:
    run_dir = output_dir_of(output)
    data: dict[str, Any] = json.loads((run_dir / "reports" / MODEL / "collection_detailed_report.json")
                                      .read_text(encoding="utf-8"))
    return data


def predictions(output: str) -> list[dict[str, Any]]:
    run_dir = output_dir_of(output)
    files = sorted((run_dir / "predictions" / MODEL).glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_suite(path: Path, lines: Sequence[Mapping[str, Any] | str]) -> Path:
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln, ensure_ascii=False)) + "\n" for ln in lines),
                    encoding="utf-8")
    return path
