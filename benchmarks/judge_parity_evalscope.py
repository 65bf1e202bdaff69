"""Judged collections end to end: EvalScope 1.14.1 and pytest-evalindex against the same two loopback servers.

The collection (default: example_suites/rag_index.jsonl, EvalScope's rag_index shape: chinese_simpleqa, aa_lcr,
ifeval) is run by EvalScope's ``data_collection`` (judge strategy auto, one judge model) and by this plugin, both
against one mock model (answers by prompt, from the suite's mock script) and one mock judge (verdicts by a
substring of the judge prompt: the answer being judged, which both tools' prompts contain). The judge server thus
returns the same verdict to both tools although their prompts are worded differently. Per-sample main values
(``None`` for an excluded sample) and the number of requests each server saw are compared.

    .venv/bin/python benchmarks/judge_parity_evalscope.py --evalscope-python /tmp/es/bin/python
    .venv/bin/python benchmarks/judge_parity_evalscope.py --evalscope-python /tmp/es/bin/python \
        --cases tests/scorers/data/judge_cases.json

``--cases`` builds the collection from the unit parity cases (or an oracle file of them) instead (every judged benchmark, valid and
malformed verdicts; strategy auto, one verdict per request): each case's question gets a unique tag that the
judge's rule matches, so both tools' judge prompts get the case's scripted reply.

Exit status 0 when every sample agrees. Not a test; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import evalscope_env, only_run_dir
from parity_probe import REVIEWS, ROOT, Verdict, read_verdicts, same

from pytest_evalindex.model.mock import MockServer

ES_RUNNER = """
import sys
from evalscope import TaskConfig, run_task
data_dir, url, judge_url, work_dir = sys.argv[1:5]
run_task(TaskConfig(model='mock-model', eval_type='openai_api', api_url=url, api_key='EMPTY',
                    datasets=['data_collection'], dataset_args={'data_collection': {'local_path': data_dir}},
                    generation_config={'temperature': 0.0}, eval_batch_size=4, work_dir=work_dir,
                    judge={'strategy': 'auto', 'models': [{'model_id': 'mock-judge', 'api_url': judge_url,
                                                           'api_key': 'EMPTY'}]},
                    ignore_errors=True))
"""


def run_evalscope(es_python: str, suite: Path, url: str, judge_url: str, work: Path) -> Path:
    data = work / "data"
    data.mkdir(parents=True)
    (data / "test.jsonl").write_bytes(suite.read_bytes())
    (work / "run_es.py").write_text(ES_RUNNER)
    env = evalscope_env()
    with (work / "run.log").open("wb") as log:
        rc = subprocess.call([es_python, str(work / "run_es.py"), str(data), url, judge_url, str(work / "out")],
                             stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    if rc:
        raise SystemExit(f"EvalScope failed (exit {rc}); see {work / 'run.log'}")
    return only_run_dir(work / "out")


def run_ours(suite: Path, url: str, judge_url: str, work: Path) -> Path:
    work.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(work), "-q", "-n", "0",
           "--eval-collection", str(suite), "--eval-model", "mock-model", "--eval-api-url", url,
           "--eval-judge-model", "mock-judge", "--eval-judge-api-url", judge_url, "--eval-batch-size", "4",
           "--eval-compat", "evalscope", "--eval-output-dir", str(work / "out")]
    with (work / "run.log").open("wb") as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    if rc not in (0, 1):
        raise SystemExit(f"pytest-evalindex failed (exit {rc}); see {work / 'run.log'}")
    return only_run_dir(work / "out")


def _tagged(value: Any, tag: str) -> Any:
    """A text with ``tag`` appended, or a list of messages whose last one's text has it."""
    if isinstance(value, str):
        return f"{value} {tag}"
    return [*value[:-1], dict(value[-1], content=f"{value[-1]['content']} {tag}")]


def suite_from_cases(cases_file: Path, folder: Path) -> tuple[Path, dict[str, object]]:
    """A collection and a mock script (model answers + judge rules) from the unit parity cases."""
    cases = json.loads(cases_file.read_text(encoding="utf-8"))["cases"]
    lines, answers, rules = [], {}, []
    for case in cases:
        replies = case["replies"]
        if case.get("strategy", "auto") != "auto" or None in replies or len(set(replies)) != 1:
            continue  # one strategy per run; transport faults differ on purpose; one reply per tag
        if "error" in (case.get("expected") or {}):
            continue  # an oracle file's case EvalScope itself fails on (it would stop EvalScope's whole run)
        i = len(lines)
        tag = f"[case {i}]"
        metadata = dict(case.get("metadata") or {})
        for key in ("question", "prompt"):  # the question fields judges read instead of the input
            if isinstance(metadata.get(key), (str, list)):
                metadata[key] = _tagged(metadata[key], tag)
        messages = _tagged(case["input"] if isinstance(case["input"], list) else
                           [{"role": "user", "content": case["input"]}], tag)
        content = messages[-1]["content"]
        lines.append({"index": i, "prompt": {"input": messages, "target": case["target"],
                                             "id": i, "group_id": i, "metadata": metadata},
                      "tags": [case["dataset_name"]], "categories": ["judge_probe"], "task_type": "judged",
                      "weight": 1.0, "dataset_name": case["dataset_name"], "subset_name": "default"})
        answers[content] = case["answer"]
        rules.append({"contains": tag, "answer": replies[0]})
    folder.mkdir(parents=True, exist_ok=True)
    suite = folder / "judge_probe.jsonl"
    suite.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return suite, {"answers": answers, "rules": rules}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evalscope-python", required=True)
    parser.add_argument("--suite", type=Path, default=ROOT / "example_suites" / "rag_index.jsonl")
    parser.add_argument("--script", type=Path, default=ROOT / "example_suites" / "rag_index.mock.json")
    parser.add_argument("--cases", type=Path, default=None, help="build the collection from these parity cases")
    parser.add_argument("--keep", type=Path, default=None, help="keep the runs' folders here")
    opts = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="judge-parity-")) if opts.keep is None else opts.keep
    script = json.loads(opts.script.read_text(encoding="utf-8"))
    if opts.cases is not None:
        opts.suite, script = suite_from_cases(opts.cases, base / "suite")
    model_script = {"model": "mock-model", "answers": script["answers"], "default": script.get("default", "?")}
    judge_script = {"model": "mock-judge", "rules": script["rules"], "default": "no verdict for this prompt"}
    results: dict[str, dict[int, Verdict]] = {}
    requests: dict[str, tuple[int, int]] = {}
    with MockServer(model_script) as model, MockServer(judge_script) as judge:
        for tool in ("evalscope", "ours"):
            model.reset_stats()
            judge.reset_stats()
            work = base / tool
            run = (run_evalscope(opts.evalscope_python, opts.suite, model.url, judge.url, work) if tool == "evalscope"
                   else run_ours(opts.suite, model.url, judge.url, work))
            results[tool] = read_verdicts(run)
            requests[tool] = (model.stats()["requests"], judge.stats()["requests"])
    es, ours = results["evalscope"], results["ours"]
    indices = sorted(set(es) | set(ours))
    disagree = [i for i in indices if i not in es or i not in ours or not same(es[i].value, ours[i].value)]
    print(f"{'index':>5}  {'evalscope':>16}  {'ours':>16}")
    for i in indices:
        left = f"{es[i].value} {es[i].status}" if i in es else "-"
        right = f"{ours[i].value} {ours[i].status}" if i in ours else "-"
        print(f"{i:>5}  {left:>16}  {right:>16}{'   <-- differs' if i in disagree else ''}")
    for tool, (m, j) in requests.items():
        print(f"{tool}: {m} model requests, {j} judge requests")
    print(f"{len(indices) - len(disagree)}/{len(indices)} samples agree; runs in {base} ({REVIEWS})")
    return 0 if not disagree else 1


if __name__ == "__main__":
    raise SystemExit(main())
