"""--eval-code-exec end to end: refused without it, scored in the real sandbox with it, alike under xdist."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_runs import run_pytester

from conftest import output_dir_of
from pytest_evalindex.cli.main import main as evalindex
from pytest_evalindex.model.mock import MockServer

HE_PROMPT = 'def add(a: int, b: int) -> int:\n    """Return the sum of a and b."""\n'
HE_TEST = "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"


def _line(i: int, answer_key: str, dataset: str = "humaneval") -> dict[str, Any]:
    metadata: dict[str, Any]
    if dataset == "humaneval":
        metadata = {"task_id": f"toy/{i}", "prompt": HE_PROMPT, "test": HE_TEST, "entry_point": "add"}
    else:
        metadata = {"task_id": i, "test_list": ["assert min_of_two(1, 2) == 1", "assert min_of_two(5, -3) == -3"],
                    "test_setup_code": "", "challenge_test_list": []}
    return {"index": i, "prompt": {"input": f"Task {i}: {answer_key}", "target": "", "metadata": metadata},
            "tags": ["code"], "categories": ["code_index"], "task_type": "code", "weight": 1.0,
            "dataset_name": dataset, "subset_name": "default"}


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback TCP server the model's code will try to reach (it must not)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    got: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            got.append(conn.recv(100))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], got
    stop.set()
    thread.join()
    server.close()


def _suite(pytester: pytest.Pytester, port: int) -> dict[str, str]:
    answers = {
        "right": "```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```",
        "wrong": "    return a - b\n",
        "crash": "    raise ValueError('no')\n",
        "secret": "    import os\n    return a + b + len(os.environ.get('EVALINDEX_API_KEY', ''))\n",
        "network": (f"    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=1).send(b'x')\n"
                    "    return a + b\n"),
        "mbpp": "```python\ndef min_of_two(a, b):\n    return min(a, b)\n```",
    }
    lines = [_line(i, key, "mbpp" if key == "mbpp" else "humaneval") for i, key in enumerate(answers)]
    (pytester.path / "code.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return {f"Task {i}: {key}": answer for i, (key, answer) in enumerate(answers.items())}


def _scores(out: str) -> dict[int, tuple[Any, Any]]:
    review = next(output_dir_of(out).glob("reviews/*/*.jsonl")).read_text().splitlines()
    scores = {}
    for line in map(json.loads, review):
        score = line["sample_score"]["score"]
        scores[line["index"]] = (score["value"].get("acc"), score["metadata"]["execution_result"]["status"])
    return scores


def test_code_samples_are_refused_without_code_exec(pytester: pytest.Pytester) -> None:
    answers = _suite(pytester, 9)
    with MockServer({"answers": answers}) as server:
        result = run_pytester(pytester, "--eval-collection", "code.jsonl", "--eval-model", "m",
                                        "--eval-api-url", server.url, "-p", "no:cacheprovider")
        requests = server.stats()["requests"]
    assert result.ret == pytest.ExitCode.INTERRUPTED and requests == 0
    result.stdout.fnmatch_lines(["*humaneval, mbpp score by running the model's code, which is off: pass "
                                 "--eval-code-exec bwrap (isolated; needs bubblewrap) or --eval-code-exec unsafe "
                                 "(trusted code only)*"])


@pytest.mark.parametrize("workers", ["0", "2"])
def test_programs_run_contained_in_bwrap(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                         listener: tuple[int, list[bytes]], workers: str) -> None:
    port, received = listener
    answers = _suite(pytester, port)
    monkeypatch.setenv("EVALINDEX_API_KEY", "sk-code-exec-secret")
    with MockServer({"answers": answers}) as server:
        result = run_pytester(pytester, "--eval-collection", "code.jsonl", "--eval-model", "m",
                                        "--eval-api-url", server.url, "--eval-code-exec", "bwrap",
                                        "-n", workers, "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert result.ret == 0, out
    assert "evalindex: code execution: bwrap" in out
    assert _scores(out) == {0: (1.0, "passed"), 1: (0.0, "failed"), 2: (0.0, "failed"),
                            3: (1.0, "passed"),  # the key was not in the program's environment: 2 + 3 == 5
                            4: (0.0, "failed"),  # no network: the connection failed and so did the program
                            5: (1.0, "passed")}
    assert received == []
    ran = re.search(r"(\d+) programs in bwrap", out)
    assert ran, out
    if workers == "0":
        assert ran.group(1) == "6"
    else:  # a sample stolen by the other worker after its program started here runs there again (same verdict)
        assert 6 <= int(ran.group(1)) <= 12, ran.group(0)
    report = json.loads(next(output_dir_of(out).glob("reports/*/evalindex_report.json")).read_text())
    assert report["settings"]["code_exec"] == "bwrap"


def _assert_warned(run_dir: Path, markdown: Path) -> None:
    """The run's report JSON, HTML page and Markdown summary carry the unsafe warning."""
    report = json.loads(next(run_dir.glob("reports/*/evalindex_report.json")).read_text())
    assert report["settings"]["code_exec"] == "unsafe"
    assert [w[: len(UNSAFE)] for w in report["warnings"]] == [UNSAFE]
    assert UNSAFE.replace("'", "&#39;") in (run_dir / "reports" / "report.html").read_text()
    assert f"> ⚠️ **{UNSAFE}" in markdown.read_text()


UNSAFE = "UNSAFE code execution: --eval-code-exec unsafe runs the model's code as a plain subprocess"


def test_unsafe_mode_warns_in_every_output(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    """Two shards of an unsafe run, then their merge: header, summary, report JSON, HTML and Markdown warn."""
    answers = _suite(pytester, 9)
    lines = (pytester.path / "code.jsonl").read_text().splitlines()[:2]  # right, wrong: benign code only
    (pytester.path / "code.jsonl").write_text("\n".join(lines) + "\n")
    run_dirs = []
    with MockServer({"answers": answers}) as server:
        for shard in ("1/2", "2/2"):
            md = pytester.path / f"shard{shard[0]}.md"
            result = run_pytester(pytester, "--eval-collection", "code.jsonl", "--eval-model", "m",
                                            "--eval-api-url", server.url, "--eval-code-exec", "unsafe",
                                            "--eval-shard", shard, "--eval-markdown", str(md), "-n", "0",
                                            "-p", "no:cacheprovider")
            out = result.stdout.str()
            assert result.ret == 0, out
            header, summary = out.split("evalindex report", 1)
            assert f"evalindex: {UNSAFE}" in header and f"evalindex: {UNSAFE}" in summary
            run_dirs.append(output_dir_of(out))
            _assert_warned(run_dirs[-1], md)
    scores = [score for d in run_dirs for score in _scores(f"evalindex outputs: {d}").values()]
    assert sorted(scores) == [(0.0, "failed"), (1.0, "passed")]  # one sample per shard: wrong, right
    capsys.readouterr()
    code = evalindex(["merge", *map(str, run_dirs), "-o", str(pytester.path / "merged"),
                      "--eval-markdown", str(pytester.path / "merged.md")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"evalindex: {UNSAFE}" in out
    _assert_warned(output_dir_of(out), pytester.path / "merged.md")
