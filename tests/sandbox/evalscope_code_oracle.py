"""Oracle run by EvalScope 1.14.1's interpreter (/tmp/es): its extraction, program assembly and local graders.

Reads a JSON job on stdin, prints a JSON answer. Executions run in forked children (EvalScope's graders
disable os functions in the process that runs them), each bounded like EvalScope bounds them. mbpp,
humaneval_plus and mbpp_plus have no local grader in EvalScope (only its container, where a program passes
iff `python <file>` exits 0 within the timeout): their captured programs are run that way here, as plain
subprocesses, when a case asks for it (`"run": true`; benign code only).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def _in_child(fn: Any, limit: float, fallback: Any) -> Any:
    """Run fn() in a forked child and return its JSON-able result, or `fallback` after `limit` seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            payload = json.dumps(fn()).encode()
        except BaseException as exc:  # the grader itself died (e.g. SystemExit from the program)
            payload = json.dumps({"child_died": repr(exc)}).encode()
        os.write(write_end, payload)
        os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    if not chunks:
        return fallback
    result = json.loads(b"".join(chunks))
    return fallback if isinstance(result, dict) and "child_died" in result else result


def _container_run(program: str, timeout: float) -> str:
    """'success' iff `python program.py` exits 0 within `timeout` (ms-enclave's python_executor rule), else
    'timeout' or 'error'."""
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "program.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(program)
        env = {"PATH": os.defpath, "HOME": work, "LANG": "C.UTF-8"}
        try:
            done = subprocess.run([sys.executable, path], cwd=work, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired:
            return "timeout"
    return "success" if done.returncode == 0 else "error"


class _Meta:
    def __init__(self, metadata: dict[str, Any]) -> None:
        self.metadata = metadata


def main() -> None:
    from evalscope.benchmarks.humaneval.humaneval_adapter import HumanevalAdapter
    from evalscope.benchmarks.humaneval.utils import unsafe_execute
    from evalscope.benchmarks.humanevalplus.humanevalplus_adapter import HumanevalplusAdapter
    from evalscope.benchmarks.live_code_bench.extract_utils import extract_code_generation
    from evalscope.benchmarks.live_code_bench.testing_util import run_test
    from evalscope.benchmarks.mbpp.mbpp_adapter import MBPPAdapter
    from evalscope.benchmarks.mbppplus.mbppplus_adapter import MBPPplusAdapter

    captured: list[str] = []

    def capture(self: Any, code: str, timeout: float, language: str) -> dict[str, str]:
        captured.append(code)
        return {"status": "success"}

    class SandboxedMBPP(MBPPAdapter):  # type: ignore[misc]
        use_sandbox = True
        review_timeout = 20
        pretty_name = "MBPP"
        execute_code_in_sandbox = capture

    class SandboxedHumaneval(HumanevalAdapter):  # type: ignore[misc]
        use_sandbox = True
        review_timeout = 4
        execute_code_in_sandbox = capture

    class SandboxedHumanevalPlus(HumanevalplusAdapter):  # type: ignore[misc]
        use_sandbox = True
        review_timeout = 300
        execute_code_in_sandbox = capture

    class SandboxedMBPPPlus(MBPPplusAdapter):  # type: ignore[misc]
        use_sandbox = True
        review_timeout = 60
        pretty_name = "MBPP-Plus"
        execute_code_in_sandbox = capture

    job = json.load(sys.stdin)
    out: dict[str, Any] = {"mbpp": [], "humaneval_plus": [], "mbpp_plus": []}
    mbpp = SandboxedMBPP.__new__(SandboxedMBPP)
    for case in job.get("mbpp", []):
        state = _Meta({"test_setup_code": case["test_setup_code"], "test_list": case["test_list"], "task_id": 1})
        code = mbpp.extract_answer(case["answer"], state)
        mbpp.match_score(case["answer"], code, "", state)
        out["mbpp"].append({"code": code, "program": captured.pop()})
    hep = SandboxedHumanevalPlus.__new__(SandboxedHumanevalPlus)
    for case in job.get("humaneval_plus", []):
        code = hep.extract_answer(case["answer"], _Meta(case["problem"]))
        hep.match_score(case["answer"], code, "", _Meta(case["problem"]))
        out["humaneval_plus"].append({"code": code, "program": captured.pop()})
    mbpp_plus = SandboxedMBPPPlus.__new__(SandboxedMBPPPlus)
    for case in job.get("mbpp_plus", []):
        state = _Meta({**case["metadata"], "task_id": case["metadata"].get("task_id", 1)})
        code = mbpp_plus.extract_answer(case["answer"], state)
        mbpp_plus.match_score(case["answer"], code, "", state)
        out["mbpp_plus"].append({"code": code, "program": captured.pop()})
    # The container runs go on in threads while the local graders below run in forked children.
    pool = ThreadPoolExecutor(max_workers=4)
    pending = [(row, pool.submit(_container_run, row["program"], case.get("timeout", seconds)))
               for name, seconds in (("mbpp", 20), ("humaneval_plus", 300), ("mbpp_plus", 60))
               for case, row in zip(job.get(name, []), out[name]) if case.get("run")]
    he = SandboxedHumaneval.__new__(SandboxedHumaneval)
    out["humaneval"] = []
    for case in job.get("humaneval", []):
        code = HumanevalAdapter._postprocess(case["answer"])
        he.match_score(case["answer"], code, "", _Meta(case["problem"]))
        problem, timeout = case["problem"], case["timeout"]

        def local(problem: dict[str, Any] = problem, code: str = code, timeout: float = timeout) -> list[str]:
            result: list[str] = []
            unsafe_execute(problem, code, timeout, result)
            return result

        verdict = _in_child(local, timeout + 1 + 5, ["timed out"])
        out["humaneval"].append({"code": code, "program": captured.pop(), "result": (verdict or ["timed out"])[0]})
    out["live_code_bench"] = []
    for case in job.get("live_code_bench", []):
        code = extract_code_generation(case["answer"])
        sample, timeout = {"input_output": case["evaluation_sample"]}, case["timeout"]
        n_cases = len(json.loads(case["evaluation_sample"])["inputs"])

        def grade(sample: dict[str, str] = sample, code: str = code, timeout: float = timeout) -> Any:
            return run_test(sample, test=code, timeout=timeout)[0]

        results = _in_child(grade, (timeout + 1) * n_cases, [-1] * n_cases)
        results = [bool(r) if isinstance(r, bool) else r for r in results]
        out["live_code_bench"].append({"code": code, "results": results})
    for row, future in pending:
        row["status"] = future.result()
    pool.shutdown()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
