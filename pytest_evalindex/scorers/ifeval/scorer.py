"""The ifeval and ifbench scorers: read the sample's instructions, check the answer, report four metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.ifeval.base import Instruction
from pytest_evalindex.scorers.ifeval.evaluation import KwargFilter, drop_falsy, drop_none, evaluate

MAIN_METRIC = "prompt_level_strict"
WEIGHTS_KEY = "metric_weights"  # EvalScope's score.metadata key for the inst-level aggregation weights


def _unscorable(cause: str) -> Score:
    return Score(value=None, extracted=None, metric=MAIN_METRIC, explanation=cause)


def _score(sample: ScoreInput, registry: Mapping[str, Instruction], keep: KwargFilter) -> Score:
    meta = sample.metadata
    ids = meta.get("instruction_id_list")
    kwargs_list = meta.get("kwargs")
    if not isinstance(ids, Sequence) or isinstance(ids, str) or not isinstance(kwargs_list, Sequence):
        return _unscorable("metadata must carry 'instruction_id_list' and 'kwargs' lists")
    prompt = meta.get("prompt")
    try:
        outcome = evaluate(sample.completion, prompt=prompt if isinstance(prompt, str) else "",
                           instruction_ids=[str(i) for i in ids], kwargs_list=list(kwargs_list),
                           registry=registry, keep=keep)
    except Exception as exc:  # EvalScope drops such samples; we exclude them with the cause
        return _unscorable(f"instruction check failed: {type(exc).__name__}: {exc}".splitlines()[0])
    metrics = outcome.metrics()
    missed = [i for i, ok in zip(outcome.instruction_ids, outcome.strict) if not ok]
    weights: dict[str, Any] = {"inst_level_strict": len(ids), "inst_level_loose": len(ids)}
    return Score(
        value=metrics[MAIN_METRIC],
        extracted=sample.completion,
        metric=MAIN_METRIC,
        explanation=("not followed (strict): " + ", ".join(missed)) if missed else None,
        metadata={WEIGHTS_KEY: weights},
        metrics=metrics,
    )


def score_ifeval(sample: ScoreInput) -> Score:
    """EvalScope 1.14.1's ifeval scoring (falsy kwargs dropped)."""
    from pytest_evalindex.scorers.ifeval.registry import IFEVAL

    return _score(sample, IFEVAL, drop_falsy)


def score_ifbench(sample: ScoreInput) -> Score:
    """EvalScope 1.14.1's ifbench scoring (only ``None`` kwargs dropped)."""
    from pytest_evalindex.scorers.ifeval.registry import IFBENCH

    return _score(sample, IFBENCH, drop_none)
