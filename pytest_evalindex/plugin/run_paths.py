"""Earlier runs named by options: an output folder means its latest complete run (said in the header)."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_evalindex.core.settings import Settings
from pytest_evalindex.runs.locate import RunPathError, cache_folder, choose_run


def resolve_run_paths(settings: Settings) -> tuple[Settings, list[str]]:
    """``settings`` with ``--eval-baseline``, ``--eval-predictions`` and ``--eval-use-cache`` pointing at what
    they mean, and one header note per path chosen from an output folder; a usage error names what was found."""
    changes: dict[str, object] = {}
    notes: list[str] = []
    try:
        for field, flag in (("baseline", "--eval-baseline"), ("predictions", "--eval-predictions")):
            given = getattr(settings, field)
            if given is not None and given.is_dir():
                choice = choose_run(given, flag, accept_without_report=field == "predictions")
                if choice.note is not None:
                    changes[field] = choice.path
                    notes.append(f"evalindex: {flag} {choice.path} ({choice.note})")
        if settings.cache_dir is not None:
            choice = cache_folder(settings.cache_dir)
            if choice.note is not None:
                changes["cache_dir"] = choice.path
                notes.append(f"evalindex: --eval-use-cache {choice.path} ({choice.note})")
    except RunPathError as exc:
        raise pytest.UsageError(str(exc)) from None
    return (dataclasses.replace(settings, **changes) if changes else settings), notes  # type: ignore[arg-type]
