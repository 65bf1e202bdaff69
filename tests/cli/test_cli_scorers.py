"""`evalindex scorers`: the real console script against the registry, and the README's table against both."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_evalindex.cli.scorers import render_family_table
from pytest_evalindex.scorers.registry import known_names, lookup

ROOT = Path(__file__).resolve().parents[2]
EVALINDEX = Path(sys.executable).parent / "evalindex"
BEGIN, END = "<!-- scorers:begin -->", "<!-- scorers:end -->"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EVALINDEX), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.slow
@pytest.mark.skipif(not EVALINDEX.exists(), reason="console script not installed in this environment")
def test_json_lists_every_registered_scorer() -> None:
    proc = run("scorers", "--json")
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    assert sorted(item["name"] for item in listed) == known_names()
    assert [(item["family"], item["name"]) for item in listed] == sorted((i["family"], i["name"]) for i in listed)
    for item in listed:
        assert set(item) == {"name", "family", "metric", "needs"}
        spec = lookup(item["name"])
        assert spec is not None
        assert (item["family"], item["metric"], item["needs"]) == (spec.family, spec.metric, list(spec.needs))
    by_name = {item["name"]: item for item in listed}
    # A few fixed points, so an empty or degenerate registry cannot pass.
    assert by_name["gsm8k"]["family"] == "math"
    assert by_name["aime25"]["metric"] == "acc"
    assert by_name["conll2003"]["needs"] == ["package:seqeval"]
    assert "gsm8k@legacy" in by_name


@pytest.mark.slow
@pytest.mark.skipif(not EVALINDEX.exists(), reason="console script not installed in this environment")
def test_plain_output_has_one_aligned_line_per_scorer() -> None:
    proc = run("scorers")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    names = known_names()
    header, rows, count = lines[0], lines[1:-1], lines[-1]
    assert header.split() == ["name", "family", "metric", "needs"]
    assert sorted(row.split()[0] for row in rows) == names
    variants = sum("@" in name for name in names)
    assert count.startswith(f"{len(names)} scorers ({variants} variants) in ")
    family_col = header.index("family")
    for row in rows:
        spec = lookup(row.split()[0])
        assert spec is not None
        assert row[family_col:].split()[0] == spec.family  # columns are aligned under the header
        assert row.rstrip().endswith(", ".join(spec.needs) or "-")


def test_readme_table_matches_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert block == render_family_table(), (
        "README's scorer table is stale: replace the block between the scorers markers with "
        "the output of `evalindex scorers --markdown`"
    )


@pytest.mark.slow
def test_scorers_command_imports_no_pytest() -> None:
    code = (
        "import sys\n"
        "from pytest_evalindex.cli.main import main\n"
        "assert main(['scorers']) == 0\n"
        "bad = sorted(m for m in sys.modules if m == 'pytest' or m.startswith(('_pytest', 'pytest.', 'pluggy'))"
        " or m.startswith('pytest_evalindex.plugin'))\n"
        "print('IMPORTED', bad)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "IMPORTED []"
