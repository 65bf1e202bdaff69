"""Code-execution parity with EvalScope 1.14.1: humaneval, humaneval_plus, mbpp, mbpp_plus, live_code_bench.

The cases of benchmarks/code_parity_cases.py (correct, wrong, timing-out and crashing answers per benchmark)
become one collection served by the built-in mock model; pytest-evalindex scores it end to end with
``--eval-code-exec`` (bwrap by default), while EvalScope's own code (tests/sandbox/evalscope_code_oracle.py,
run by EvalScope's interpreter) extracts the code, assembles the program and judges it: its local graders for
humaneval and live_code_bench, and for mbpp and the plus variants (EvalScope runs those only in its container)
the captured program run as its container runs it, ``python program.py``, passing iff exit 0 in time.

Per benchmark it prints how many verdicts, extracted codes and assembled programs agree, then every
disagreement. Exit status 0 when everything agrees. Takes ~5 minutes: a humaneval_plus answer that never
returns waits out EvalScope's 300 s timeout on both sides (concurrently).

    .venv/bin/python benchmarks/code_parity_probe.py --evalscope-python /tmp/es/bin/python [--mode unsafe]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import code_parity_cases as cases
from _common import ROOT

from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.scorers.code.scoring import BUILDERS

ORACLE = ROOT / "tests" / "sandbox" / "evalscope_code_oracle.py"
BENCHMARKS = ("humaneval", "humaneval_plus", "mbpp", "mbpp_plus", "live_code_bench")


def probe_cases() -> list[dict[str, Any]]:
    """Every case with its benchmark, kind, answer and sample metadata, in collection order."""
    rows: list[dict[str, Any]] = []
    for kind, answer in cases.HUMANEVAL:
        rows.append({"benchmark": "humaneval", "kind": kind, "answer": answer, "metadata": cases.RUNNING_MAX})
    for kind, answer in cases.HUMANEVAL_PLUS:
        rows.append({"benchmark": "humaneval_plus", "kind": kind, "answer": answer, "metadata": cases.MEAN_GAP})
    for i, (kind, answer) in enumerate(cases.MBPP):
        rows.append({"benchmark": "mbpp", "kind": kind, "answer": answer,
                     "metadata": {**cases.MBPP_PROBLEM, "task_id": 800 + i}})
    for kind, answer in cases.MBPP_PLUS:
        rows.append({"benchmark": "mbpp_plus", "kind": kind, "answer": answer, "metadata": cases.MBPP_PLUS_PROBLEM})
    for kind, answer, sample in cases.LIVE_CODE_BENCH:
        style = "functional" if json.loads(sample)["fn_name"] else "stdin"
        rows.append({"benchmark": "live_code_bench", "kind": f"{kind} ({style})", "answer": answer,
                     "metadata": {"evaluation_sample": sample}})
    return rows


def write_collection(path: Path, rows: list[dict[str, Any]]) -> dict[str, str]:
    """The collection file; returns the mock model's answers by prompt text."""
    answers = {}
    with path.open("w", encoding="utf-8") as f:
        for i, row in enumerate(rows):
            prompt = f"Probe case {i}: {row['benchmark']}, {row['kind']}."
            answers[prompt] = row["answer"]
            f.write(json.dumps({"index": i, "prompt": {"input": prompt, "target": "", "metadata": row["metadata"]},
                                "tags": ["code"], "categories": ["code_probe", row["benchmark"]],
                                "task_type": "code", "weight": 1.0, "dataset_name": row["benchmark"],
                                "subset_name": "default"}) + "\n")
    return answers


def oracle_job(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    job: dict[str, list[dict[str, Any]]] = {name: [] for name in BENCHMARKS}
    for row in rows:
        name, answer, meta = row["benchmark"], row["answer"], row["metadata"]
        if name == "humaneval":
            job[name].append({"answer": answer, "problem": meta, "timeout": 4.0})
        elif name == "humaneval_plus":
            job[name].append({"answer": answer, "problem": meta, "run": True})
        elif name == "mbpp":
            job[name].append({"answer": answer, "test_setup_code": meta["test_setup_code"],
                              "test_list": meta["test_list"], "run": True})
        elif name == "mbpp_plus":
            job[name].append({"answer": answer, "metadata": meta, "run": True})
        else:
            job[name].append({"answer": answer, "evaluation_sample": meta["evaluation_sample"], "timeout": 6.0})
    return job


def start_oracle(es_python: str, job: dict[str, Any], work: Path) -> subprocess.Popen[str]:
    env = {"PATH": os.defpath, "HF_HUB_OFFLINE": "1", "HOME": str(work)}
    with (work / "oracle.log").open("wb") as log:  # EvalScope's logging: a file, so no pipe fills up
        proc = subprocess.Popen([es_python, str(ORACLE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=log, text=True, env=env, cwd=work)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(job))
    proc.stdin.close()
    return proc


def oracle_verdicts(job: dict[str, Any], answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Per case in collection order: EvalScope's extracted code, program (None for live_code_bench), pass."""
    out = []
    for name in BENCHMARKS:
        for row in answer[name]:
            if name == "humaneval":
                passed = row["result"] == "passed"
            elif name == "live_code_bench":
                passed = all(r is True or (type(r) in (int, float) and r > 0) for r in row["results"])
            else:
                passed = row["status"] == "success"
            out.append({"code": row["code"], "program": row.get("program"), "passed": passed,
                        "detail": row.get("result") or row.get("status") or row.get("results")})
    return out


def run_ours(collection: Path, url: str, mode: str, work: Path) -> dict[int, dict[str, Any]]:
    out = work / "out"
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--rootdir", str(work), "-n", "0",
           "--eval-collection", str(collection), "--eval-model", "probe-model", "--eval-api-url", url,
           "--eval-batch-size", "8", "--eval-code-exec", mode, "--eval-output-dir", str(out)]
    log = work / "ours.log"
    with log.open("wb") as fh:
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=work)
    if rc not in (0, 1):
        raise SystemExit(f"pytest-evalindex failed (exit {rc}); see {log}")
    review = next(out.glob("*/reviews/*/*.jsonl"))
    got = {}
    for line in map(json.loads, review.read_text(encoding="utf-8").splitlines()):
        score = line["sample_score"]["score"]
        index = int(line["sample_score"]["sample_metadata"]["collection_info"]["index"])
        got[index] = {"value": (score.get("value") or {}).get("acc"), "code": score.get("extracted_prediction"),
                      "status": ((score.get("metadata") or {}).get("execution_result") or {}).get("status")}
    return got


def compare(rows: list[dict[str, Any]], theirs: list[dict[str, Any]], ours: dict[int, dict[str, Any]]) -> bool:
    print(f"\n{'benchmark':<16} {'cases':>5}  {'verdicts':>9}  {'extraction':>10}  {'program':>9}  kinds (our status)")
    problems = []
    for name in BENCHMARKS:
        idx = [i for i, row in enumerate(rows) if row["benchmark"] == name]
        verdicts = code = program = 0
        for i in idx:
            mine, es, row = ours.get(i), theirs[i], rows[i]
            ok_verdict = mine is not None and mine["value"] == (1.0 if es["passed"] else 0.0)
            ok_code = mine is not None and mine["code"] == es["code"]
            ok_program = es["program"] is None or (
                BUILDERS[name](row["answer"], row["metadata"]).files.get("program.py") == es["program"])
            verdicts, code, program = verdicts + ok_verdict, code + ok_code, program + ok_program
            if not (ok_verdict and ok_code and ok_program):
                problems.append(f"#{i} {name} {row['kind']}: EvalScope passed={es['passed']} ({es['detail']}), ours "
                                f"{None if mine is None else (mine['value'], mine['status'])}; extraction "
                                f"{'same' if ok_code else 'DIFFERS'}, program {'same' if ok_program else 'DIFFERS'}")
        kinds = Counter(f"{rows[i]['kind']}:{(ours.get(i) or {}).get('status')}" for i in idx)
        print(f"{name:<16} {len(idx):>5}  {verdicts:>4}/{len(idx):<4} {code:>5}/{len(idx):<4} "
              f"{program:>4}/{len(idx):<4}  {', '.join(f'{k} x{n}' for k, n in sorted(kinds.items()))}")
    print(f"\n{len(problems)} disagreement(s)")
    for line in problems:
        print(line)
    return not problems


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--evalscope-python", required=True, help="python of a venv with evalscope 1.14.1")
    ap.add_argument("--mode", default="bwrap", choices=("bwrap", "unsafe"), help="--eval-code-exec for our side")
    ap.add_argument("--keep", type=Path, help="keep the collection and run folder here")
    opts = ap.parse_args()
    rows = probe_cases()
    tmp = tempfile.TemporaryDirectory() if opts.keep is None else None
    work = Path(tmp.name) if tmp else opts.keep
    work.mkdir(parents=True, exist_ok=True)
    collection = work / "code_probe.jsonl"
    answers = write_collection(collection, rows)
    job = oracle_job(rows)
    print(f"{len(rows)} cases: " + ", ".join(f"{n} {sum(r['benchmark'] == n for r in rows)}" for n in BENCHMARKS))
    oracle = start_oracle(opts.evalscope_python, job, work)  # runs while ours does
    with MockServer({"model": "probe-model", "answers": answers}) as server:
        ours = run_ours(collection, server.url, opts.mode, work)
    assert oracle.stdout is not None
    stdout = oracle.stdout.read()  # the oracle writes its answer once, at the end
    oracle.wait(timeout=60)
    if oracle.returncode != 0:
        tail = (work / "oracle.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"the EvalScope oracle failed (exit {oracle.returncode}):\n{tail}")
    ok = compare(rows, oracle_verdicts(job, json.loads(stdout)), ours)
    if tmp:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
