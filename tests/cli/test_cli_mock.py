"""`evalindex mock-script` writes a mock script from a suite; `evalindex mock --model` refuses other model names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openai
import pytest
from helpers_runs import run_pytester

from conftest import SEED_SUITE

EVALINDEX = Path(sys.executable).with_name("evalindex")


@pytest.mark.slow
def test_mock_script_answers_the_chosen_share_correctly(pytester: pytest.Pytester) -> None:
    script = pytester.path / "script.json"
    made = subprocess.run([str(EVALINDEX), "mock-script", str(SEED_SUITE), "-o", str(script), "--correct", "0.7",
                           "--seed", "3"], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    assert len(json.loads(script.read_text(encoding="utf-8"))["answers"]) == 10
    result = run_pytester(pytester, "--eval-collection", str(SEED_SUITE), "--eval-mock", str(script),
                                           "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*7 passed, 3 incorrect*"])


@pytest.mark.slow
def test_mock_command_checks_the_model_name(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"answers": {"2+2?": "4"}}), encoding="utf-8")
    server = subprocess.Popen([str(EVALINDEX), "mock", str(script), "--model", "served-model"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().rsplit(" ", 1)[1].strip()
        assert server.stdout.readline().strip() == "mock model serves served-model"
        client = openai.OpenAI(base_url=url, api_key="none", max_retries=0)
        message = [{"role": "user", "content": "2+2?"}]
        answer = client.chat.completions.create(model="served-model", messages=message)  # type: ignore[arg-type]
        assert answer.choices[0].message.content == "4"
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="typo-model", messages=message)  # type: ignore[arg-type]
    finally:
        server.terminate()
        server.wait(timeout=30)
