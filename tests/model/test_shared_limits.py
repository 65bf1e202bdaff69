"""The limits every process of a run shares (kept by one process, relayed to the others): a request pace, a token
pace, a pause after a 429, token and cost budgets. Several threads take slots at once; the times of the slots they
got are checked against each other."""

from __future__ import annotations

import threading
import time

import pytest

from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.shared_limits import LimitConfig, SharedLimits, estimate_tokens


def _slots(limits: SharedLimits, count: int, out: list[float], estimate: int = 0) -> None:
    while count:
        taken, value = limits.take(estimate)
        if taken:
            out.append(time.time())
            count -= 1
        else:
            time.sleep(value)


def test_threads_taking_slots_at_once_get_slots_one_interval_apart() -> None:
    limits = SharedLimits(LimitConfig(requests_per_minute=1200))
    slots: list[float] = []
    takers = [threading.Thread(target=_slots, args=(limits, 8, slots)) for _ in range(3)]
    for taker in takers:
        taker.start()
    for taker in takers:
        taker.join(timeout=60)
    slots.sort()
    assert len(slots) == 24
    gaps = [b - a for a, b in zip(slots, slots[1:])]
    assert min(gaps) >= 0.05 - 0.01  # 1200 per minute: one request every 0.05 s, whichever thread sends it


def test_a_429_pauses_every_taker() -> None:
    limits = SharedLimits(LimitConfig(requests_per_minute=6000))
    limits.pause(30.0)
    taken, wait = limits.take()
    assert not taken and wait > 20.0


def test_tokens_per_minute_reserve_the_mean_answer_and_settle_the_difference() -> None:
    limits = SharedLimits(LimitConfig(tokens_per_minute=6000))  # 100 tokens a second
    assert estimate_tokens([{"role": "user", "content": "x" * 400}]) == 100
    taken, reserved = limits.take(50)
    assert taken and reserved == 50.0  # no answer yet: the prompt's estimate
    taken, wait = limits.take(50)
    assert not taken and 0.4 < wait <= 0.5  # 50 tokens are half a second of the budget
    limits.record(100, 100, reserved)  # the answer used 200: 150 more than reserved, 1.5 s more of the minute
    taken, wait = limits.take(50)
    assert not taken and 1.8 < wait <= 2.0
    assert limits.usage() == {"requests": 1, "input_tokens": 100, "output_tokens": 100, "cost": 0.0}


def test_budgets_stop_new_requests_with_a_fatal_error_that_says_how_to_resume() -> None:
    tokens = SharedLimits(LimitConfig(max_tokens=100))
    assert tokens.take()[0]
    tokens.record(60, 30)
    assert tokens.take()[0]  # 90 of 100 used: still allowed
    tokens.record(8, 4)
    with pytest.raises(ModelCallError, match=r"spending limit reached: 102 tokens used, --eval-max-tokens 100; "
                                             r"rerun the same command with --eval-use-cache") as caught:
        tokens.take()
    assert caught.value.fatal
    assert tokens.usage() == {"requests": 2, "input_tokens": 68, "output_tokens": 34, "cost": 0.0}

    cost = SharedLimits(LimitConfig(max_cost=0.5, price_input=1.0, price_output=4.0))
    cost.record(100_000, 100_000)  # 0.1 + 0.4 USD
    with pytest.raises(ModelCallError, match=r"0\.5000 USD spent, --eval-max-cost 0\.5"):
        cost.take()
