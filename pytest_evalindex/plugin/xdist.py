"""Which items this process runs next, so their model calls can start before pytest reaches them.

Without xdist the answer is ``session.items`` after the current item. Under xdist it is the
worker's own queue of assigned item indices (``WorkerInteractor.torun``), which is private API:
if its shape changes we fall back to ``nextitem`` (one item ahead) and say so once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest


class LookaheadFallbackWarning(UserWarning):
    """pytest-xdist's worker queue could not be read; prefetching is limited to one item."""


class Lookahead:
    """Finds the upcoming items of this process."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._interactor: Any = None
        self._position = -1  # where the last item was found in session.items
        self._horizon = 0  # session.items before this position were already returned by ``fresh``
        self._warned = False
        self.mode = "session"
        if hasattr(config, "workerinput"):
            self._interactor = _find_worker_interactor(config)
            self.mode = "xdist-queue" if self._interactor is not None else "nextitem"

    def upcoming(self, item: pytest.Item, nextitem: pytest.Item | None, depth: int) -> list[pytest.Item]:
        """Up to ``depth`` items this process will run after ``item`` (in order)."""
        if self.mode == "session":
            return self._from_session(item, depth)
        if self.mode == "xdist-queue":
            queued = self._from_worker_queue(depth)
            if queued is not None:
                return queued
        self._warn_fallback()
        return [nextitem] if nextitem is not None else []

    def fresh(self, item: pytest.Item, nextitem: pytest.Item | None, depth: int) -> list[pytest.Item]:
        """:meth:`upcoming` without the items an earlier call already returned, where that is safe: without
        xdist nothing is taken away, so only the end of the window is new (one item per call, not ``depth``).
        Under xdist every upcoming item (stealing changes the queue; the engine skips what it started)."""
        if self.mode != "session":
            return self.upcoming(item, nextitem, depth)
        position = self._session_position(item)
        if position is None:
            return []
        end = position + 1 + depth
        start = max(position + 1, self._horizon)
        self._horizon = max(self._horizon, end)
        return list(item.session.items[start:end])

    def _from_session(self, item: pytest.Item, depth: int) -> list[pytest.Item]:
        position = self._session_position(item)
        if position is None:
            return []
        return list(item.session.items[position + 1 : position + 1 + depth])

    def _session_position(self, item: pytest.Item) -> int | None:
        items: Sequence[pytest.Item] = item.session.items
        # Items run in order: the current one is almost always the next in the list.
        position = self._position + 1
        if not (position < len(items) and items[position] is item):
            try:
                position = items.index(item)
            except ValueError:
                return None
            self._horizon = 0  # out of order (a plugin reordered or reran): start the window afresh
        self._position = position
        return position

    def _from_worker_queue(self, depth: int) -> list[pytest.Item] | None:
        interactor = self._interactor
        try:
            items = interactor.session.items
            indices: list[Any] = []
            if isinstance(interactor.nextitem_index, int):
                indices.append(interactor.nextitem_index)
            with interactor.torun.lock() as queue:
                for index in queue:
                    if len(indices) >= depth:
                        break
                    indices.append(index)
            return [items[i] for i in indices[:depth] if isinstance(i, int)]
        except (AttributeError, TypeError, IndexError):
            self.mode = "nextitem"
            return None

    def _warn_fallback(self) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(LookaheadFallbackWarning(
                "pytest-evalindex could not read pytest-xdist's worker queue; requests are prefetched only "
                "one item ahead (slower). Please report your pytest-xdist version."), stacklevel=2)


def install_steal_guard(lookahead: Lookahead, release: Callable[[str], bool]) -> bool:
    """Make work stealing hand over only items whose request was not sent yet.

    pytest-xdist's ``worksteal`` asks a worker to give back the tail of its queue; we return the
    requested items that ``release`` gives up (never one whose request is in flight or answered),
    and keep the rest. xdist's scheduler accepts any subset of what it asked for.
    """
    interactor = lookahead._interactor
    if interactor is None or not callable(getattr(interactor, "steal", None)):
        return False

    def steal(indices: Sequence[int]) -> None:
        requested = set(indices)
        items = interactor.session.items
        with interactor.torun.lock() as queue:
            given = [i for i in queue if i in requested and release(items[i].nodeid)]
            if given:
                given_set = set(given)
                interactor.torun.replace([i for i in queue if i not in given_set])
        interactor.sendevent("unscheduled", indices=given)

    interactor.steal = steal
    return True


def _find_worker_interactor(config: pytest.Config) -> Any:
    for plugin in config.pluginmanager.get_plugins():
        if type(plugin).__name__ == "WorkerInteractor" and hasattr(plugin, "torun"):
            torun = plugin.torun
            if hasattr(torun, "lock") and hasattr(plugin, "nextitem_index"):
                return plugin
    return None


def xdist_workers(config: pytest.Config) -> int | None:
    """How many xdist workers this process starts (``-n N``, or the ``--tx`` gateways of ``--dist MODE``);
    ``None`` in a worker or without xdist. After xdist's ``pytest_cmdline_main``, ``-n N`` is N ``popen`` specs."""
    if hasattr(config, "workerinput") or getattr(config.option, "dist", "no") == "no":
        return None
    count = 0
    for spec in getattr(config.option, "tx", None) or []:
        times, star, _ = str(spec).partition("*")
        count += int(times) if star and times.isdigit() else 1
    return count or None

