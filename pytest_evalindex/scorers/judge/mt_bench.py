"""mt_bench (EvalScope 1.14.1): two generated turns, each rated 1–10 by the judge; the sample scores their mean.

The sample's metadata holds its two user ``turns``, its ``category`` and, for math, reasoning and
coding, the two ``references`` the judge compares against. The model answers turn 1, then the
conversation so far plus turn 2 (:func:`follow_ups`), at the category's temperature and at most
1,024 new tokens unless the run sets ``max_tokens`` (:func:`generation_overrides`). The judge rates
turn 1 alone and turn 2 within the whole conversation; both ratings must parse, else the sample is
excluded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_evalindex.scorers.judge.contract import Verdict, VerdictField, VerdictSchema
from pytest_evalindex.scorers.judge.spec import JudgeCase, JudgeInput, JudgeSpec, fill_values, messages_for
from pytest_evalindex.scorers.judge.templates import Template

CATEGORIES = ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities")
REFERENCE_CATEGORIES = frozenset({"reasoning", "math", "coding"})
TEMPERATURES = {"writing": 0.7, "roleplay": 0.7, "extraction": 0.0, "math": 0.0, "coding": 0.0, "reasoning": 0.0,
                "stem": 0.1, "humanities": 0.1}
DEFAULT_MAX_TOKENS = 1024
SCALE = (1.0, 10.0)
"""The rating's range: ``judge_score`` is on it (EvalScope averages it unnormalised with 0–1 scores)."""

RATING = VerdictSchema("MTBenchRating", (VerdictField("score", kind="int", low=1, high=10),),
                       reason_key="explanation")


class MTBenchSampleError(ValueError):
    """A sample that is not a well-formed mt_bench sample; ``str()`` names the field."""


def _category(metadata: Mapping[str, Any]) -> str:
    category = metadata.get("category")
    if category not in TEMPERATURES:
        raise MTBenchSampleError(f"mt_bench: metadata.category {category!r} is not one of {', '.join(CATEGORIES)}")
    return str(category)


def _turns(metadata: Mapping[str, Any]) -> list[str]:
    turns = metadata.get("turns")
    if not isinstance(turns, list) or len(turns) != 2 or not all(isinstance(t, str) for t in turns):
        raise MTBenchSampleError("mt_bench: metadata.turns must be a list of exactly two strings")
    return turns


def follow_ups(metadata: Mapping[str, Any]) -> list[str]:
    """The user turns sent after the first answer (the prompt's own messages carry turn 1)."""
    return _turns(metadata)[1:]


def generation_overrides(metadata: Mapping[str, Any], generation_config: Mapping[str, Any]) -> dict[str, Any]:
    """The request settings mt_bench fixes: its category's temperature (always), and ``max_tokens`` 1,024 when
    the run sets none — as EvalScope's adapter copies the model's config."""
    overrides: dict[str, Any] = {"temperature": TEMPERATURES[_category(metadata)]}
    if generation_config.get("max_tokens") is None:
        overrides["max_tokens"] = DEFAULT_MAX_TOKENS
    return overrides


def request_plan(metadata: Mapping[str, Any], generation_config: Mapping[str, Any]
                 ) -> tuple[list[str], dict[str, Any]]:
    """What the model is asked for one sample: (the user turns after the first, generation overrides)."""
    return follow_ups(metadata), generation_overrides(metadata, generation_config)


def _cases(spec: JudgeSpec, sample: JudgeInput, templates: Mapping[str, Template]) -> list[JudgeCase]:
    metadata = sample.metadata
    category = _category(metadata)
    _turns(metadata)
    if len(sample.answers) != 2:
        raise MTBenchSampleError(f"mt_bench needs the model's answers to both turns; this sample has "
                                 f"{len(sample.answers)}")
    suffix = ""
    if category in REFERENCE_CATEGORIES:
        references = metadata.get("references")
        if not isinstance(references, list) or len(references) != 2:
            raise MTBenchSampleError(f"mt_bench: a {category} sample needs metadata.references with two answers")
        suffix = "_ref"
    values = fill_values(sample)
    return [JudgeCase(case_id, "original", messages_for(templates[name], values, spec.schema), spec.schema, name)
            for case_id, name in (("first_turn", f"mt_bench_turn1{suffix}"),
                                  ("second_turn", f"mt_bench_turn2{suffix}"))]


def _reduce(verdicts: Sequence[Verdict], sample: JudgeInput) -> dict[str, float]:
    first, second = (float(v["score"]) for v in verdicts)
    return {"judge_score": (first + second) / 2, "first_turn_judge_score": first, "second_turn_judge_score": second}


SPEC = JudgeSpec("mt_bench", "judge_only", "judge_score", RATING, _cases, _reduce, scale=SCALE)
