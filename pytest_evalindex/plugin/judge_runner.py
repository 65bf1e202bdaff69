"""Judging inside the pipeline: a sample's judge calls start the moment its answer arrives.

:meth:`JudgeRunner.follow` hangs a callback on the model call's future; when the answer is in (on
the model engine's loop thread, or at once for a cached answer) the sample's judge requests are
rendered and handed to the :class:`~pytest_evalindex.model.judge_client.JudgeEngine`, which runs
them on its own loop under its own limit. The item's ``setup`` then only waits for verdicts that
are usually already there. ``llm_recall`` needs the rule score first, so its judge calls start in
``setup``.

In the default mode (``unit_scale``) a benchmark whose main metric is not on 0–1 (mt_bench's 1–10) has
its sample value rescaled onto 0–1 so it averages with other datasets; ``--eval-compat evalscope``
keeps EvalScope's unnormalised value.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

from pytest_evalindex.core.judge_settings import JudgeSettings
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.engine import AnswerStore, EngineConfig
from pytest_evalindex.model.judge_client import JudgeEngine
from pytest_evalindex.scorers.base import Score
from pytest_evalindex.scorers.judge.mt_bench import MTBenchSampleError
from pytest_evalindex.scorers.judge.outcome import CaseReply, score_sample
from pytest_evalindex.scorers.judge.plan import JudgePlan, conversation_of, plan_for, pretty_prompt
from pytest_evalindex.scorers.judge.spec import PROTOCOL_VERSION, JudgeCase, JudgeInput
from pytest_evalindex.scorers.judge.templates import Template, load_templates
from pytest_evalindex.scorers.unit_range import on_unit_scale


class JudgeRunner:
    """One process's judge: plans per benchmark, early submission, and the final score of a judged sample."""

    def __init__(self, settings: JudgeSettings, *, model_url: str | None, timeout: float, max_retries: int,
                 store: AnswerStore | None, unit_scale: bool = True) -> None:
        self.settings = settings
        self.unit_scale = unit_scale
        self.templates: dict[str, Template] = load_templates(settings.templates)
        self._config = EngineConfig(
            model=settings.model or "", base_url=settings.api_url or model_url or "", api_key=settings.api_key,
            generation_config=settings.generation_config, timeout=timeout, max_retries=max_retries,
            batch_size=settings.batch_size)
        self._store = store
        self._engine: JudgeEngine | None = None
        self._lock = threading.Lock()
        self._cases: dict[str, list[JudgeCase]] = {}

    def plan(self, scorer_name: str) -> JudgePlan | None:
        """How samples of ``scorer_name`` are judged (``None``: rule only, or no judge configured)."""
        return plan_for(scorer_name, self.settings.strategy) if self.settings.model else None

    @property
    def engine(self) -> JudgeEngine:
        with self._lock:
            if self._engine is None:
                self._engine = JudgeEngine(self._config, store=self._store)
            return self._engine

    def follow(self, nodeid: str, entry: Entry, plan: JudgePlan,
               answer: concurrent.futures.Future[Completion]) -> None:
        """Submit the sample's judge calls as soon as ``answer`` completes (not for ``llm_recall``)."""
        if plan.mode == "recall":
            return
        engine = self.engine  # created here, on the main thread

        def started(done: concurrent.futures.Future[Completion]) -> None:
            if done.cancelled() or done.exception() is not None:
                return
            try:
                self._submit(engine, nodeid, entry, plan, done.result())
            except Exception:
                pass  # setup submits again and reports the problem on the sample

        answer.add_done_callback(started)

    def score(self, nodeid: str, entry: Entry, plan: JudgePlan, completion: Completion,
              rule: Callable[[], Score]) -> Score:
        """The sample's final score (waits for its verdicts; a judge transport failure raises ``JudgeCallError``)."""
        engine = self.engine

        def ask(cases: list[JudgeCase]) -> list[CaseReply]:
            replies = []
            for index, case in enumerate(cases):
                reply = engine.result(_key(nodeid, index, case))
                replies.append(CaseReply(case, reply.text, reasoning=reply.reasoning, cached=reply.cached))
            with self._lock:
                self._cases.pop(nodeid, None)
            return replies

        try:
            score = score_sample(plan.spec, plan.mode, self._input(entry, plan, completion),
                                 lambda: self._submit(engine, nodeid, entry, plan, completion), ask, rule,
                                 judge_model=self.settings.model or "", strategy=self.settings.strategy)
        except MTBenchSampleError as exc:  # the sample cannot be judged as it is written: excluded, saying why
            return Score(value=None, metric=plan.spec.metric, explanation=str(exc),
                         metadata={"status": "excluded", "judge_error": str(exc)})
        return on_unit_scale(score, plan.spec.scale) if self.unit_scale else score

    def _input(self, entry: Entry, plan: JudgePlan, completion: Completion) -> JudgeInput:
        metadata = entry.prompt.metadata
        question = pretty_prompt(entry.prompt.input)
        if plan.spec.question_key and isinstance(metadata.get(plan.spec.question_key), str):
            question = metadata[plan.spec.question_key]
        target = entry.prompt.target
        return JudgeInput(question=question, target=entry.prompt.target_text,
                          prediction=plan.spec.extract(completion.text), completion=completion.text,
                          metadata=metadata, targets=tuple(target) if isinstance(target, list) else (target,),
                          conversation=conversation_of(entry.prompt.input),
                          answers=(*completion.earlier, completion.text) if completion.earlier else ())

    def _submit(self, engine: JudgeEngine, nodeid: str, entry: Entry, plan: JudgePlan,
                completion: Completion) -> list[JudgeCase]:
        """Render and submit the sample's judge cases once (from whichever thread gets there first)."""
        with self._lock:
            cases = self._cases.get(nodeid)
            if cases is not None:
                return cases
            cases = plan.spec.build(plan.spec, self._input(entry, plan, completion), self.templates)
            for index, case in enumerate(cases):
                engine.submit_case(_key(nodeid, index, case), case.messages, _identity(case))
            self._cases[nodeid] = cases
            return cases

    @property
    def counters(self) -> dict[str, Any] | None:
        return self._engine.counters.to_dict() if self._engine is not None else None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


def _key(nodeid: str, index: int, case: JudgeCase) -> str:
    return f"{nodeid}#judge/{index}/{case.case_id}/{case.placement}"


def _identity(case: JudgeCase) -> dict[str, Any]:
    """What joins the rendered messages in the judge cache key."""
    return {"schema": case.schema.identity(), "protocol": PROTOCOL_VERSION, "placement": case.placement,
            "case": case.case_id, "repeat": 0}
