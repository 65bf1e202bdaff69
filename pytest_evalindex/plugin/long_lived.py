"""The garbage collector and a run's long-lived objects: frozen while the run lasts and until the process ends,
given back when the same process starts another run."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_state = {"ours": False}  # everything frozen now was frozen by an earlier run of this process, nothing by its host


def _freeze() -> None:
    if gc.get_freeze_count() == 0:
        _state["ours"] = True
    gc.freeze()


@contextlib.contextmanager
def long_lived_objects() -> Iterator[None]:
    """Create objects that live until the end of the run without the garbage collector watching.

    Entries and items live until the end of the run, so collecting them can free nothing; tracked,
    they make every full collection during the run walk them again (~10 % of a cached 10,000-sample
    run). Frozen (``gc.freeze``), the collector skips them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _freeze()
        if enabled:
            gc.enable()


def freeze_finished_run() -> None:
    """At the end of an evaluation: its objects (items, reports, results) are frozen until the process ends or starts
    another run, so the interpreter's final collection does not walk what the process releases anyway (~1.5 s per
    10,000 samples)."""
    _freeze()


def release_earlier_runs() -> None:
    """At the start of a run: what earlier runs of this process froze (``pytest.main`` from an IDE or a notebook)
    goes back to the collector, which then frees their reference cycles. What the host froze itself stays frozen
    (its objects and ours can no longer be told apart then, so nothing is given back)."""
    if _state["ours"]:
        _state["ours"] = False
        gc.unfreeze()
