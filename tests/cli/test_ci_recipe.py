"""The README's sharded GitHub Actions workflow, run locally as written: each matrix job in its own folder (a fresh
checkout), artifacts uploaded and downloaded as actions/upload-artifact and download-artifact v4 lay them out,
then the merge job's command, which gates."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers_runs import GENERAL_SUITE, MODEL, general_script, run_pytester

from conftest import ROOT, output_dir_of
from pytest_evalindex.model.mock import MockServer

SECRET = "sk-ci-secret-4242"


def workflow() -> dict[str, Any]:
    """The README's YAML block that runs `evalindex merge`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if "evalindex merge" in b]
    assert len(blocks) == 1
    data: dict[str, Any] = yaml.safe_load(blocks[0])
    return data


def expand(text: str, context: dict[str, str]) -> str:
    """GitHub's ``${{ expr }}`` for the expressions the recipe uses; any other one fails the test."""
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in context, f"the simulation does not know ${{{{ {expression} }}}}"
        return context[expression]
    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


class Runner:
    """Jobs of the workflow on this machine: a folder per job, one shared artifact store."""

    def __init__(self, base: Path, context: dict[str, str], checkout: dict[str, Path]) -> None:
        self.base, self.context, self.checkout = base, context, checkout
        self.artifacts = base / "artifacts"
        self.outputs: list[tuple[str, int, str]] = []  # (step command, exit code, stdout + stderr)

    def run_job(self, name: str, job: dict[str, Any], extra: dict[str, str]) -> Path:
        workdir = self.base / name
        workdir.mkdir(parents=True)
        context = {**self.context, **extra}
        for step in job["steps"]:
            self._step(step, workdir, context)
        return workdir

    def _step(self, step: dict[str, Any], workdir: Path, context: dict[str, str]) -> None:
        if "run" in step:
            command = expand(step["run"], context).strip()
            if command.startswith("pip install"):
                return  # this environment has the package installed
            env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                   **{k: expand(str(v), context) for k, v in (step.get("env") or {}).items()}}
            env.pop("GITHUB_STEP_SUMMARY", None)
            done = subprocess.run(command, shell=True, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
            self.outputs.append((command, done.returncode, done.stdout + done.stderr))
            return
        action, _, _version = step["uses"].partition("@")
        options = {k: expand(str(v), context) for k, v in (step.get("with") or {}).items()}
        if action == "actions/checkout":
            for relative, source in self.checkout.items():
                (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, workdir / relative)
        elif action == "actions/upload-artifact":
            shutil.copytree(workdir / options["path"], self.artifacts / options["name"])
        elif action == "actions/download-artifact":  # v4 with a pattern: each artifact in its own folder
            for artifact in sorted(self.artifacts.iterdir()):
                if fnmatch.fnmatch(artifact.name, options["pattern"]):
                    shutil.copytree(artifact, workdir / options["path"] / artifact.name)
        else:
            assert action == "actions/setup-python", f"the simulation does not know {action}"


@pytest.mark.slow
def test_the_readme_workflow_shards_merges_and_gates(pytester: pytest.Pytester) -> None:
    flow = workflow()
    shard_job, gate_job = flow["jobs"]["shard"], flow["jobs"]["gate"]
    assert gate_job["needs"] == "shard"
    matrix = shard_job["strategy"]["matrix"]["shard"]
    assert matrix == [1, 2, 3]
    with MockServer(general_script()) as server:
        # The released model's report, committed beside the suite as evals/baseline.json.
        released = run_pytester(pytester,
            "--eval-collection", str(GENERAL_SUITE), "--eval-model", MODEL, "--eval-api-url", server.url,
            "-p", "no:cacheprovider", "--eval-output-dir", str(pytester.path / "released"))
        baseline = next(output_dir_of(released.stdout.str()).glob("reports/*/evalindex_report.json"))
        context = {"vars.MODEL_NAME": MODEL, "vars.MODEL_API_URL": server.url, "secrets.MODEL_API_KEY": SECRET,
                   "strategy.job-total": str(len(matrix)), "!cancelled()": "true"}
        runner = Runner(pytester.path / "ci", context,
                        {"evals/general_index.jsonl": GENERAL_SUITE, "evals/baseline.json": baseline})
        for shard in matrix:
            runner.run_job(f"shard-{shard}", shard_job, {"matrix.shard": str(shard)})
        shard_steps = list(runner.outputs)
        gate_dir = runner.run_job("gate", gate_job, {})
    assert len(shard_steps) == 3 and all(code == 0 for _, code, _ in shard_steps), shard_steps
    for (command, _, output), shard in zip(shard_steps, matrix):
        assert f"--eval-shard {shard}/3" in command and f"shard {shard}/3 of collection" in output
    (command, code, output), = runner.outputs[3:]
    assert command.startswith("evalindex merge shards -o eval-outputs")
    assert code == 0, output
    for gate in ("index>=0.70", "dataset_level:*:micro_avg>=0.5", "error_rate<=0.01", "baseline:max_drop<=0.02"):
        assert f"PASSED gate[{gate}]" in output, output
    merged_dir = output_dir_of(output)
    merged = json.loads(next((gate_dir / merged_dir).glob("reports/*/evalindex_report.json")).read_text("utf-8"))
    released_report = json.loads(baseline.read_text(encoding="utf-8"))
    assert merged["index"] == released_report["index"] and merged["levels"] == released_report["levels"]
    assert merged["selection"] == {"ran": 33, "selected": 33, "total": 33, "partial": False, "why": []}
    assert (runner.artifacts / "eval-run").is_dir()
    every_file = [p for p in runner.base.rglob("*") if p.is_file() and "artifacts" not in p.parts]
    assert every_file and not [p for p in every_file if SECRET in p.read_text(encoding="utf-8", errors="replace")]
