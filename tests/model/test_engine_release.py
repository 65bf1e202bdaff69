"""What a worker gives away when xdist's worksteal asks for its queue's tail (``Engine.release``): only items
whose request was not sent and whose answer is not here yet; a cached answer's program and judge calls start as
soon as the answer is there, so giving its item away would run them a second time elsewhere."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from aiohttp import web
from helpers_runs import MODEL, general_script, wait_until

from pytest_evalindex.model.engine import Engine, EngineConfig
from pytest_evalindex.model.mock import MockServer
from pytest_evalindex.model.store import AnswerCache

# Only a broken engine (one whose request never arrives) leaves the answers held this long.
HOLD_LIMIT = 60.0


class HeldMock(MockServer):
    """The mock, holding every answer until :meth:`open`: a request stays in flight for as long as a test needs,
    whatever the machine's load."""

    def __init__(self) -> None:
        super().__init__(general_script())
        self._open = threading.Event()

    def __enter__(self) -> HeldMock:
        self.start()
        return self

    def open(self) -> None:
        self._open.set()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        await asyncio.to_thread(self._open.wait, HOLD_LIMIT)
        return await super()._chat(request)


QUESTION = [{"role": "user", "content": "Which is right? A or B"}]
OTHER = [{"role": "user", "content": "And this one? C or D"}]


def _engine(url: str, cache: AnswerCache | None = None, batch_size: int = 2) -> Engine:
    return Engine(EngineConfig(model=MODEL, base_url=url, api_key=None, generation_config={}, timeout=30,
                               max_retries=0, batch_size=batch_size), store=cache)


def test_an_item_whose_answer_came_from_the_cache_is_kept(tmp_path: Path) -> None:
    with MockServer(general_script()) as server:
        first = _engine(server.url, AnswerCache(tmp_path / "cache", "gw0"))
        try:
            first.submit("a", QUESTION)
            answer = first.result("a").text
        finally:
            first.close()
        again = _engine(server.url, AnswerCache(tmp_path / "cache", "gw1"))
        try:
            future = again.submit("a", QUESTION)
            assert future.done() and future.result().cached
            assert again.release("a") is False
            assert again.result("a").text == answer
            assert again.counters.requests == 0
        finally:
            again.close()


def test_an_item_whose_request_was_sent_is_kept() -> None:
    with HeldMock() as server:
        engine = _engine(server.url)
        try:
            engine.submit("a", QUESTION)
            wait_until(lambda: engine.counters.requests == 1)
            assert engine.release("a") is False
            server.open()
            assert engine.result("a").text
        finally:
            server.open()
            engine.close()


def test_an_item_still_waiting_for_a_slot_is_given_away_and_can_be_taken_back() -> None:
    with HeldMock() as server:
        engine = _engine(server.url, batch_size=1)
        try:
            engine.submit("a", QUESTION)
            waiting = engine.submit("b", OTHER)
            wait_until(lambda: engine.counters.requests == 1)  # "a" holds the only slot until the server answers
            assert engine.release("b") is True
            assert waiting.cancelled() and engine.submit("b", OTHER).cancelled()  # given away: not asked here
            server.open()
            engine.result("a")
            engine.submit("b", OTHER, reclaim=True)  # its item came back to run here after all
            assert engine.result("b").text
            assert engine.counters.requests == 2
        finally:
            server.open()
            engine.close()
