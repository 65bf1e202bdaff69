"""Which paths a run evaluates: --eval-collection next to test paths, collection folders, swallowed paths.

pytest's own argument rules decide what a path on the command line means; these helpers add what a
user of a collection expects: ``--eval-collection`` on the command line is evaluated even when test
paths are given too, ``pytest evals/`` evaluates the collections in that folder, and a collection
path that argparse handed to an option with an optional value (``--eval-use-cache suite.jsonl``)
goes back to the paths.
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import pytest

# Options whose value is optional (nargs="?"): argparse gives them the next word if it is not a flag.
OPTIONAL_VALUE_OPTIONS = {"eval_use_cache": "--eval-use-cache"}


def reclaim_swallowed_paths(config: pytest.Config) -> list[str]:
    """Give collection paths that an optional-value option took as its value back to pytest's paths.

    Returns one note per path given back. A value that names a ``.jsonl`` file (or an existing test
    module) is never a cache folder, so it was meant as a path; ``--eval-use-cache=DIR`` names a folder.
    """
    notes = []
    for dest, flag in OPTIONAL_VALUE_OPTIONS.items():
        value = getattr(config.option, dest, None)
        if not value:
            continue
        path = Path(config.invocation_params.dir) / str(value).split("::", 1)[0]
        # What pytest would collect (a collection or a test module); any other file is left to the option,
        # which then says it is not a folder.
        if path.suffix.lower() not in (".jsonl", ".py") or (path.suffix.lower() == ".py" and not path.is_file()):
            continue
        setattr(config.option, dest, "")  # the option without a value: its default folder
        add_paths(config, [str(value)])
        notes.append(f"evalindex: {value} after {flag} is a path to evaluate, not the option's folder "
                     f"(write {flag}=DIR to name one)")
    return notes


def add_paths(config: pytest.Config, paths: list[str]) -> None:
    """Add ``paths`` to what pytest collects: next to explicit paths, instead of the default ones."""
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        named = {_resolved(config, arg) for arg in config.args}
        config.args = [*config.args, *(p for p in paths if _resolved(config, p) not in named)]
    else:
        config.args = list(paths)
        config.args_source = pytest.Config.ArgsSource.ARGS


def _resolved(config: pytest.Config, arg: str) -> Path:
    return (Path(config.invocation_params.dir) / arg.split("::", 1)[0]).resolve()


def collections_in_folders(config: pytest.Config) -> set[Path]:
    """The collection files under folders named on the command line (``pytest evals/``).

    Only paths the user typed count (a bare ``pytest`` never starts an evaluation), and only
    ``.jsonl`` files whose first line is an EvalScope ``DatasetEntry`` (it has ``prompt`` and
    ``dataset_name``): test data, answer caches and predictions files in the folder are left alone.
    """
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return set()
    skip = [str(pattern) for pattern in config.getini("norecursedirs")]
    found: set[Path] = set()
    for arg in config.args:
        folder = Path(config.invocation_params.dir) / arg.split("::", 1)[0]
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in skip))
            for name in files:
                if name.endswith(".jsonl") and looks_like_collection(Path(root) / name):
                    found.add((Path(root) / name).resolve())
    return found


def looks_like_collection(path: Path) -> bool:
    """Whether the file's first non-blank line is a JSON object with ``prompt`` and ``dataset_name``."""
    try:
        with path.open("rb") as handle:
            for raw in handle:
                if raw.strip():
                    data = json.loads(raw)
                    return isinstance(data, dict) and "prompt" in data and "dataset_name" in data
    except (OSError, ValueError):
        return False
    return False
