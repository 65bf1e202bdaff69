"""A run freezes its long-lived objects for the garbage collector and gives them back at its end: a process that
runs pytest again (an IDE, a notebook) collects the run's reference cycles, and what its host froze stays frozen."""

from __future__ import annotations

import gc

import pytest
from helpers_inprocess import process_state_kept

from conftest import SEED_SCRIPT, SEED_SUITE
from pytest_evalindex.scorers import registry


def _evaluate(pytester: pytest.Pytester) -> tuple[pytest.RunResult, int]:
    """The demo suite on the built-in mock, in this process; the freeze count the run left."""
    with process_state_kept("long-lived"), registry.fresh_session():
        result = pytester.runpytest_inprocess("-W", "ignore::pytest.PytestAssertRewriteWarning", "-p", "no:cacheprovider",
                                              "--eval-collection", str(SEED_SUITE), "--eval-mock", str(SEED_SCRIPT))
        return result, gc.get_freeze_count()


def test_a_run_gives_what_it_froze_back_to_the_collector(pytester: pytest.Pytester) -> None:
    assert gc.get_freeze_count() == 0
    result, frozen_after = _evaluate(pytester)
    assert result.ret == 0, result.stdout.str()
    assert frozen_after == 0  # the items, entries and results of the run are the collector's again


def test_what_the_host_froze_before_a_run_stays_frozen(pytester: pytest.Pytester) -> None:
    gc.collect()
    gc.freeze()
    try:
        hosts = gc.get_freeze_count()
        result, frozen_after = _evaluate(pytester)
        assert result.ret == 0, result.stdout.str()
        assert frozen_after >= hosts  # the run's own frozen objects join the host's; none of the host's is given back
    finally:
        gc.unfreeze()
