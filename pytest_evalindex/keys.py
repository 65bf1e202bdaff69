"""Keys under which pytest-evalindex keeps its state in ``config.stash``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_evalindex.controller import Controller
    from pytest_evalindex.runtime import Runtime

runtime_key = pytest.StashKey["Runtime"]()
controller_key = pytest.StashKey["Controller"]()
