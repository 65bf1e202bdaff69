"""From the judge's replies to a sample's :class:`Score`, with EvalScope 1.14.1's statuses and fallbacks.

Every case must yield a usable verdict, else the review is *excluded*: the score's value is
``None`` (the sample leaves every average; it is never a silent zero). A ``judge_default``
benchmark then falls back to its rule score (``degraded``); under ``llm_recall`` the rule score
stands when it is above 0.99, else the judge may only raise it (``max``), and an unusable verdict
leaves the rule score (``fallback``). The judge's reasoning becomes the score's explanation; every
attempt (raw reply, parsed verdict or parse error) is kept in the score metadata as EvalScope does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pytest_evalindex.scorers.base import Score
from pytest_evalindex.scorers.judge.contract import Verdict
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput, JudgeSpec
from pytest_evalindex.scorers.judge.summary import sample_summary, with_status

RECALL_KEEP = 0.99
"""Under ``llm_recall`` a rule score above this is kept without asking the judge."""


@dataclass(frozen=True)
class CaseReply:
    """The judge's reply to one case (transport failures never get here: they are errors)."""

    case: JudgeCase
    text: str
    reasoning: str | None = None  # the judge's separate reasoning channel; never parsed
    cached: bool = False


def judged_score(spec: JudgeSpec, sample: JudgeInput, replies: Sequence[CaseReply], *, judge_model: str,
                 strategy: str) -> Score:
    """The judge's score for one sample (``value`` ``None`` when a verdict is unusable)."""
    attempts: list[dict[str, Any]] = []
    verdicts: list[Verdict] = []
    problem: str | None = None
    for reply in replies:
        parsed = reply.case.schema.parse(reply.text)
        attempt: dict[str, Any] = {"case_id": reply.case.case_id, "placement": reply.case.placement,
                                   "raw_response": reply.text, "template": reply.case.template}
        if reply.reasoning:
            attempt["reasoning_content"] = reply.reasoning
        if isinstance(parsed, Verdict):
            attempt.update(status="success", parsed_value=parsed.parsed)
            verdicts.append(parsed)
        else:
            attempt.update(status="parse_error", error=parsed)
            problem = problem or f"case {reply.case.case_id}: {parsed}"
        attempts.append(attempt)
    metadata: dict[str, Any] = {"source": "llm_judge", "judge_strategy": strategy, "model": judge_model}
    keys = [f"pairwise/{spec.metric}"] if spec.position_consistency is not None else list(dict.fromkeys(
        r.case.case_id for r in replies if any(f.name == "verdict" for f in r.case.schema.fields)))
    if problem is not None or not verdicts:
        metadata.update(status="excluded", judge_attempts=attempts,
                        judge_error=problem or "no case produced a usable verdict",
                        judge_summary=sample_summary(status="excluded", judge_model=judge_model, metrics=None,
                                                     categorical_keys=keys))
        return Score(value=None, extracted=sample.prediction, metric=spec.metric,
                     explanation=f"judge verdict unusable ({problem}); the sample is excluded", metadata=metadata)
    metrics = spec.reduce(verdicts, sample)
    if spec.finalize is not None:
        metadata.update(spec.finalize(sample, verdicts))
    labels = ", ".join(f"{key}={value}" for verdict in verdicts for key, value in verdict.values.items())
    reasoning = "\n".join(v.reasoning for v in verdicts if v.reasoning)
    metadata.update(status="success", verdict=labels, judge_attempts=attempts, judge_summary=sample_summary(
        status="success", judge_model=judge_model, metrics=metrics, categorical_keys=keys,
        position_consistency=spec.position_consistency(verdicts) if spec.position_consistency else None))
    return Score(value=metrics[spec.metric], extracted=sample.prediction, metric=spec.metric,
                 explanation=f"judge: {labels}" + (f"\n{reasoning}" if reasoning else ""),
                 metadata=metadata, metrics=metrics)


def with_rule_fallback(judged: Score, rule: Callable[[], Score]) -> Score:
    """``judge_default``: the judge's score, or the rule score marked ``degraded`` when the verdict is unusable."""
    if judged.value is not None:
        return judged
    fallback = rule()
    status = "degraded" if fallback.value is not None else "excluded"
    metadata = {**fallback.metadata, **judged.metadata, "status": status, "judge_unavailable": "excluded"}
    metadata["judge_summary"] = with_status(metadata.get("judge_summary"), status)
    return replace(fallback, metadata=metadata,
                   explanation=f"rule score ({status}): {judged.explanation}")


def recall_needs_judge(rule_score: Score) -> bool:
    """``llm_recall``: whether the judge is asked at all (not when the rule score is already > 0.99)."""
    return rule_score.value is None or rule_score.value <= RECALL_KEEP


def recall_merge(rule_score: Score, judged: Score) -> Score:
    """``llm_recall``: ``max(rule, judge)`` on the rule's main metric; an unusable verdict keeps the rule score."""
    if rule_score.value is None:
        return judged
    if judged.value is None:
        metadata = {**rule_score.metadata, **judged.metadata, "status": "fallback", "judge_unavailable": "excluded"}
        metadata["judge_summary"] = with_status(metadata.get("judge_summary"), "fallback")
        return replace(rule_score, metadata=metadata)
    best = max(rule_score.value, judged.value)
    metrics = dict(rule_score.metrics) if rule_score.metrics else {rule_score.metric: rule_score.value}
    metrics[rule_score.metric] = best
    return replace(rule_score, value=best, metrics=metrics, explanation=judged.explanation,
                   metadata={**rule_score.metadata, **judged.metadata})


def score_sample(plan_spec: JudgeSpec, mode: str, sample: JudgeInput, cases: Callable[[], list[JudgeCase]],
                 ask: Callable[[list[JudgeCase]], list[CaseReply]], rule: Callable[[], Score], *,
                 judge_model: str, strategy: str) -> Score:
    """A judged sample's final score: ``mode`` ``judge`` (judge only), ``judge_default`` (rule fallback) or
    ``recall`` (rule first; the judge is asked only below 0.99). ``ask`` sends the cases and returns the replies."""
    skipped = plan_spec.skip(sample) if plan_spec.skip is not None else None
    if skipped is not None:
        return Score(value=skipped[plan_spec.metric], extracted=sample.prediction, metric=plan_spec.metric,
                     explanation="scored without the judge (empty answer)", metrics=skipped,
                     metadata={"source": "llm_judge", "judge_strategy": strategy, "skipped": "empty_model_output"})
    rule_score: Score | None = None
    if mode == "recall":
        rule_score = rule()
        if not recall_needs_judge(rule_score):
            return rule_score
    judged = judged_score(plan_spec, sample, ask(cases()), judge_model=judge_model, strategy=strategy)
    if rule_score is not None:
        return recall_merge(rule_score, judged)
    if mode == "judge_default":
        return with_rule_fallback(judged, rule)
    return judged
