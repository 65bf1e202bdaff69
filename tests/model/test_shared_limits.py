"""The limits every process of a run shares through one file: a request pace, a pause after a 429, token and cost
budgets. Several real processes take slots at once; the times of the slots they got are checked against each other."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_evalindex.model.api import ModelCallError
from pytest_evalindex.model.shared_limits import LimitConfig, SharedLimits

_TAKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from pytest_evalindex.model.shared_limits import LimitConfig, SharedLimits
    limits = SharedLimits(Path(sys.argv[1]), LimitConfig(requests_per_minute=int(sys.argv[2])))
    slots = []
    while len(slots) < int(sys.argv[3]):
        taken, value = limits.take()
        if taken:
            slots.append(value)
        else:
            time.sleep(value)
    print(json.dumps(slots))
""")


def _take(path: Path, rpm: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _TAKER, str(path), str(rpm), str(count)], stdout=subprocess.PIPE,
                            text=True)


def test_processes_taking_slots_at_once_get_slots_one_interval_apart(tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    SharedLimits.create(path, LimitConfig(requests_per_minute=600))
    takers = [_take(path, 600, 15) for _ in range(3)]
    slots = sorted(s for taker in takers for s in json.loads(taker.communicate(timeout=120)[0]))
    assert len(slots) == 45
    gaps = [b - a for a, b in zip(slots, slots[1:])]
    assert min(gaps) >= 0.1 - 1e-6  # (float epoch seconds) 600 per minute: one request every 0.1 s, whichever process sends it


def test_a_429_in_one_process_pauses_the_others(tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    SharedLimits.create(path, LimitConfig(requests_per_minute=6000))
    pauser = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                             "from pytest_evalindex.model.shared_limits import LimitConfig, SharedLimits; "
                             "SharedLimits(Path(sys.argv[1]), LimitConfig(requests_per_minute=6000)).pause(30.0)",
                             str(path)], timeout=60)
    assert pauser.returncode == 0
    taken, wait = SharedLimits(path, LimitConfig(requests_per_minute=6000)).take()
    assert not taken and wait > 20.0


def test_budgets_stop_new_requests_with_a_fatal_error_that_says_how_to_resume(tmp_path: Path) -> None:
    tokens = SharedLimits.create(tmp_path / "tokens.json", LimitConfig(max_tokens=100))
    assert tokens.take()[0]
    tokens.record(60, 30)
    assert tokens.take()[0]  # 90 of 100 used: still allowed
    tokens.record(8, 4)
    with pytest.raises(ModelCallError, match=r"spending limit reached: 102 tokens used, --eval-max-tokens 100; "
                                             r"rerun the same command with --eval-use-cache") as caught:
        tokens.take()
    assert caught.value.fatal
    assert tokens.usage() == {"requests": 2, "input_tokens": 68, "output_tokens": 34, "cost": 0.0}

    cost = SharedLimits.create(tmp_path / "cost.json", LimitConfig(max_cost=0.5, price_input=1.0, price_output=4.0))
    cost.record(100_000, 100_000)  # 0.1 + 0.4 USD
    with pytest.raises(ModelCallError, match=r"0\.5000 USD spent, --eval-max-cost 0\.5"):
        cost.take()
