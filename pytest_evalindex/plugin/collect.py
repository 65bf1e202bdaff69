"""pytest collection of a JSONL collection: one :class:`SampleItem` per line."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pytest import ExceptionInfo

from pytest_evalindex.core.jsonsafe import clean_text, json_safe
from pytest_evalindex.core.results import SampleResult, Status, Usage
from pytest_evalindex.core.text import sanitize, shorten, visible
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.loader import CollectionError, load_collection
from pytest_evalindex.dataset.outcome import result_for
from pytest_evalindex.dataset.select import in_shard, select
from pytest_evalindex.metrics.repeated import combine_repeats
from pytest_evalindex.model.api import Completion, ModelCallError
from pytest_evalindex.model.judge_client import JudgeCallError
from pytest_evalindex.plugin.code_exec import needs_sandbox, repeat_key, run_scorer
from pytest_evalindex.plugin.keys import runtime_key
from pytest_evalindex.plugin.long_lived import long_lived_objects
from pytest_evalindex.plugin.pytest_private import TerminalRepr
from pytest_evalindex.plugin.snapshots import changed_line
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.fit import check_scorers
from pytest_evalindex.scorers.registry import lookup
from pytest_evalindex.scorers.unit_range import clipped_to_unit


class SampleIncorrect(Exception):
    """Raised under ``--eval-strict`` when the model answered a sample incorrectly."""


class SampleBroken(Exception):
    """Something unexpected while scoring one sample: that sample's error (one line), never the run's."""


class EvalFile(pytest.File):
    """A mixed JSONL collection file."""

    @functools.cached_property
    def file_name(self) -> str:
        """The file's path as text (as the controller names it), one string shared by all its samples' results."""
        return str(self.config.stash[runtime_key].controller_path(self.path))

    def collect(self) -> list[SampleItem]:
        with long_lived_objects():
            return self._collect()

    def _collect(self) -> list[SampleItem]:
        runtime = self.config.stash[runtime_key]
        settings = runtime.settings
        try:
            collection = load_collection(self.path)
        except CollectionError as exc:
            raise self.CollectError(str(exc)) from None
        named = runtime.controller_path(self.path)
        expected = runtime.fingerprints.get(str(named.resolve() if named is self.path else named))
        if expected is not None and collection.fingerprint != expected:
            raise self.CollectError(changed_line(self.path, expected, collection.fingerprint))
        try:
            check_scorers(collection)
        except CollectionError as exc:
            raise self.CollectError(str(exc)) from None
        if settings.code_exec is None:
            refused = code_datasets(collection.entries)
            if refused:
                raise self.CollectError(f"{self.path}: {', '.join(refused)} score{'s' if len(refused) == 1 else ''} "
                                        "by running the model's code, which is off: pass --eval-code-exec bwrap "
                                        "(isolated; needs bubblewrap) or --eval-code-exec unsafe (trusted code only)")
        for message in collection.warnings:
            warnings.warn(pytest.PytestWarning(message), stacklevel=1)
        selected = select(collection.entries, limit=settings.limit, shuffle=settings.shuffle, seed=settings.seed)
        entries = in_shard(selected, settings.shard)  # a shard is an explicit subset, like --eval-limit
        runtime = self.config.stash[runtime_key]
        runtime.samples_collected += len(entries)
        runtime.samples_in_collection += len(selected)
        return [SampleItem.from_parent(self, name=entry.node_name, entry=entry, ordinal=ordinal)
                for ordinal, entry in entries]


def code_datasets(entries: list[Entry]) -> list[str]:
    """The dataset names, in order of first appearance, whose scorer runs the model's code."""
    names: dict[str, None] = {}
    for entry in entries:
        spec = lookup(entry.scorer or entry.dataset_name)
        if spec is not None and needs_sandbox(spec):
            names.setdefault(entry.dataset_name)
    return list(names)


class SampleItem(pytest.Item):
    """One sample: its model call starts early (prefetch), ``setup`` waits for the answer, ``runtest`` scores it."""

    def __init__(self, *, entry: Entry, ordinal: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry
        self.ordinal = ordinal
        self.completion: Completion | None = None
        self.repeats: list[Completion] = []  # answers 1…K-1 under --eval-repeats K
        self.result: SampleResult | None = None
        legacy = self.config.stash[runtime_key].settings.compat == "evalscope-legacy"
        spec = lookup(entry.scorer or entry.dataset_name, legacy=legacy)
        assert spec is not None  # validated at load time
        self.scorer_spec = spec
        judge = self.config.stash[runtime_key].judge
        self.judge_plan = judge.plan(spec.name) if judge is not None else None
        self.judged: list[Score] = []  # the judge's score of each answer, obtained in setup

    def setup(self) -> None:
        runtime = self.config.stash[runtime_key]
        repeats = runtime.settings.repeats
        answers: list[Completion] = []
        failure: ModelCallError | None = None
        for repeat in range(repeats):  # wait for every repeat, so none is left in flight
            try:
                answer = runtime.engine.result(self.nodeid, repeat)
            except ModelCallError as exc:
                if failure is None:
                    failure = exc if repeats == 1 else ModelCallError(
                        f"repeat {repeat} of {repeats}: {exc}", fatal=exc.fatal, status=exc.status)
                continue
            # A lone surrogate ("\ud800" in the response JSON) cannot be written as UTF-8: scored, cached and
            # written as U+FFFD, the same in every run.
            answer.text = clean_text(answer.text)
            if answer.reasoning is not None:
                answer.reasoning = clean_text(answer.reasoning)
            if answer.earlier:
                answer.earlier = [clean_text(text) for text in answer.earlier]
            answers.append(answer)
        if failure is None and self.judge_plan is not None and runtime.judge is not None:
            plan, judge = self.judge_plan, runtime.judge
            try:
                self.judged = [judge.score(repeat_key(self.nodeid, repeat), self.entry, plan, answer,
                                           rule=functools.partial(self._rule_score, answer, repeat))
                               for repeat, answer in enumerate(answers)]
            except ModelCallError as exc:
                failure = exc
        if failure is not None:
            if failure.fatal and not self.session.shouldstop:
                # Every other request would fail the same way: stop instead of erroring thousands of samples.
                self.session.shouldstop = f"stopping: {sanitize(str(failure))}"
            raise failure
        self.completion, self.repeats = answers[0], answers[1:]

    def runtest(self) -> None:
        assert self.completion is not None
        try:
            score = self._score(self.completion)
            self.result = self.make_result(self.completion, score)
            if self.repeats:  # the sample scores the mean of its answers
                self.result = combine_repeats([self.result] + [self.make_result(c, self._score(c, repeat))
                                                               for repeat, c in enumerate(self.repeats, start=1)])
        except Exception as exc:
            cause = sanitize(f"scoring failed ({type(exc).__name__}: {exc})")[:500]
            self.result = self.make_result(self.completion, None, error=cause)
            raise SampleBroken(cause) from None
        finally:
            self.repeats = []
            self.judged = []
        if getattr(self.config.option, "xmlpath", None):  # JUnit properties, so CI dashboards can filter samples
            self.user_properties.extend(self.junit_properties(self.result))
        if self.result.status in ("incorrect", "partial") and self.config.stash[runtime_key].settings.strict:
            raise SampleIncorrect(self.describe())

    def _score(self, completion: Completion, repeat: int = 0) -> Score:
        if self.judged:
            return self.judged[repeat]
        return self._rule_score(completion, repeat)

    def _rule_score(self, completion: Completion, repeat: int = 0) -> Score:
        runner = self.config.stash[runtime_key].code_runner
        if runner is not None and needs_sandbox(self.scorer_spec):
            score = runner.score(repeat_key(self.nodeid, repeat), self.scorer_spec, self.score_input(completion))
        else:
            score = run_scorer(self.scorer_spec, self.score_input(completion))
        value = score.value
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise ValueError(f"scorer {self.scorer_spec.name!r} returned the score {value!r}; a score is a finite "
                             "number or None")
        if self.scorer_spec.unbounded and self.config.stash[runtime_key].settings.compat == "corrected":
            return clipped_to_unit(score)
        return score

    def score_input(self, completion: Completion) -> ScoreInput:
        """What the scorer sees of this sample and its answer (the sandbox only for code scorers)."""
        entry = self.entry
        runner = self.config.stash[runtime_key].code_runner
        return ScoreInput(
            completion=completion.text,
            target=entry.prompt.target_text,
            targets=tuple(entry.prompt.target) if isinstance(entry.prompt.target, list) else (entry.prompt.target,),
            choices=tuple(entry.prompt.choices) if entry.prompt.choices is not None else None,
            metadata=entry.prompt.metadata,
            dataset_name=entry.dataset_name,
            subset_name=entry.subset_name,
            sandbox=runner.sandbox if runner is not None and needs_sandbox(self.scorer_spec) else None,
        )

    def make_result(self, completion: Completion | None, score: Score | None, error: str | None = None) -> SampleResult:
        """This sample's :class:`SampleResult` for an answer and its score, or for an error."""
        entry = self.entry
        status: Status
        if error is not None or completion is None or score is None:
            status = "error"
        elif score.value is None:
            status = "excluded"
        else:
            unit = self._on_unit_scale(score)
            status = "correct" if unit >= 1.0 else ("incorrect" if unit <= 0.0 else "partial")
        file_name = self.parent.file_name if isinstance(self.parent, EvalFile) else str(self.path)
        return result_for(
            entry, node_id=self.nodeid, ordinal=self.ordinal, file=file_name, status=status,
            score=None if score is None else score.value,
            metric=score.metric if score is not None else self.scorer_spec.metric,
            metrics=_finite(score.metrics) if score is not None and score.metrics else None,
            extracted=None if score is None or score.extracted is None else clean_text(str(score.extracted)),
            score_metadata=json_safe(dict(score.metadata)) if score is not None and score.metadata else None,
            completion=None if completion is None else completion.text,
            reasoning=None if completion is None else completion.reasoning,
            finish_reason=None if completion is None else completion.finish_reason,
            error=None if error is None else clean_text(error),
            explanation=None if score is None or score.explanation is None else clean_text(str(score.explanation)),
            usage=Usage() if completion is None else Usage(completion.input_tokens, completion.output_tokens,
                                                            completion.total_tokens),
            latency=None if completion is None else round(completion.latency, 4),
            cached=bool(completion is not None and completion.cached),
        )

    def _on_unit_scale(self, score: Score) -> float:
        """The score's value on 0–1 for its status: a 1–10 rating kept as it is (--eval-compat evalscope) is
        correct only at 10 and incorrect only at 1."""
        assert score.value is not None
        scale = self.judge_plan.spec.scale if self.judge_plan is not None else None
        if scale is None or "unit_scale" in score.metadata:
            return score.value
        return (score.value - scale[0]) / (scale[1] - scale[0])

    def junit_properties(self, result: SampleResult) -> list[tuple[str, str]]:
        """The sample's JUnit properties: dataset, subset, status, score, extracted answer (or the error)."""
        properties = [("dataset", sanitize(self.entry.dataset_name)), ("subset", sanitize(self.entry.subset_name)),
                      ("status", result.status), ("score", "" if result.score is None else str(result.score)),
                      ("extracted", visible(result.extracted or "", keep_newlines=False)[:200])]
        if result.error:
            properties.append(("error", visible(result.error, keep_newlines=False)[:500]))
        return properties

    def verdict_line(self) -> str:
        """``target 'A', extracted 'B'`` (shortened, control characters shown escaped)."""
        result = self.result
        extracted = "(nothing)" if result is None or result.extracted is None else \
            repr(shorten(visible(result.extracted, keep_newlines=False), 120))
        return f"target {shorten(visible(self.entry.prompt.target_text, keep_newlines=False), 120)!r}, " \
               f"extracted {extracted}"

    def describe(self) -> str:
        """Prompt (shortened), target, raw answer and extracted answer, for failure text."""
        entry = self.entry
        prompt = entry.prompt.input[-1].content if entry.prompt.input else ""
        prompt_text = prompt if isinstance(prompt, str) else " ".join(getattr(p, "text", "") for p in prompt)
        result = self.result
        lines = [
            f"sample   {entry.dataset_name}/{entry.subset_name} index {entry.index} ({self.path.name}:{entry.line})",
            f"prompt   {shorten(visible(prompt_text), 300)}",
            f"target   {visible(entry.prompt.target_text)}",
            f"answer   {shorten(visible(result.completion or '') if result else '', 600)}",
            f"extracted {visible(result.extracted) if result and result.extracted is not None else '(nothing)'}",
        ]
        if result is not None and result.score is not None:
            lines.append(f"score    {result.score}  (scorer {self.scorer_spec.name})")
        if result is not None and result.explanation and self.judge_plan is not None:
            lines.append(f"judge    {shorten(visible(result.explanation.replace(chr(10), ' | ')), 600)}")
        return "\n".join(lines)

    def repr_failure(self, excinfo: ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, JudgeCallError):
            return f"judge call failed: {sanitize(str(excinfo.value))}"
        if isinstance(excinfo.value, ModelCallError):  # server text: control characters shown, not obeyed
            return f"model call failed: {sanitize(str(excinfo.value))}"
        if isinstance(excinfo.value, SampleBroken):
            return str(excinfo.value)
        if isinstance(excinfo.value, SampleIncorrect):
            return f"incorrect answer\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def _repr_failure_py(self, excinfo: ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:  # type: ignore[override]
        # pytest renders setup errors through this, not repr_failure: keep a failed model call one line.
        if isinstance(excinfo.value, ModelCallError):
            return self.repr_failure(excinfo, style)
        return super()._repr_failure_py(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.entry.line - 1, f"{self.name} [{self.scorer_spec.name}]"  # name: entry.node_name


def _finite(metrics: Mapping[str, float]) -> dict[str, float] | None:
    """A scorer's extra metrics without the non-finite ones (they would poison every average)."""
    kept = {str(k): float(v) for k, v in metrics.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    return kept or None
