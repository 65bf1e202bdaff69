"""Per-process run state: settings, the model engine (created on first use) and prefetching."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_evalindex.core.hashing import fingerprint
from pytest_evalindex.core.judge_settings import JudgeSettings
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.engine import AnswerStore, Engine, EngineConfig
from pytest_evalindex.model.shared_limits import LimitConfig, Limits, SharedLimits
from pytest_evalindex.model.store import AnswerCache, AnswerStoreError
from pytest_evalindex.plugin.code_exec import (
    CodeRunner,
    SandboxUnavailable,
    needs_sandbox,
    open_sandbox,
    repeat_key,
)
from pytest_evalindex.plugin.judge_runner import JudgeRunner
from pytest_evalindex.plugin.keys import LIMITS_CHANNEL_KEY
from pytest_evalindex.plugin.limits_relay import RelayedLimits
from pytest_evalindex.plugin.xdist import Lookahead, install_steal_guard
from pytest_evalindex.scorers.judge.benchmarks import CONVERSATIONS

if TYPE_CHECKING:
    from pytest_evalindex.plugin.collect import SampleItem


def conversation_plan(scorer: str, metadata: Mapping[str, Any], generation_config: Mapping[str, Any]
                      ) -> tuple[list[str], dict[str, Any] | None]:
    """The user turns sent after the first answer and the generation overrides of a multi-turn benchmark's
    sample (mt_bench); none for any other. A malformed sample is asked its first turn alone: its judging then
    fails with a line naming the field."""
    plan = CONVERSATIONS.get(scorer)
    if plan is None:
        return [], None
    try:
        return plan(metadata, generation_config)
    except ValueError:
        return [], None


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
        self.samples_in_collection = 0  # selected by --eval-limit before --eval-shard took its share
        self._store: AnswerStore | None = None
        self.judge_settings: JudgeSettings | None = None  # set by pytest_configure (judge_setup.py)
        self._judge: JudgeRunner | None = None
        self.fingerprints: dict[str, str] = {}  # resolved collection path → its fingerprint when the run started
        self.controller_root: Path | None = None  # the xdist controller's rootdir, as the controller names it
        self.code_runner: CodeRunner | None = None
        self.limits = self._shared_limits()

    def _shared_limits(self) -> Limits | None:
        """The run's shared paces and budgets: kept by the process that owns the run; an xdist worker reaches the
        controller's through the channel in its ``workerinput`` (see limits_relay.py)."""
        s = self.settings
        limits = LimitConfig(requests_per_minute=s.max_requests_per_minute, max_tokens=s.max_tokens,
                             max_cost=s.max_cost, price_input=s.price_input, price_output=s.price_output,
                             tokens_per_minute=s.max_tokens_per_minute)
        if not limits.active:
            return None
        workerinput = getattr(self.config, "workerinput", None)
        if workerinput is not None:
            channel = workerinput.get(LIMITS_CHANNEL_KEY)
            if channel is None:  # a controller without our plugin's hook cannot relay; refuse rather than overspend
                raise pytest.UsageError("the shared limits (--eval-max-requests-per-minute, --eval-max-tokens-per-"
                                        "minute, --eval-max-tokens, --eval-max-cost) need pytest-evalindex on the "
                                        "xdist controller too")
            return RelayedLimits(channel)
        return SharedLimits(limits)

    def controller_path(self, path: Path) -> Path:
        """``path`` as the controller names it. A remote xdist worker collects its own copy of the project (under
        its gateway's folder), so its files are named by their place under the rootdir, which both share; any
        other process returns ``path`` itself."""
        root = self.controller_root
        mine = self.config.rootpath.resolve()
        if root is None or root == mine:
            return path
        try:
            return root / path.resolve().relative_to(mine)
        except ValueError:
            return path

    def take_part_in_stealing(self) -> None:
        """Under xdist, hand over only items whose request was not sent (see lookahead.py)."""
        install_steal_guard(self.lookahead, self.release)

    def open_store(self, *, keep: bool) -> None:
        """Open the answer cache or recorded predictions now, so a bad path is a usage error before
        any call; ``keep=False`` (the xdist controller, which runs no item) only validates."""
        try:
            store = self._answer_store()
            if self.offline and store is not None:
                self._use_recorded_model(store)
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
        else:
            sandbox.close()

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
    def offline(self) -> bool:
        """Whether this run only scores recorded answers (it needs no URL; the model name may come from them)."""
        return self.settings.predictions is not None or self.settings.rerun_review

    def _use_recorded_model(self, store: AnswerStore) -> None:
        """The recorded answers' model when none was given; with --eval-rerun-review, refuse a cache that
        holds nothing under this run's settings (one line instead of one error per sample)."""
        from pytest_evalindex.model.predictions import PredictionsStore
        from pytest_evalindex.model.recorded import missing_settings, recorded_model, request_settings
        from pytest_evalindex.model.store import AnswerCache

        if not self.model and isinstance(store, (AnswerCache, PredictionsStore)):
            option = "--eval-predictions" if isinstance(store, PredictionsStore) else "--eval-rerun-review"
            self.model = recorded_model(store, option)
        if isinstance(store, AnswerCache) and self.model:
            why = missing_settings(store, request_settings(self.model, self.settings.generation_config))
            if why is not None:
                raise AnswerStoreError(f"--eval-rerun-review: {why}")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            missing = self.missing_options()
            if missing:
                raise pytest.UsageError(f"{missing} required to evaluate a collection (or use --eval-mock SCRIPT)")
            assert self.model is not None
            s = self.settings
            self._engine = Engine(EngineConfig(
                model=self.model, base_url=self.api_url or "", api_key=s.api_key,
                generation_config=s.generation_config, timeout=s.timeout,
                max_retries=s.max_retries, batch_size=self.in_flight, limits=self.limits, repeats=s.repeats,
                cache_url=self._cache_url(),
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

    def missing_options(self) -> str | None:
        """The options this run still needs to call the model, as text (``--eval-model is``), or ``None``."""
        missing = [flag for flag, value in (("--eval-model", self.model), ("--eval-api-url", self.api_url))
                   if not value and not (self.offline and flag == "--eval-api-url")]
        return " and ".join(missing) + (" are" if len(missing) > 1 else " is") if missing else None

    @property
    def judge(self) -> JudgeRunner | None:
        """This process's judge, when ``--eval-judge-model`` is set (its calls share the answer cache)."""
        if self._judge is None and self.judge_settings is not None and self.judge_settings.model:
            s = self.settings
            self._judge = JudgeRunner(self.judge_settings, model_url=self.api_url, timeout=s.timeout,
                                      max_retries=s.max_retries,
                                      store=self._store if isinstance(self._store, AnswerCache) else None,
                                      unit_scale=s.compat == "corrected")
        return self._judge

    def _answer_store(self) -> AnswerStore | None:
        s = self.settings
        if s.predictions is None and s.cache_dir is None:
            return None
        from pytest_evalindex.model.predictions import PredictionsStore

        if s.predictions is not None:
            return PredictionsStore(s.predictions)
        assert s.cache_dir is not None
        from pytest_evalindex.model.recorded import request_settings

        request = request_settings(self.model, s.generation_config) if self.model and not self.offline else None
        return AnswerCache(s.cache_dir, writer=self.process_name, request=request)

    def _offline_reason(self) -> str | None:
        if self.settings.predictions is not None:
            return f"no recorded answer for this sample in {self.settings.predictions}"
        if self.settings.rerun_review:
            return (f"no cached answer for this sample under model {self.model!r} and this generation config "
                    "(the cache holds answers for other samples; run without --eval-rerun-review to ask the model)")
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
        """Let another process run ``nodeid`` unless this one already sent its request or has its answer."""
        return self._engine is None or self._engine.release(nodeid)

    @property
    def depth(self) -> int:
        """How many upcoming items get their requests started ahead of time (each item asks K repeats)."""
        return max(1, -(-2 * self.in_flight // self.settings.repeats))

    def prefetch(self, item: SampleItem, nextitem: pytest.Item | None) -> None:
        """Start the calls for ``item`` and the items this process runs after it.

        Items taken away by work stealing are released (and their calls cancelled) by the steal
        guard at the moment they are stolen, so nothing here needs to look backwards.
        """
        from pytest_evalindex.plugin.collect import SampleItem

        engine = self.engine
        self._start(engine, item, reclaim=True)  # about to run here, even if it had been given away
        for upcoming in self.lookahead.fresh(item, nextitem, self.depth):
            if isinstance(upcoming, SampleItem):
                self._start(engine, upcoming, reclaim=False)

    def _start(self, engine: Engine, sample: SampleItem, *, reclaim: bool) -> None:
        if not engine.is_submitted(sample.nodeid):
            entry = sample.entry
            messages, digest = entry.openai_messages(), entry.messages_digest()
            runner = self.code_runner if needs_sandbox(sample.scorer_spec) else None
            follow_ups, overrides = conversation_plan(sample.scorer_spec.name, entry.prompt.metadata,
                                                      self.settings.generation_config)
            for repeat in range(self.settings.repeats):  # together: they share the K in flight
                future = engine.submit(sample.nodeid, messages, entry.prompt.tools, reclaim=reclaim, digest=digest,
                                       repeat=repeat, follow_ups=follow_ups, overrides=overrides)
                if sample.judge_plan is not None and self.judge is not None and not future.cancelled():
                    self.judge.follow(repeat_key(sample.nodeid, repeat), entry, sample.judge_plan, future)
                if runner is not None:
                    # Run the program as soon as the answer is there (in the engine's thread, or now if cached).
                    def start_program(done: concurrent.futures.Future[Completion], key: str = repeat_key(
                            sample.nodeid, repeat)) -> None:
                        if runner is not None and not done.cancelled() and done.exception() is None:
                            runner.start(key, sample.scorer_spec, sample.score_input(done.result()))

                    future.add_done_callback(start_program)

    @property
    def counters(self) -> dict[str, object] | None:
        """This process's engine counters (with the judge's, the programs', and its answer store's under
        ``store``), if it called the model."""
        if self._engine is None:
            return None
        counters: dict[str, object] = dict(self._engine.counters.to_dict())
        judge = self._judge.counters if self._judge is not None else None
        if judge is not None:
            counters["judge"] = judge
        if self.code_runner is not None:
            counters.update(self.code_runner.counters())
        store_counters = getattr(self._store, "counters", None)
        if store_counters is not None:
            counters["store"] = store_counters.to_dict()
        return counters

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        if self._judge is not None:
            self._judge.close()
        if self.code_runner is not None:
            self.code_runner.close()
