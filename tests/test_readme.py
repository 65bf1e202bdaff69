"""The README documents every option and its two Quick start commands are the ones CI runs."""

from __future__ import annotations

import re

from conftest import ROOT
from pytest_evalindex.plugin.options import OPTIONS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_option_and_ini_twin_is_in_the_options_table() -> None:
    table = README.split("## Options", 1)[1]
    for spec in OPTIONS:
        assert f"`{spec.flag}`" in table, spec.flag
        if spec.ini:
            assert f"`{spec.ini_name}`" in table, spec.ini_name


def test_quick_start_has_two_commands_and_ci_runs_the_test_command() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick, re.DOTALL)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert "--eval-mock" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_run = commands[1].split("&&")[-1].strip()
    assert test_run == ".venv/bin/pytest -n 2 -q" and test_run in ci
    # CI installs the dev extra, which contains the test extra the README's command installs
    assert "pip install -q -e '.[test]'" in commands[1] and "pip install -q -e '.[dev]'" in ci
    assert '"pytest-evalindex[test]"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_never_lose_an_answer_names_only_tests_that_exist() -> None:
    section = README.split("## Never lose an answer", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    defined = {match for path in (ROOT / "tests").rglob("test_*.py")
               for match in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.MULTILINE)}
    assert len(named) >= 30
    assert named <= defined, sorted(named - defined)
