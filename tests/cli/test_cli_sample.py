"""`evalindex schema expand` and `evalindex sample` end to end, through the installed console script."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_evalindex.authoring.schema import load_schema, schema_hash
from pytest_evalindex.dataset.loader import load_collection

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "example_suites" / "schemas"
EVALINDEX = Path(sys.executable).parent / "evalindex"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EVALINDEX), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("evalindex: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


pytestmark = pytest.mark.skipif(not EVALINDEX.exists(), reason="console script not installed in this environment")


def test_schema_expand_prints_normalised_weights() -> None:
    proc = run("schema", "expand", SCHEMAS / "math_index.json")
    assert proc.returncode == 0, proc.stderr
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in proc.stdout.splitlines()
            if line.startswith("| math_index")]
    assert rows == [
        ["math_index/math/gsm8k", "gsm8k", "0.3750", "math", "en"],
        ["math_index/math/aime25", "aime25", "0.3750", "math", "en"],
        ["math_index/reasoning/arc", "arc", "0.1250", "reasoning", "en"],
        ["math_index/reasoning/ceval", "ceval", "0.1250", "reasoning", "zh"],
    ]
    assert "4 leaves, weights sum to 1.0000" in proc.stdout


def test_sample_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "mixed.jsonl"
    schema_path = SCHEMAS / "reasoning_index.json"
    proc = run("sample", schema_path, "-n", "10", "--strategy", "stratified", "--seed", "42", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out)
    assert "reasoning_index/arc" in proc.stderr and "reasoning_index/ceval" in proc.stderr
    assert "wrote 10 lines (stratified, seed 42)" in proc.stderr

    collection = load_collection(out)
    assert len(collection.entries) == 10
    assert math.isclose(math.fsum(e.weight for e in collection.entries), 1.0)
    assert {e.dataset_name for e in collection.entries} == {"arc", "ceval"}
    assert {e.subset_name for e in collection.entries if e.dataset_name == "ceval"} == {"logic"}

    meta = json.loads((tmp_path / "mixed.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["schema"]["sha256"] == schema_hash(load_schema(schema_path))
    assert (meta["seed"], meta["strategy"], meta["n_requested"], meta["n_drawn"]) == (42, "stratified", 10, 10)
    assert meta["output"]["sha256"] == collection.fingerprint
    # stratified on 14 arc and 13 logic samples: quotas 10·14/27 = 5.19 and 4.81 → 5 / 5
    assert [(leaf["dataset_name"], leaf["available"], leaf["drawn"]) for leaf in meta["leaves"]] == [
        ("arc", 14, 5), ("ceval", 13, 5)]


@pytest.mark.slow
def test_same_seed_same_file_other_seed_other_file(tmp_path: Path) -> None:
    schema_path = SCHEMAS / "math_index.json"
    outputs = []
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        out = tmp_path / f"{name}.jsonl"
        proc = run("sample", schema_path, "-n", "30", "--seed", seed, "-o", out)
        assert proc.returncode == 0, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


@pytest.mark.slow
def test_short_leaves_warn_on_stderr(tmp_path: Path) -> None:
    proc = run("sample", SCHEMAS / "math_index.json", "-n", "60", "-o", tmp_path / "m.jsonl")
    assert proc.returncode == 0, proc.stderr
    # quotas 22.5, 22.5, 7.5, 7.5: floors sum to 58, the two half remainders go to the first leaves
    assert "warning: leaf math_index/math/gsm8k: asked for 23 samples but its source has only 12" in proc.stderr
    assert "warning: leaf math_index/math/aime25: asked for 23 samples but its source has only 12" in proc.stderr
    meta = json.loads((tmp_path / "m.jsonl.meta.json").read_text(encoding="utf-8"))
    assert [leaf["drawn"] for leaf in meta["leaves"]] == [12, 12, 14, 13]
    assert meta["n_drawn"] == 51
    assert "only 51 of the 60 requested samples" in proc.stderr


@pytest.mark.slow
def test_missing_schema_file(tmp_path: Path) -> None:
    proc = run("sample", tmp_path / "nope.json", "-n", "5", "-o", tmp_path / "o.jsonl")
    assert_one_line_error(proc, "nope.json: no such schema file")


@pytest.mark.slow
def test_bad_schema_names_tree_path(tmp_path: Path) -> None:
    data = json.loads((SCHEMAS / "math_index.json").read_text(encoding="utf-8"))
    data["datasets"][1]["datasets"][0]["weight"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    proc = run("schema", "expand", bad)
    assert_one_line_error(proc, "bad.json: datasets[1].datasets[0].weight (math_index/reasoning/arc): must be a finite number > 0")


@pytest.mark.slow
def test_bad_source_line(tmp_path: Path) -> None:
    (tmp_path / "src.jsonl").write_text('{"input": "ok", "target": "1"}\n{"input": \n', encoding="utf-8")
    schema = {"name": "s", "datasets": [{"name": "exact", "args": {"local_path": "src.jsonl"}}]}
    (tmp_path / "s.json").write_text(json.dumps(schema), encoding="utf-8")
    proc = run("sample", tmp_path / "s.json", "-n", "1", "-o", tmp_path / "o.jsonl")
    assert_one_line_error(proc, "src.jsonl:2: not valid JSON")
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.slow
def test_missing_output_folder_and_bad_n(tmp_path: Path) -> None:
    proc = run("sample", SCHEMAS / "reasoning_index.json", "-n", "5", "-o", tmp_path / "no" / "o.jsonl")
    assert_one_line_error(proc, "does not exist")
    proc = run("sample", SCHEMAS / "reasoning_index.json", "-n", "0", "-o", tmp_path / "o.jsonl")
    assert proc.returncode == 2
    assert "must be at least 1" in proc.stderr and "Traceback" not in proc.stderr
