"""Per-process run state: settings, the model engine (created on first use) and prefetching."""

from __future__ import annotations

import concurrent.futures
from typing import TYPE_CHECKING

import pytest

from pytest_evalindex.core.hashing import fingerprint
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.engine import AnswerStore, Engine, EngineConfig
from pytest_evalindex.model.store import AnswerStoreError
from pytest_evalindex.plugin.code_exec import CodeRunner, SandboxUnavailable, needs_sandbox, open_sandbox
from pytest_evalindex.plugin.xdist import Lookahead, install_steal_guard

if TYPE_CHECKING:
    from pytest_evalindex.plugin.collect import SampleItem


class Runtime:
    """What one pytest process needs to evaluate its items."""

    def __init__(self, config: pytest.Config, settings: Settings, api_url: str | None, model: str | None) -> None:
        self.config = config
        self.settings = settings
        self.api_url = api_url
        self.model = model
        self.lookahead = Lookahead(config)
        self._engine: Engine | None = None
        self.samples_collected = 0
        self.samples_deselected = 0  # by -k, -m, --lf, --deselect: pytest_deselected
        self._store: AnswerStore | None = None
        self.fingerprints: dict[str, str] = {}  # resolved collection path → its fingerprint when the run started
        self.code_runner: CodeRunner | None = None

    def take_part_in_stealing(self) -> None:
        """Under xdist, hand over only items whose request was not sent (see lookahead.py)."""
        install_steal_guard(self.lookahead, self.release)

    def open_store(self, *, keep: bool) -> None:
        """Open the answer cache or recorded predictions now, so a bad path is a usage error before
        any call; ``keep=False`` (the xdist controller, which runs no item) only validates."""
        try:
            store = self._answer_store()
        except AnswerStoreError as exc:
            raise pytest.UsageError(str(exc)) from None
        self._store = store if keep else None

    def open_code_runner(self, *, keep: bool) -> None:
        """Probe the ``--eval-code-exec`` sandbox now (a usage error before any request when it cannot run)
        and, with ``keep``, start this process's share of the program pool."""
        mode = self.settings.code_exec
        if mode is None:
            return
        try:
            sandbox = open_sandbox(mode)
        except SandboxUnavailable as exc:
            raise pytest.UsageError(f"--eval-code-exec {mode}: {exc}") from None
        if keep:
            self.code_runner = CodeRunner(sandbox, self._code_workers())

    def _code_workers(self) -> int | None:
        workerinput = getattr(self.config, "workerinput", None)
        workers = int(workerinput.get("workercount", 1)) if workerinput else 1
        total = self.settings.code_workers
        if total is None and workers == 1:
            return None  # CodeRunner's default: one per CPU
        from pytest_evalindex.sandbox.pool import default_workers

        total = total or default_workers()
        position = int(str(workerinput.get("workerid", "gw0"))[2:] or 0) if workerinput else 0
        return max(1, total // workers + (1 if position < total % workers else 0))

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            if not self.api_url or not self.model:
                missing = "--eval-api-url" if not self.api_url else "--eval-model"
                raise pytest.UsageError(f"{missing} is required to evaluate a collection (or use --eval-mock SCRIPT)")
            s = self.settings
            self._engine = Engine(EngineConfig(
                model=self.model, base_url=self.api_url, api_key=s.api_key,
                generation_config=s.generation_config, timeout=s.timeout,
                max_retries=s.max_retries, batch_size=self.in_flight, cache_url=self._cache_url(),
            ), store=self._store, offline=self._offline_reason())
        return self._engine

    def _cache_url(self) -> str | None:
        """The built-in mock's cache identity: its script's content, not its (random) port."""
        if self.settings.mock is None:
            return None
        try:
            return f"evalindex-mock:{fingerprint(self.settings.mock.read_bytes())}"
        except OSError:
            return None

    def _answer_store(self) -> AnswerStore | None:
        s = self.settings
        if s.predictions is None and s.cache_dir is None:
            return None
        from pytest_evalindex.model.store import AnswerCache, PredictionsStore

        if s.predictions is not None:
            return PredictionsStore(s.predictions)
        assert s.cache_dir is not None
        return AnswerCache(s.cache_dir, writer=self.process_name)

    def _offline_reason(self) -> str | None:
        if self.settings.predictions is not None:
            return f"no recorded answer for this sample in {self.settings.predictions}"
        if self.settings.rerun_review:
            return "no cached answer for this sample (--eval-rerun-review never calls the model; run without it first)"
        return None

    @property
    def process_name(self) -> str:
        """``gw0``… under xdist, ``main`` otherwise (names this process's cache shard)."""
        workerinput = getattr(self.config, "workerinput", None)
        return str(workerinput["workerid"]) if workerinput else "main"

    @property
    def in_flight(self) -> int:
        """Requests this process keeps in flight: K, capped by its share of ``--eval-max-concurrency``."""
        s = self.settings
        if s.max_concurrency is None:
            return s.batch_size
        workerinput = getattr(self.config, "workerinput", None)
        workers = int(workerinput.get("workercount", 1)) if workerinput else 1
        position = int(str(workerinput.get("workerid", "gw0"))[2:] or 0) if workerinput else 0
        share = s.max_concurrency // workers + (1 if position < s.max_concurrency % workers else 0)
        return max(1, min(s.batch_size, share))

    def release(self, nodeid: str) -> bool:
        """Let another process run ``nodeid`` unless this one already sent its request."""
        return self._engine is None or self._engine.release(nodeid)

    @property
    def depth(self) -> int:
        """How many upcoming items get their request started ahead of time."""
        return 2 * self.in_flight

    def prefetch(self, item: SampleItem, nextitem: pytest.Item | None) -> None:
        """Start the calls for ``item`` and the items this process runs after it.

        Items taken away by work stealing are released (and their calls cancelled) by the steal
        guard at the moment they are stolen, so nothing here needs to look backwards.
        """
        from pytest_evalindex.plugin.collect import SampleItem

        engine = self.engine
        self._start(engine, item, reclaim=True)  # about to run here, even if it had been given away
        for upcoming in self.lookahead.upcoming(item, nextitem, self.depth):
            if isinstance(upcoming, SampleItem):
                self._start(engine, upcoming, reclaim=False)

    def _start(self, engine: Engine, sample: SampleItem, *, reclaim: bool) -> None:
        if not engine.is_submitted(sample.nodeid):
            entry = sample.entry
            future = engine.submit(sample.nodeid, entry.openai_messages(), entry.prompt.tools, reclaim=reclaim,
                                   digest=entry.messages_digest())
            runner = self.code_runner
            if runner is not None and needs_sandbox(sample.scorer_spec):
                # Run the program as soon as the answer is there (in the engine's thread, or now if cached).
                def start_program(done: concurrent.futures.Future[Completion]) -> None:
                    if not done.cancelled() and done.exception() is None:
                        runner.start(sample.nodeid, sample.scorer_spec, sample.score_input(done.result()))

                future.add_done_callback(start_program)

    @property
    def counters(self) -> dict[str, object] | None:
        """This process's engine counters (program counters, and its answer store's under ``store``), if it
        called the model."""
        if self._engine is None:
            return None
        counters: dict[str, object] = dict(self._engine.counters.to_dict())
        if self.code_runner is not None:
            counters.update(self.code_runner.counters())
        store_counters = getattr(self._store, "counters", None)
        if store_counters is not None:
            counters["store"] = store_counters.to_dict()
        return counters

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        if self.code_runner is not None:
            self.code_runner.close()
