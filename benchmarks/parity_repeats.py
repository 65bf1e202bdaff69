"""EvalScope parity of a repeats run: EvalScope 1.14.1 with ``repeats=K`` and pytest-evalindex with
``--eval-repeats K --eval-compat evalscope`` against one mock model that answers a sample inconsistently.

Checks, and prints one line each:

1. ``collection_detailed_report.json`` is identical (EvalScope counts every answer as a sample);
2. the review lines carry the same identities: (``index``, ``sample_id``, ``group_id``, ``generation_index``,
   ``collection_info.index``);
3. pytest-evalindex scoring EvalScope's own predictions (``--eval-predictions``, no request) gives every answer the
   same extracted answer as EvalScope's reviews, and the same detailed report;
4. EvalScope re-scoring our run folder (``use_cache``, ``rerun_review=True``) reproduces our detailed report.

    python benchmarks/parity_repeats.py --evalscope-python /tmp/es/bin/python

Not a test (no test imports it); nothing is downloaded (HF_HUB_OFFLINE=1, loopback only). Exit 0 when all hold.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import evalscope_env, free_port, only_run_dir, start_mock

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "example_suites" / "reasoning_index.jsonl"
SCRIPT = ROOT / "example_suites" / "reasoning_index.mock.json"
ES_RUNNER = """
import sys
from evalscope import TaskConfig, run_task
data_dir, url, work_dir, repeats, cache = sys.argv[1:6]
extra = {'use_cache': cache, 'rerun_review': True} if cache != '-' else {'work_dir': work_dir}
run_task(TaskConfig(model='mock-model', eval_type='openai_api', api_url=url, api_key='EMPTY',
                    datasets=['data_collection'], dataset_args={'data_collection': {'local_path': data_dir}},
                    generation_config={'temperature': 0.0}, eval_batch_size=4, repeats=int(repeats), **extra))
"""
DETAILED = Path("reports/mock-model/collection_detailed_report.json")
REVIEWS = Path("reviews/mock-model/data_collection_default.jsonl")


def _flaky_script(work: Path) -> Path:
    """The seed script with its first prompt answered A, C, A, … (cycled per request)."""
    script = json.loads(SCRIPT.read_text(encoding="utf-8"))
    first = next(iter(script["answers"]))
    script["answers"][first] = {"cycle": ["ANSWER: A", "ANSWER: C", "ANSWER: A"]}
    path = work / "flaky.mock.json"
    path.write_text(json.dumps(script), encoding="utf-8")
    return path


def _evalscope(es_python: str, work: Path, url: str, repeats: int, cache: str = "-") -> None:
    data = work / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(SUITE, data / "test.jsonl")
    runner = work / "run_es.py"
    runner.write_text(ES_RUNNER)
    env = evalscope_env()
    log = work / f"evalscope{'-rescore' if cache != '-' else ''}.log"
    with log.open("wb") as fh:
        rc = subprocess.call([es_python, str(runner), str(data), url, str(work / "es"), str(repeats), cache],
                             stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=work)
    if rc:
        raise SystemExit(f"EvalScope failed (exit {rc}); see {log}")


def _ours(work: Path, name: str, url: str, repeats: int, *extra: str) -> Path:
    out = work / name
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(work), "-q",
           "--eval-collection", str(SUITE), "--eval-model", "mock-model", "--eval-api-url", url,
           "--eval-repeats", str(repeats), "--eval-compat", "evalscope", "--eval-output-dir", str(out), *extra]
    with (work / f"{name}.log").open("wb") as fh:
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=work)
    if rc != 0:
        raise SystemExit(f"pytest-evalindex failed (exit {rc}); see {work / f'{name}.log'}")
    return only_run_dir(out)


def _reviews(run: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run / REVIEWS).read_text(encoding="utf-8").splitlines() if line.strip()]


def _identities(run: Path) -> list[tuple[Any, ...]]:
    return sorted((r["index"], r["sample_score"]["sample_id"], r["sample_score"]["group_id"],
                   r["sample_score"]["generation_index"], r["sample_score"]["sample_metadata"]["collection_info"]["index"])
                  for r in _reviews(run))


def _extracted(run: Path) -> dict[int, Any]:
    return {r["index"]: r["sample_score"]["score"]["extracted_prediction"] for r in _reviews(run)}


def _detailed(run: Path) -> Any:
    return json.loads((run / DETAILED).read_text(encoding="utf-8"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--evalscope-python", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="keep the work folder here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="parity-repeats-"))
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mock = start_mock(_flaky_script(work), port, work / "mock.log")
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _evalscope(args.evalscope_python, work, url, args.repeats)
        es = only_run_dir(work / "es")
        ours = _ours(work, "ours", url, args.repeats)
        replay = _ours(work, "replay", "http://127.0.0.1:9/v1", args.repeats, "--eval-predictions", str(es))
    finally:
        mock.terminate()
        mock.wait()
    copy = work / "ours-rescored"
    shutil.copytree(ours, copy)
    _evalscope(args.evalscope_python, work, "http://127.0.0.1:9/v1", args.repeats, cache=str(copy))
    checks = [
        ("collection_detailed_report.json, EvalScope vs ours", _detailed(es) == _detailed(ours)),
        ("review identities (index, sample_id, group_id, generation_index)", _identities(es) == _identities(ours)),
        ("EvalScope's predictions scored by us: extracted answers", _extracted(es) == _extracted(replay)),
        ("EvalScope's predictions scored by us: detailed report", _detailed(es) == _detailed(replay)),
        ("our folder re-scored by EvalScope: detailed report", _detailed(copy) == _detailed(ours)),
    ]
    counts = {row["count"] for row in _detailed(es)["category_level"]}
    print(f"EvalScope repeats={args.repeats}, seed example (10 samples, one flaky): category count {counts}")
    for label, ok in checks:
        print(f"{'same' if ok else 'DIFFERENT'}  {label}")
    print(f"work folder: {work}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
