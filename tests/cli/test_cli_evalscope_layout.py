"""`evalindex sample -o FOLDER/` writes FOLDER/test.jsonl, the layout EvalScope 1.14.1 itself loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from machine_needs import EvalScopeOracle

ROOT = Path(__file__).resolve().parents[2]
EVALINDEX = Path(sys.executable).parent / "evalindex"

# Loads the folder exactly as `run_task(TaskConfig(datasets=['data_collection'], dataset_args=…))` does.
LOAD = """
import json, sys
from evalscope import TaskConfig
from evalscope.api.registry import get_benchmark
config = TaskConfig(model="m", datasets=["data_collection"],
                    dataset_args={"data_collection": {"local_path": sys.argv[1]}})
samples = [s for subset in get_benchmark("data_collection", config).load_dataset().values() for s in subset]
print(json.dumps(sorted(s.metadata["collection_info"]["dataset_name"] for s in samples)))
"""


@pytest.mark.slow
def test_evalscope_loads_the_sampled_folder(tmp_path: Path, evalscope_oracle: EvalScopeOracle) -> None:
    folder = tmp_path / "mixed"
    made = subprocess.run([str(EVALINDEX), "sample", str(ROOT / "example_suites/schemas/reasoning_index.json"),
                           "-n", "10", "-o", f"{folder}/"], capture_output=True, text=True, check=False, timeout=120)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(folder / "test.jsonl")
    assert sorted(p.name for p in folder.iterdir()) == ["test.jsonl", "test.jsonl.meta.json"]
    written = sorted(json.loads(line)["dataset_name"] for line in (folder / "test.jsonl").read_text().splitlines())

    loaded = subprocess.run([str(evalscope_oracle.python), "-c", LOAD, str(folder)], capture_output=True, text=True,
                            check=False, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert json.loads(loaded.stdout.strip().splitlines()[-1]) == written
