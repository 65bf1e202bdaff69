"""Suites whose lines pick a hostile behaviour, a runner for the real plugin, and a search for leaked secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import run_pytester

MODEL = "hostile-model"


def hostile_suite(path: Path, cases: list[str], *, copies: int = 1) -> Path:
    """A collection with ``copies`` lines per case; line text ``case=<name> #<i>``, target ``B`` (exact match)."""
    lines: list[dict[str, Any]] = []
    for case in cases:
        for _copy in range(copies):
            index = len(lines)
            lines.append({"index": index, "prompt": {"input": f"case={case} #{index}", "target": "B"},
                          "tags": ["en"], "categories": ["hostile"], "task_type": "qa", "weight": 1.0,
                          "dataset_name": "hostile", "subset_name": case, "scorer": "exact"})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def run_hostile(pytester: pytest.Pytester, url: str, suite: Path, *args: str) -> pytest.RunResult:
    """The real plugin (see :func:`helpers_runs.run_pytester`) against ``url``, outputs under the test's folder."""
    return run_pytester(pytester,
        "--eval-collection", str(suite), "--eval-model", MODEL, "--eval-api-url", url,
        "--eval-output-dir", str(pytester.path / "outputs"), "-p", "no:cacheprovider", *args)


def leaks(root: Path, result: pytest.RunResult, secrets: list[str]) -> list[str]:
    """Every (file or stream, secret) where a secret shows up: all files under ``root``, stdout, stderr."""
    texts = {"stdout": result.stdout.str(), "stderr": result.stderr.str()}
    for path in root.rglob("*"):
        if path.is_file():
            texts[str(path.relative_to(root))] = path.read_bytes().decode("utf-8", errors="replace")
    return [f"{name}: {secret!r}" for name, text in texts.items() for secret in secrets if secret in text]


def error_lines(result: pytest.RunResult) -> list[str]:
    """The one-line causes of errored samples as pytest prints them (``model call failed: …``)."""
    return [line.removeprefix("model call failed: ") for line in result.outlines
            if line.startswith("model call failed: ")]


def outputs_json(root: Path) -> list[Path]:
    """Every JSON and JSONL file of the run folders, each checked to parse."""
    found = []
    for path in sorted((root / "outputs").rglob("*.json*")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            for line in text.splitlines():
                if line.strip():
                    json.loads(line)
        else:
            json.loads(text)
        found.append(path)
    return found
