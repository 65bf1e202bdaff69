"""Our run folders in EvalScope's own viewer service (EvalScope installed in another venv, its service on
loopback): "View HTML Report" serves our reports/report.html, the report carries a Performance summary, and an
interrupted run is marked incomplete. Not part of the default test run (it needs EvalScope).

    python benchmarks/evalscope_viewer.py --evalscope /tmp/es/bin/evalscope

EvalScope's service needs its ``service`` extra (flask, uvicorn, fastapi, sse_starlette): install it in
EvalScope's venv, or into a folder passed as ``--pythonpath DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import free_port

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "example_suites" / "reasoning_index.jsonl"
SCRIPT = ROOT / "example_suites" / "reasoning_index.mock.json"


def run(outputs: Path, *extra: str) -> Path:
    before = set(outputs.glob("*")) if outputs.exists() else set()
    subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--eval-collection", str(SUITE),
                    "--eval-mock", str(SCRIPT), "--eval-output-dir", str(outputs), *extra],
                   cwd=ROOT, capture_output=True, check=False)
    (made,) = set(outputs.glob("*")) - before
    return made


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evalscope", default="evalscope", help="EvalScope's console script (its own venv)")
    parser.add_argument("--pythonpath", default="", help="extra packages for EvalScope's service (PYTHONPATH)")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outputs = Path(tmp) / "outputs"
        whole = run(outputs)
        time.sleep(1.1)  # run folders are named by the second
        partial = run(outputs, "-k", "not ceval")
        port = free_port()
        service = subprocess.Popen([opts.evalscope, "service", "--host", "127.0.0.1", "--port", str(port),
                                    "--outputs", str(outputs)],
                                   env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": opts.pythonpath},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}/api/v1/reports"
        try:
            for _ in range(600):  # EvalScope's imports take a while
                if service.poll() is not None:
                    print(f"FAIL the service exited with {service.returncode}")
                    return 1
                try:
                    get(f"http://127.0.0.1:{port}/health")
                    break
                except OSError:
                    time.sleep(0.5)
            checks: list[tuple[str, bool]] = []
            status, body = get(f"{base}/runs/{whole.name}/html")
            checks.append(("View HTML Report serves reports/report.html",
                           status == 200 and body == (whole / "reports" / "report.html").read_bytes()))
            model_id = next((whole / "reports").glob("*/evalindex_report.json")).parent.name
            for name, run_dir, incomplete in (("whole run", whole, False), ("-k run", partial, True)):
                status, body = get(f"{base}/runs/{run_dir.name}/models/{model_id}")
                data: dict[str, Any] = json.loads(body) if status == 200 else {}
                report = (data.get("report_list") or [{}])[0]
                summary = (report.get("perf_metrics") or {}).get("summary") or {}
                checks.append((f"{name}: Performance summary over its answered samples",
                               summary.get("n_samples") == (10 if not incomplete else 9)
                               and "50%" in summary.get("latency", {})))
                checks.append((f"{name}: execution_summary.incomplete is {incomplete}",
                               (report.get("execution_summary") or {}).get("incomplete") is incomplete))
            for label, ok in checks:
                print(f"{'ok  ' if ok else 'FAIL'} {label}")
            return 0 if all(ok for _, ok in checks) else 1
        finally:
            if service.poll() is None:
                os.killpg(service.pid, signal.SIGTERM)
                service.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
