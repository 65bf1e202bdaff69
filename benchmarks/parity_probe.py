"""Per-sample scoring parity with EvalScope 1.14.1, for every family in benchmarks/parity_cases/*.py.

The cases (see /work/brief/PARITY.md for their shape) become one EvalScope collection (``test.jsonl`` in a
folder) and a mock script (prompt text -> answer). The built-in mock model serves the answers on loopback;
EvalScope's ``data_collection`` and pytest-evalindex (``--eval-compat evalscope`` and the default mode) are
run against it (EvalScope with ``ignore_errors``: a sample it crashes on has no review line and is listed
as a disagreement instead of ending the run); the main metric value of every sample (``value[main_score_name]``, else the first key, as a
collection averages it) is joined by collection index; agreement per family and every disagreement are
printed.

    .venv/bin/python benchmarks/parity_probe.py --evalscope-python /tmp/es/bin/python [--family choice]
        [--keep DIR] [--write-expected tests/scorers/data]

``--write-expected DIR`` writes ``DIR/parity_<family>.json``: every case with EvalScope's verdict (main
value, metric name, extracted answer), the oracle the unit tests check the scorers against without EvalScope.
A case may carry ``evalscope_dataset_args`` (EvalScope options such as ``extra_params``) with the ``scorer``
that reproduces them here; cases with different options run as separate collections.
Exit status 0 when both modes agree on every sample, else 1. Not a test; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _common import evalscope_env, free_port, only_run_dir, start_mock  # noqa: E402
from parity_cases import family_names, load_family  # noqa: E402

MODEL = "mock-model"
MODES = ("evalscope", "corrected")
REVIEWS = Path("reviews") / MODEL / "data_collection_default.jsonl"
ES_RUNNER = """
import sys
from evalscope import TaskConfig, run_task
import json
data_dir, url, work_dir, batch, extra = sys.argv[1:6]
dataset_args = dict(json.loads(extra), data_collection={'local_path': data_dir})
run_task(TaskConfig(model='mock-model', eval_type='openai_api', api_url=url, api_key='EMPTY',
                    datasets=['data_collection'], dataset_args=dataset_args,
                    generation_config={'temperature': 0.0}, eval_batch_size=int(batch), work_dir=work_dir,
                    ignore_errors=True))
"""


@dataclass(frozen=True)
class Verdict:
    """One tool's score of one sample: the main value a collection averages, its metric, the extraction."""

    value: float | None
    metric: str | None
    extracted: Any
    status: str | None


# ---------------------------------------------------------------- collection


def build(families: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """(cases with their family, collection lines, mock answers); inputs made unique when repeated."""
    cases: list[dict[str, Any]] = []
    for fam in families:
        cases += [dict(c, family=fam) for c in load_family(fam)]
    lines, answers = [], {}
    for i, case in enumerate(cases):
        text = case["input"]
        if text in answers:  # the mock answers by prompt text: a repeated prompt gets a visible suffix
            text = f"{text}\n\n(probe case {i})"
            case["input"] = text
        answers[text] = case["answer"]
        prompt: dict[str, Any] = {"input": [{"id": f"probe{i:05d}", "content": text, "role": "user"}],
                                  "target": case["target"], "id": i, "group_id": i,
                                  "metadata": case.get("metadata") or {}}
        if case.get("choices") is not None:
            prompt["choices"] = case["choices"]
        extra = {"scorer": case["scorer"]} if case.get("scorer") else {}  # EvalScope ignores this key
        lines.append({**extra, "index": i, "prompt": prompt, "tags": [case["family"]],
                      "categories": ["parity_probe", case["family"]], "task_type": case["family"],
                      "weight": 1.0 / len(cases), "dataset_name": case["dataset_name"],
                      "subset_name": case["subset_name"]})
    return cases, lines, answers


def groups(cases: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Case indices by the EvalScope ``dataset_args`` they need (a case's ``evalscope_dataset_args``, e.g.
    ``{"general_mcq": {"extra_params": {"multiple_correct": true}}}``, paired with a ``scorer`` key for
    ours): EvalScope applies them to every line of a dataset, so each group is a collection of its own."""
    out: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        out.setdefault(json.dumps(case.get("evalscope_dataset_args") or {}, sort_keys=True), []).append(i)
    return out


def write_suite(folder: Path, lines: list[dict[str, Any]]) -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    suite = data / "test.jsonl"
    suite.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return suite


def write_script(folder: Path, answers: dict[str, str]) -> Path:
    script = folder / "mock.json"
    script.write_text(json.dumps({"model": MODEL, "default": "I am not sure.", "answers": answers},
                                 ensure_ascii=False, indent=1), encoding="utf-8")
    return script


# ---------------------------------------------------------------- runs


def run_evalscope(es_python: str, data: Path, url: str, work: Path, batch: int, dataset_args: str) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    runner = work / "run_es.py"
    runner.write_text(ES_RUNNER)
    env = evalscope_env()
    log = work / "run.log"
    with log.open("wb") as fh:
        rc = subprocess.call([es_python, str(runner), str(data), url, str(work / "out"), str(batch), dataset_args], stdout=fh,
                             stderr=subprocess.STDOUT, env=env, cwd=work)
    if rc:
        raise SystemExit(f"EvalScope failed (exit {rc}); see {log}")
    return only_run_dir(work / "out")


def run_ours(suite: Path, url: str, mode: str, work: Path, batch: int) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(work), "-q", "-n", "0",
           "--eval-collection", str(suite), "--eval-model", MODEL, "--eval-api-url", url,
           "--eval-batch-size", str(batch), "--eval-compat", mode, "--eval-output-dir", str(work / "out")]
    log = work / "run.log"
    with log.open("wb") as fh:
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=work)
    if rc not in (0, 1):  # 1 = incorrect samples under a gate; anything else is a crash or usage error
        raise SystemExit(f"pytest-evalindex failed (exit {rc}); see {log}")
    return only_run_dir(work / "out")


def read_verdicts(run: Path) -> dict[int, Verdict]:
    """Collection index -> verdict, from a run's review file (EvalScope's ``Score.main_value`` rule)."""
    out: dict[int, Verdict] = {}
    for raw in (run / REVIEWS).read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        ss = line["sample_score"]
        score = ss["score"]
        values = score.get("value") or {}
        # Score.main_value: the named main metric when the value dict has it, else the first key (zebralogicbench
        # names puzzle_acc but writes only counts; tool_bench's F1 is absent on final-answer steps).
        metric = score.get("main_score_name")
        if metric not in values:
            metric = next(iter(values), metric)
        value = values.get(metric) if metric is not None else None
        out[int(ss["sample_metadata"]["collection_info"]["index"])] = Verdict(
            None if value is None else float(value), metric, score.get("extracted_prediction"), score.get("status"))
    return out


# ---------------------------------------------------------------- comparison


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def short(v: Any, n: int = 48) -> str:
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[: n - 1] + "…"


def report(cases: list[dict[str, Any]], es: dict[int, Verdict], ours: dict[str, dict[int, Verdict]]) -> bool:
    """Print agreement per family and mode, then every disagreement; True when all agree."""
    families = sorted({c["family"] for c in cases})
    all_agree = True
    print(f"\n{'family':<20} {'samples':>7}  " + "  ".join(f"{m:>24}" for m in ours))
    for fam in families:
        idx = [i for i, c in enumerate(cases) if c["family"] == fam]
        cells = []
        for got in ours.values():
            agree = sum(1 for i in idx if i in es and i in got and same(es[i].value, got[i].value))
            cells.append(f"{agree:>4}/{len(idx):<4} ({100.0 * agree / len(idx):6.2f}%)")
        print(f"{fam:<20} {len(idx):>7}  " + "  ".join(f"{c:>24}" for c in cells))
    for mode, got in ours.items():
        rows = []
        names = []
        for i, case in enumerate(cases):
            a, b = es.get(i), got.get(i)
            if a is None or b is None or not same(a.value, b.value):
                rows.append((i, case, a, b))
            elif a.metric != b.metric:
                names.append((i, case, a, b))
        all_agree = all_agree and not rows
        print(f"\n=== EvalScope vs --eval-compat {mode}: {len(rows)} disagreement(s) ===")
        for i, case, a, b in rows:
            print(f"#{i} [{case['family']}] {case['dataset_name']}/{case['subset_name']} ({case['note']}): "
                  f"EvalScope {_fmt(a)} || ours {_fmt(b)}  answer={short(case['answer'])}")
        if names:
            print(f"--- same value, different metric name ({len(names)}):")
            for i, case, a, b in names:
                print(f"#{i} {case['dataset_name']}: EvalScope {a.metric!r} || ours {b.metric!r}")
    return all_agree


def _fmt(v: Verdict | None) -> str:
    if v is None:
        return "<no review line>"
    return f"{v.value} ({v.metric}, extracted={short(v.extracted, 30)}, {v.status})"


def write_expected(folder: Path, cases: list[dict[str, Any]], es: dict[int, Verdict], version: str) -> None:
    """``parity_<family>.json`` per family: the cases and EvalScope's verdict on each."""
    folder.mkdir(parents=True, exist_ok=True)
    for fam in sorted({c["family"] for c in cases}):
        rows = []
        for i, case in enumerate(cases):
            if case["family"] != fam or i not in es:
                continue
            v = es[i]
            row = {k: case[k] for k in ("dataset_name", "subset_name", "choices", "target", "metadata", "answer",
                                        "note")}
            row.update({k: case[k] for k in ("scorer", "evalscope_dataset_args") if case.get(k)})
            row["expected"] = {"value": v.value, "metric": v.metric, "extracted": v.extracted}
            rows.append(row)
        head = json.dumps({"oracle": f"EvalScope {version}", "written_by": "benchmarks/parity_probe.py "
                           "--write-expected"}, ensure_ascii=False)[:-1]
        body = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)  # one case a line: readable diffs
        path = folder / f"parity_{fam}.json"
        path.write_text(f'{head}, "cases": [\n{body}\n]}}\n', encoding="utf-8")
        print(f"wrote {path} ({len(rows)} cases)")


def es_version(es_python: str) -> str:
    return subprocess.run([es_python, "-c", "import importlib.metadata as m; print(m.version('evalscope'))"],
                          capture_output=True, text=True, check=False).stdout.strip() or "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--evalscope-python", required=True, help="python of a venv with evalscope 1.14.1 installed")
    ap.add_argument("--family", action="append", choices=family_names(), help="default: every family")
    ap.add_argument("--mode", action="append", choices=MODES, help="default: both")
    ap.add_argument("--keep", type=Path, help="keep the collection, mock script and run folders here")
    ap.add_argument("--write-expected", type=Path, metavar="DIR", help="write DIR/parity_<family>.json")
    ap.add_argument("--batch", type=int, default=8, help="requests in flight per tool (default 8)")
    opts = ap.parse_args()
    version = es_version(opts.evalscope_python)
    cases, lines, answers = build(opts.family or family_names())
    print(f"EvalScope {version}; {len(cases)} cases from families {sorted({c['family'] for c in cases})}")
    tmp = tempfile.TemporaryDirectory() if opts.keep is None else None
    base = Path(tmp.name) if tmp else opts.keep
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mock = start_mock(write_script(base, answers), port, base / "mock.log")
    url = f"http://127.0.0.1:{port}/v1"
    es: dict[int, Verdict] = {}
    ours: dict[str, dict[int, Verdict]] = {m: {} for m in opts.mode or MODES}
    try:
        for k, (dataset_args, members) in enumerate(groups(cases).items()):
            folder = base if k == 0 else base / f"group{k}"
            suite = write_suite(folder, [lines[i] for i in members])
            es.update(read_verdicts(run_evalscope(opts.evalscope_python, suite.parent, url, folder / "evalscope",
                                                  opts.batch, dataset_args)))
            for mode, got in ours.items():
                got.update(read_verdicts(run_ours(suite, url, mode, folder / f"ours-{mode}", opts.batch)))
    finally:
        mock.terminate()
        mock.wait(10)
    ok = report(cases, es, ours)
    if opts.write_expected:
        write_expected(opts.write_expected, cases, es, version)
    if tmp:
        tmp.cleanup()
    else:
        print(f"\nrun folders kept under {base}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
