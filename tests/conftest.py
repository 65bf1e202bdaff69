"""Shared fixtures: the example suites, loopback model servers, and a runner for the real plugin."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "example_suites"
SEED_SUITE = EXAMPLES / "reasoning_index.jsonl"
SEED_SCRIPT = EXAMPLES / "reasoning_index.mock.json"

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def seed_answers() -> dict[str, str]:
    """The seed example's scripted answers: {prompt text: answer}."""
    return dict(json.loads(SEED_SCRIPT.read_text(encoding="utf-8"))["answers"])


@pytest.fixture
def plain_server(seed_answers: dict[str, str]) -> Iterator[tuple[str, object]]:
    """A stdlib OpenAI-compatible server (not our mock) answering the seed prompts."""
    from plain_openai_server import serve_plain

    with serve_plain(seed_answers) as served:
        yield served


def normalized_lines(text: str) -> list[str]:
    """Terminal lines with runs of whitespace folded, for comparing tables."""
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def table_rows(output: str, title: str) -> list[str]:
    """The data rows (normalized) of the table printed under ``title``."""
    lines = normalized_lines(output)
    start = lines.index(title)
    rows: list[str] = []
    borders = 0
    for line in lines[start + 1 :]:
        if line.startswith("+"):
            borders += 1
            if borders == 3:
                break
            continue
        if borders == 2:
            rows.append(line)
    return rows


def output_dir_of(output: str) -> Path:
    """The run folder named by the plugin's last summary line."""
    match = re.search(r"evalindex outputs: (\S+)", output)
    assert match, "no 'evalindex outputs:' line in the output"
    return Path(match.group(1))


def default_sigint() -> None:
    """``preexec_fn`` for a child that must react to Ctrl-C: an xdist worker ignores SIGINT, and a child
    would inherit that (Python keeps ignoring a signal that was ignored at start-up)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
