"""A run freezes its long-lived objects for the garbage collector until the process ends (whose final collection
would only walk them) or starts another run: a process that runs pytest again (an IDE, a notebook) then collects
the earlier run's reference cycles. What the host froze itself is never given back."""

from __future__ import annotations

import gc

import pytest
from helpers_inprocess import process_state_kept

from conftest import SEED_SCRIPT, SEED_SUITE
from pytest_evalindex.scorers import registry


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, int]:
    """``pytest ARGS`` in this process, as an IDE would run it (the test puts the process back afterwards); the
    freeze count the run left."""
    with registry.fresh_session():
        result = pytester.runpytest_inprocess("-W", "ignore::pytest.PytestAssertRewriteWarning", "-p", "no:cacheprovider",
                                              *args)
        return result, gc.get_freeze_count()


EVALUATION = ("--eval-collection", str(SEED_SUITE), "--eval-mock", str(SEED_SCRIPT))


def test_the_next_run_gives_what_a_run_froze_back_to_the_collector(pytester: pytest.Pytester) -> None:
    assert gc.get_freeze_count() == 0
    with process_state_kept("two runs"):
        evaluation, frozen_after_evaluation = _run(pytester, *EVALUATION)
        assert evaluation.ret == 0, evaluation.stdout.str()
        assert frozen_after_evaluation > 0  # kept from the final collection of a process that now exits
        listing, frozen_after_listing = _run(pytester, "--co", "-q")
    assert listing.ret == 5, listing.stdout.str()
    assert frozen_after_listing == 0  # the first run's items, entries and results are the collector's again


def test_what_the_host_froze_before_a_run_stays_frozen(pytester: pytest.Pytester) -> None:
    gc.collect()
    gc.freeze()
    try:
        hosts = gc.get_freeze_count()
        with process_state_kept("two runs"):
            evaluation, _ = _run(pytester, *EVALUATION)
            assert evaluation.ret == 0, evaluation.stdout.str()
            _, frozen_after_listing = _run(pytester, "--co", "-q")
        assert frozen_after_listing >= hosts  # the run's objects joined the host's; nothing is given back
    finally:
        gc.unfreeze()
