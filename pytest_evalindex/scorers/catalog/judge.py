"""EvalScope 1.14.1's judge-scored benchmarks that run with a chat API (scored through --eval-judge-model)."""

from __future__ import annotations

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.judge.benchmarks import JUDGE_SPECS, RULE_FALLBACKS
from pytest_evalindex.scorers.registry import register_scorer


def _needs_judge(metric: str) -> object:
    def score(sample: ScoreInput, /) -> Score:
        return Score(value=None, metric=metric,
                     explanation=f"{sample.dataset_name} is scored only by an LLM judge (--eval-judge-model)")

    return score


def register() -> None:
    """Register this family's benchmark names; the registered function is the rule score (or none)."""
    for name, spec in JUDGE_SPECS.items():
        fn = RULE_FALLBACKS.get(name) or _needs_judge(spec.metric)
        register_scorer(name, fn, metric=spec.metric, family="judge", needs=("judge",))  # type: ignore[arg-type]
