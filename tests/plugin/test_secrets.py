"""API keys and secret-looking generation settings appear in no artifact of a real run."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import pytest
from helpers_runs import GENERAL_SUITE, general_script, run_plugin

from pytest_evalindex.core.secrets import ENV_VAR
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.mock.script import last_user_text

LINES = [json.loads(line) for line in GENERAL_SUITE.read_text(encoding="utf-8").splitlines()]


def _leaks(root: Path, texts: list[str], secrets: list[str]) -> list[str]:
    """Every (artifact, secret) pair where the secret shows up."""
    found = []
    artifacts = {f"output {i}": t for i, t in enumerate(texts)}
    for path in root.rglob("*"):
        if path.is_file():
            artifacts[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
            if path.suffix == ".html":  # the HTML report's sample texts are packed (gzip, base64): unpack them
                packed = re.findall(r'id="evalindex-(samples|details)">([^<]*)<', artifacts[str(path)])
                assert len(packed) == 2, path
                for name, blob in packed:
                    artifacts[f"{path} ({name})"] = gzip.decompress(base64.b64decode(blob)).decode()
    kinds = {Path(name).suffix for name in artifacts}
    assert {".xml", ".json", ".jsonl", ".yaml", ".log", ".html"} <= kinds, kinds  # every kind was searched
    for name, text in artifacts.items():
        found += [f"{name}: {secret}" for secret in secrets if secret in text]
    return found


@pytest.mark.slow
def test_no_secret_in_any_artifact_with_failures_and_errors(pytester: pytest.Pytester) -> None:
    header_key, body_key, cli_key = "sk-HEADER-5ecret-0001", "sk-BODY-5ecret-0002", "sk-CLI-5ecret-0003"
    script = general_script(api_key=header_key)
    broken = last_user_text(LINES[0]["prompt"]["input"])
    script["answers"][broken] = {"answer": "x", "fault": "500"}  # an erroring sample
    generation = {"temperature": 0.0, "extra_headers": {"Authorization": f"Bearer {header_key}"},
                  "extra_body": {"api_key": body_key, "nested": {"token": body_key}}}
    with MockServer(script) as server:
        result = run_plugin(pytester, server.url, "--eval-api-key", cli_key, "--eval-generation-config",
                            json.dumps(generation), "--eval-max-retries", "0", "--eval-strict", "-n", "2",
                            "--junitxml", str(pytester.path / "junit.xml"), "--eval-markdown",
                            str(pytester.path / "summary.md"), "-rA", "-v")
        stats = server.stats()
    output = result.stdout.str()
    # The header key is what authenticated (else every request would be 401), and the run has
    # incorrect samples failing under --eval-strict and one provider error: failure text is exercised.
    assert stats["by_status"].get("401") is None and stats["by_status"]["500"] == 1
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 2 and outcomes.get("errors") == 1, outcomes
    assert (pytester.path / "junit.xml").exists() and (pytester.path / "summary.md").exists()
    assert _leaks(pytester.path, [output, result.stderr.str()], [header_key, body_key, cli_key]) == []


@pytest.mark.parametrize("how", ["EVALINDEX_API_KEY", "--eval-api-key-env"])
def test_keys_from_the_environment_are_used_and_never_written(pytester: pytest.Pytester,
                                                               monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    key = f"sk-ENV-5ecret-{how.strip('-')}"
    args: list[str] = []
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    if how == "EVALINDEX_API_KEY":
        monkeypatch.setenv("EVALINDEX_API_KEY", key)
    else:
        monkeypatch.setenv("MY_MODEL_KEY", key)
        args = ["--eval-api-key-env", "MY_MODEL_KEY"]
    with MockServer(general_script(api_key=key)) as server:
        result = run_plugin(pytester, server.url, *args, "--junitxml", str(pytester.path / "junit.xml"), "-rA")
        stats = server.stats()
    assert result.ret == 0, result.stdout.str()
    assert stats["by_status"] == {"200": 33}  # authenticated with the key from the environment
    assert _leaks(pytester.path, [result.stdout.str(), result.stderr.str()], [key]) == []


@pytest.mark.slow
def test_a_password_in_the_api_url_is_refused_without_showing_it(pytester: pytest.Pytester) -> None:
    password = "pw-URL-5ecret-0004"
    with MockServer(general_script()) as server:
        url = server.url.replace("http://", f"http://evaluser:{password}@")
        result = run_plugin(pytester, url, "-n", "2", "-v", "-rA")
        stats = server.stats()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--eval-api-url (ini eval_api_url): credentials in the URL (user:password@host) are not supported; " \
           "pass the key with --eval-api-key" in result.stderr.str()
    assert stats["requests"] == 0
    assert password not in result.stdout.str() + result.stderr.str()
    assert not list(pytester.path.rglob("*.json*"))  # nothing written that could hold it


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_run_takes_back_the_secrets_it_handed_to_its_workers(pytester: pytest.Pytester,
                                                               monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    """A process that goes on after the run (an IDE or a notebook calling ``pytest.main``) must not keep the
    secrets exported for xdist's workers in its environment, where every child it starts later would get them.
    The in-process runner puts the environment back after each run and logs what the run left changed."""
    log = pytester.path / "state.jsonl"
    key = "sk-exported-then-withdrawn"
    monkeypatch.setenv("EVALINDEX_TEST_STATE_LOG", str(log))
    monkeypatch.setenv("MY_MODEL_KEY", key)
    monkeypatch.delenv(ENV_VAR, raising=False)
    with MockServer(general_script(api_key=key)) as server:
        result = run_plugin(pytester, server.url, "--eval-api-key-env", "MY_MODEL_KEY", "-n", workers)
    assert result.ret == 0, result.stdout.str()
    left = [json.loads(line)["changed"] for line in log.read_text(encoding="utf-8").splitlines()] \
        if log.exists() else []
    assert [change for run in left for change in run if ENV_VAR in change] == []
