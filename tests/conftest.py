"""Shared fixtures: the example suites, loopback model servers, and a runner for the real plugin."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import openai  # noqa: F401  (imported once here: the in-process plugin runs of helpers_runs.run_pytester share it)
import pytest

import pytest_evalindex.plugin.hooks  # noqa: F401  (likewise)

# The pytest runs these tests start may cache bytecode even where the environment forbids it (some CI images do):
# otherwise every one compiles the plugin again and re-rewrites the asserts of the modules pytest plugins ship
# (anyio's, ~1 s of CPU per process), which was a third of a small `-n 2` run's CPU.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "example_suites"
SEED_SUITE = EXAMPLES / "reasoning_index.jsonl"
SEED_SCRIPT = EXAMPLES / "reasoning_index.mock.json"

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "sandbox"))

from machine_needs import EvalScopeOracle, find_evalscope_oracle, missing  # noqa: E402  (needs the path above)
from sandbox_helpers import LoopbackServer, Probe  # noqa: E402

if TYPE_CHECKING:
    from pytest_evalindex.sandbox import BwrapSandbox, UnsafeSandbox


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


@pytest.fixture(scope="session", autouse=True)
def _template_cache_in_session_temp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The report's compiled template is cached in this session's temporary folder, not the developer's ~/.cache
    (the runs these tests start inherit it); a developer's own EVALINDEX_TEMPLATE_CACHE is kept."""
    from pytest_evalindex.render.html.template_cache import CACHE_ENV

    os.environ.setdefault(CACHE_ENV, str(tmp_path_factory.getbasetemp() / "template-cache"))


# The sandbox probes' fixtures (tests/sandbox): backends and a loopback server.


@pytest.fixture(scope="session")
def bwrap_sandbox() -> BwrapSandbox:
    """The real bubblewrap backend; where it cannot run, tests using it are skipped, or fail, with the check's line
    (:func:`machine_needs.missing`)."""
    from pytest_evalindex.sandbox import BwrapSandbox

    sandbox = BwrapSandbox()
    check = sandbox.check()
    if not check.ok:
        missing(f"bubblewrap cannot run here: {check.message}")
    return sandbox


@pytest.fixture(scope="session")
def evalscope_oracle() -> EvalScopeOracle:
    """EvalScope 1.14.1's own environment, for tests that check against EvalScope itself (skipped, or failed,
    without it: :func:`machine_needs.missing`)."""
    return find_evalscope_oracle()


@pytest.fixture(scope="session")
def unsafe_sandbox() -> UnsafeSandbox:
    from pytest_evalindex.sandbox import UnsafeSandbox

    return UnsafeSandbox()


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    server = LoopbackServer(port=listener.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server.accepted.append(f"{peer[0]}:{peer[1]}")
            conn.sendall(b"hello from the host\n")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.fixture
def bwrap_probe(bwrap_sandbox: BwrapSandbox) -> Probe:
    return Probe(bwrap_sandbox)


@pytest.fixture
def unsafe_probe(unsafe_sandbox: UnsafeSandbox) -> Probe:
    return Probe(unsafe_sandbox)


# Folders whose tests start end-to-end runs (plugin runs, sandboxes, the EvalScope oracle): seconds each, against
# milliseconds for the rest.
_END_TO_END_FOLDERS = ("plugin", "hardening", "model", "cli", "sandbox", "render")


def _runs_end_to_end(item: pytest.Item) -> bool:
    return item.path.parent.name in _END_TO_END_FOLDERS or "pytester" in getattr(item, "fixturenames", ())


def _starts_xdist_workers(item: pytest.Item) -> bool:
    """Whether the test is the ``-n 2`` case of a test parametrized over ``workers`` (``"2"``, ``["-n", "2"]``)."""
    callspec = getattr(item, "callspec", None)
    workers = callspec.params.get("workers") if callspec is not None else None
    return workers not in (None, "0", 0, [], ())


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``-n 2`` case of every test parametrized over ``workers`` is ``slow`` (two fresh interpreters, each
    importing the ``openai`` SDK), like the tests marked so by hand: ``-m "not slow"`` is the quick loop."""
    for item in items:
        if _starts_xdist_workers(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def longest_first(items: list[pytest.Item]) -> None:
    """Longest first: the modules that start end-to-end runs go before the quick ones, so that under xdist the
    run does not end with one worker still in a long test while the other has nothing left (with
    ``--dist worksteal`` an idle worker takes over the other's quick tests). A module moves as a whole and keeps
    its order, so module-scoped runs are still shared."""
    heavy = {item.path for item in items if _runs_end_to_end(item)}
    items.sort(key=lambda item: item.path not in heavy)
