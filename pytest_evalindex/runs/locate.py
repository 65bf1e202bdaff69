"""Which run a path means: a report file, a run folder, or an output folder (its latest complete run).

Users pass back what they passed as ``--eval-output-dir`` as often as a run folder; every option that
reads an earlier run (``--eval-baseline``, ``--eval-predictions``, ``--eval-use-cache``) goes through here,
so they accept the same three forms and their errors say what was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pytest_evalindex.runs.layout import EVALINDEX_REPORT_NAME

_REPORT_GLOB = f"reports/*/{EVALINDEX_REPORT_NAME}"
CACHE_FOLDER = "cache"
CACHE_SHARD_GLOB = "answers-*.jsonl"


class RunPathError(ValueError):
    """A path that names no usable run; the one-line message says what the folder holds instead."""


@dataclass(frozen=True)
class RunChoice:
    """The run a path resolved to, and the note to show when it was chosen from an output folder."""

    path: Path
    note: str | None = None


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` is one run's folder (ours or EvalScope's): it has ``reports/`` or ``predictions/``."""
    return (folder / "reports").is_dir() or (folder / "predictions").is_dir()


def run_folders(folder: Path) -> list[Path]:
    """The run folders directly inside an output folder, newest name (timestamp) first."""
    try:
        children = [child for child in folder.iterdir() if child.is_dir() and is_run_folder(child)]
    except OSError:
        return []
    return sorted(children, key=lambda child: child.name, reverse=True)


def run_state(run: Path) -> str:
    """``complete``, or why not: ``incomplete`` (stopped early), ``partial`` (part of the collection ran),
    ``no report`` (an EvalScope run, or one that crashed before writing), ``unreadable``."""
    reports = sorted(run.glob(_REPORT_GLOB))
    if not reports:
        return "no report"
    try:
        data = json.loads(reports[0].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unreadable"
    if not isinstance(data, dict):
        return "unreadable"
    if data.get("incomplete"):
        return "incomplete"
    if data.get("partial"):
        return "partial"
    return "complete"


def choose_run(path: Path, what: str, *, accept_without_report: bool = False) -> RunChoice:
    """The run ``path`` names: itself (a file or a run folder), or an output folder's latest complete run.

    ``accept_without_report`` also takes a run with predictions but no evalindex report (an EvalScope run)
    as complete. Raises :class:`RunPathError` naming what the folder holds when no run fits.
    """
    if not path.exists():
        raise RunPathError(f"{what} {path} does not exist")
    if not path.is_dir() or is_run_folder(path):
        return RunChoice(path)
    runs = run_folders(path)
    if not runs:
        return RunChoice(path)  # not an output folder: the reader of the run says what it misses
    states = [(run, run_state(run)) for run in runs]
    for run, state in states:
        if state == "complete" or (accept_without_report and state == "no report"
                                   and (run / "predictions").is_dir()):
            return RunChoice(run, f"latest complete run in {path}")
    found = ", ".join(f"{run.name} ({state})" for run, state in states[:5])
    more = f" and {len(states) - 5} more" if len(states) > 5 else ""
    raise RunPathError(f"{what} folder {path} holds {len(states)} runs but no complete one: {found}{more}; "
                       "pass one of them to use it anyway")


def cache_folder(path: Path) -> RunChoice:
    """The answer cache ``--eval-use-cache PATH`` means: the folder itself, or an output folder's ``cache/``.

    A run folder is refused (its answers are predictions, scored with ``--eval-predictions``).
    """
    if not path.is_dir() or any(path.glob(CACHE_SHARD_GLOB)):
        return RunChoice(path)
    if is_run_folder(path):
        raise RunPathError(f"--eval-use-cache: {path} is a run folder, not an answer cache; score its answers with "
                           f"--eval-predictions {path}, or pass the cache folder (<output-dir>/{CACHE_FOLDER})")
    inner = path / CACHE_FOLDER
    if (inner.is_dir() and any(inner.glob(CACHE_SHARD_GLOB))) or run_folders(path):
        return RunChoice(inner, f"the answer cache of the output folder {path}")
    return RunChoice(path)
