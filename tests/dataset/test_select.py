"""Which samples run, in which order: --eval-shuffle is seeded and --eval-limit applies after the shuffle."""

from __future__ import annotations

from helpers_runs import GENERAL_SUITE, entries

from pytest_evalindex.dataset.select import select

LINES = entries(GENERAL_SUITE)


def _order(**kwargs: object) -> list[int]:
    return [e.index for e in select(LINES, **kwargs)]  # type: ignore[arg-type]


def test_without_shuffle_the_file_order_is_kept_and_limit_takes_the_first_lines() -> None:
    assert _order(limit=None, shuffle=False, seed=42) == [e.index for e in LINES]
    assert _order(limit=5, shuffle=False, seed=42) == [e.index for e in LINES][:5]


def test_the_same_seed_gives_the_same_order_and_another_seed_another() -> None:
    one = _order(limit=None, shuffle=True, seed=42)
    assert one == _order(limit=None, shuffle=True, seed=42)
    assert sorted(one) == sorted(e.index for e in LINES) and one != [e.index for e in LINES]
    assert one != _order(limit=None, shuffle=True, seed=7)


def test_limit_applies_after_the_shuffle() -> None:
    shuffled = _order(limit=None, shuffle=True, seed=3)
    assert _order(limit=6, shuffle=True, seed=3) == shuffled[:6]
    assert _order(limit=6, shuffle=True, seed=3) != _order(limit=6, shuffle=False, seed=3)
