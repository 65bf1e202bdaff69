"""An output folder means its latest complete run; a run folder or a file means itself; errors list what was found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_evalindex.runs.locate import RunPathError, cache_folder, choose_run


def _run(outputs: Path, name: str, **flags: bool) -> Path:
    report = outputs / name / "reports" / "m" / "evalindex_report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"schema_version": 2, "samples": [], **flags}), encoding="utf-8")
    return outputs / name


def test_latest_complete_run_is_chosen_and_said(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    complete = _run(outputs, "20261201_100000")
    _run(outputs, "20261201_110000", incomplete=True)
    _run(outputs, "20261201_120000", partial=True)
    (outputs / "cache").mkdir()  # not a run folder
    choice = choose_run(outputs, "--eval-baseline")
    assert choice.path == complete and choice.note == f"latest complete run in {outputs}"
    assert choose_run(complete, "--eval-baseline").note is None  # a run folder means itself
    evalscope_run = outputs / "20261201_130000" / "predictions" / "m"
    evalscope_run.mkdir(parents=True)
    assert choose_run(outputs, "--eval-predictions", accept_without_report=True).path == evalscope_run.parent.parent
    assert choose_run(outputs, "--eval-baseline").path == complete


def test_no_complete_run_lists_what_was_found(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    _run(outputs, "20261201_110000", incomplete=True)
    _run(outputs, "20261201_120000", partial=True)
    with pytest.raises(RunPathError) as raised:
        choose_run(outputs, "--eval-baseline")
    assert str(raised.value) == (f"--eval-baseline folder {outputs} holds 2 runs but no complete one: "
                                 "20261201_120000 (partial), 20261201_110000 (incomplete); pass one of them to "
                                 "use it anyway")
    with pytest.raises(RunPathError, match="does not exist"):
        choose_run(tmp_path / "missing", "--eval-baseline")


def test_cache_paths(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    run = _run(outputs, "20261201_100000")
    assert cache_folder(outputs).path == outputs / "cache"  # the output folder's cache
    assert cache_folder(tmp_path / "new").path == tmp_path / "new"  # a folder to create
    with pytest.raises(RunPathError, match=r"is a run folder, not an answer cache; score its answers with "
                                           r"--eval-predictions"):
        cache_folder(run)
