"""--eval-shard I/N and `evalindex merge`: three shards plus a merge write the files of one whole run (timings
aside), under -n0 and -n 2 alike; shards leave the gates to the merge; the merge refuses a bad set of shards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers_runs import GENERAL_SUITE, MODEL, general_script, run_plugin

from conftest import output_dir_of
from pytest_evalindex.cli.main import main as evalindex
from pytest_evalindex.model.mock import MockServer

# The only fields allowed to differ between the whole run and the merge: how long requests took (a sample's
# `latency`, a prediction's `model_output.time`, every `perf_metrics`), and the per-process engine counters
# (`settings.engine_counters`: one run's processes vs each shard's). Paths are the same on purpose: the
# shards ran in the same checkout as the whole run.
TIMING_FIELDS = frozenset({"latency", "time", "perf_metrics", "engine_counters"})
# One prompt of the suite always fails (HTTP 500, no retries): an error sample, left out of the
# EvalScope files, numbered around in them, and counted by the error budget.
FAILING = "closest to the Sun"
GATES = ("--eval-threshold", "index>=0.2", "--eval-threshold", "dataset_level:*:micro_avg>=0.9",
         "--eval-max-error-rate", "0.05")


def _normalised(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [_normalised(json.loads(line)) for line in text.splitlines()]
    if path.suffix == ".json":
        return _normalised(json.loads(text))
    if path.suffix == ".yaml":
        return _normalised(yaml.safe_load(text))
    return text


def snapshot(run_dir: Path) -> dict[str, Any]:
    """Every file of a run folder, parsed, with only :data:`TIMING_FIELDS` removed; the HTML page, which shows
    latencies and its run folder's name, must be there (its numbers come from the files compared here)."""
    return {str(p.relative_to(run_dir)): "<html page>" if p.suffix == ".html" else _load(p)
            for p in sorted(run_dir.rglob("*")) if p.is_file()}


def _report(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run_dir / "reports" / MODEL / "evalindex_report.json").read_text("utf-8"))
    return data


def _merge(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()  # pytester echoes the runs it made
    code = evalindex(["merge", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.slow
def test_three_shards_and_a_merge_equal_one_run(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    script = general_script(rules=[{"contains": FAILING, "fault": "500"}])
    script["answers"] = {prompt: answer for prompt, answer in script["answers"].items() if FAILING not in prompt}
    common = ("--eval-max-retries", "0", *GATES)
    with MockServer(script) as server:
        baseline_run = run_plugin(pytester, server.url, "--eval-max-retries", "0",
                                  "--eval-output-dir", str(pytester.path / "baseline"))
        baseline = output_dir_of(baseline_run.stdout.str())
        with_baseline = (*common, "--eval-baseline", str(baseline), "--eval-max-drop", "0.0")
        whole_run = run_plugin(pytester, server.url, *with_baseline, "--eval-output-dir", str(pytester.path / "whole"),
                               "--eval-markdown", str(pytester.path / "whole.md"))
        shard_dirs: dict[str, list[Path]] = {}
        # Every shard under -n0, and the middle one again under -n 2 (one -n 2 shard shows that xdist neither
        # changes a shard's share nor what the merge makes of it; test_ci_recipe runs a whole sharded CI job so).
        for workers, shards in (("0", (1, 2, 3)), ("2", (2,))):
            for i in shards:
                shard = run_plugin(pytester, server.url, *with_baseline, "-n", workers, "--eval-shard", f"{i}/3",
                                   "--eval-output-dir", str(pytester.path / f"n{workers}" / f"shard{i}"),
                                   "--eval-markdown", str(pytester.path / f"shard{i}.md"))
                out = shard.stdout.str()
                shard_dir = output_dir_of(out)
                shard_dirs.setdefault(workers, []).append(shard_dir)
                record = _report(shard_dir)["shard"]
                holds_error = any(s["status"] == "error" for s in _report(shard_dir)["samples"])
                # The thresholds fail on the whole run, and would on a shard: a shard is not gated by them.
                assert shard.ret == (1 if holds_error else 0), out
                assert "gate[index" not in out and "gate[dataset_level" not in out
                shard.stdout.fnmatch_lines([f"evalindex: shard {i}/3 of collection sha256:* ({record['samples']} of "
                                            "33 samples): thresholds, the baseline and code gates are decided by "
                                            "`evalindex merge` over all shards*"])
                assert "no verdict" not in out
                assert (f"This run is shard {i}/3 of collection" in
                        (pytester.path / f"shard{i}.md").read_text(encoding="utf-8"))
    whole_out = whole_run.stdout.str()
    assert whole_run.ret == 1, whole_out
    whole = output_dir_of(whole_out)

    n0, n2 = ([_report(d) for d in shard_dirs[w]] for w in ("0", "2"))
    # One collection fingerprint, the same share under -n0 and -n 2, together the whole collection once.
    assert len({r["shard"]["collection"] for r in n0 + n2}) == 1
    assert sorted(s["node_id"] for s in n0[1]["samples"]) == sorted(s["node_id"] for s in n2[0]["samples"])
    ids = [s["node_id"] for r in n0 for s in r["samples"]]
    assert sorted(ids) == sorted(s["node_id"] for s in _report(whole)["samples"]) and len(set(ids)) == 33
    assert all(r["shard"]["samples"] == len(r["samples"]) and r["selection"]["partial"] is False for r in n0)

    expected = snapshot(whole)
    expected_summary = (pytester.path / "whole.md").read_text(encoding="utf-8")
    gate_args = (*GATES, "--eval-baseline", str(baseline), "--eval-max-drop", "0.0")
    mixed = [shard_dirs["0"][0], shard_dirs["2"][0], shard_dirs["0"][2]]  # shard 2/3 made under -n 2
    for workers, dirs in (("0", shard_dirs["0"]), ("2", mixed)):
        summary = pytester.path / f"merged{workers}.md"
        code, out, err = _merge(capsys, *reversed(dirs), "-o", pytester.path / f"merged{workers}", *gate_args,
                                "--eval-markdown", summary)
        assert code == 1, out + err
        assert "FAILED gate[dataset_level:*:micro_avg>=0.9]" in out and "PASSED gate[index>=0.2]" in out
        merged = output_dir_of(out)
        assert sorted(expected) == sorted(snapshot(merged))
        for name, content in snapshot(merged).items():
            assert content == expected[name], f"{name} differs (shard 2/3 under -n {workers})"
        assert summary.read_text(encoding="utf-8") == expected_summary

    # A wrong set of shards is one clear line and no verdict (exit 2), before anything is written.
    one, two, three = shard_dirs["0"]
    code, out, err = _merge(capsys, one, three, "-o", pytester.path / "bad")
    assert code == 2 and not out
    assert err.startswith("evalindex merge: the shards do not cover collection sha256:") and \
        err.rstrip().endswith("exactly once: missing shard 2/3"), err
    code, out, err = _merge(capsys, one, two, three, one, "-o", pytester.path / "bad")
    assert code == 2 and f"given more than once: 1/3 ({one}, {one})" in err, err
    code, out, err = _merge(capsys, one, two, whole, "-o", pytester.path / "bad")
    assert code == 2 and f"{whole} is not a shard run (it was not made with --eval-shard I/N)" in err, err
    code, out, err = _merge(capsys, *shard_dirs["0"], "--eval-threshold", "index>=x", "-o", pytester.path / "bad")
    assert code == 4 and "index>=x" in err, err
    assert not (pytester.path / "bad").exists()
    # Folders holding run folders (downloaded CI artifacts) are searched.
    code, out, err = _merge(capsys, pytester.path / "n0", "-o", pytester.path / "from_folders",
                            "--eval-threshold", "index>=0.2")
    assert code == 1 and "FAILED gate[error_rate<=0]" in out, out + err  # budget 0 now: the error sample fails it


def test_a_shard_is_an_explicit_subset_but_k_inside_it_gives_no_verdict(pytester: pytest.Pytester) -> None:
    with MockServer(general_script()) as server:
        result = run_plugin(pytester, server.url, "--eval-shard", "2/3", "-k", "arc", "--eval-threshold", "index>=0.1",
                            suite=GENERAL_SUITE)
    output = result.stdout.str()
    assert result.ret == 2, output
    report = _report(output_dir_of(output))
    selection = report["selection"]
    assert selection["partial"] is True and selection["ran"] < selection["total"] == report["shard"]["samples"] < 33
    result.stdout.fnmatch_lines([f"evalindex: no verdict — {selection['ran']} of {selection['total']} samples ran*"])


def test_bad_shard_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run_plugin(pytester, "http://127.0.0.1:9/v1", "-o", "eval_shard=4/3")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--eval-shard (ini eval_shard): expected I/N with 1 <= I <= N, like 2/3 (got '4/3')*"])
