"""Keys under which pytest-evalindex keeps its state in ``config.stash`` and in xdist's worker output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # named in the StashKeys' string type arguments
    from pytest_evalindex.plugin.controller import Controller  # noqa: F401
    from pytest_evalindex.plugin.runtime import Runtime  # noqa: F401

runtime_key = pytest.StashKey["Runtime"]()
controller_key = pytest.StashKey["Controller"]()
SELECTION_KEY = "evalindex_selection"
"""``workeroutput`` key: ``[samples collected, samples deselected, samples in the whole collection]`` as the
worker saw them (the last differs from the first under ``--eval-shard``)."""
COUNTERS_KEY = "evalindex_counters"
"""``workeroutput`` key: a worker's engine counters, read by the controller when the worker goes down."""
LIMITS_CHANNEL_KEY = "evalindex_limits"
"""``workerinput`` key: the execnet channel to the controller's shared limits (see limits_relay.py)."""
