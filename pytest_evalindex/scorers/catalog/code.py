"""EvalScope 1.14.1's code-execution benchmarks: the model's program runs in the sandbox given by --eval-code-exec."""

from __future__ import annotations

from pytest_evalindex.scorers.base import Score, ScoreInput, Scorer
from pytest_evalindex.scorers.code.scoring import BUILDERS, METRIC, score_code
from pytest_evalindex.scorers.registry import register_scorer


def _runs_in_sandbox(benchmark: str) -> Scorer:
    def score(sample: ScoreInput) -> Score:
        if sample.sandbox is None:  # the collector refuses this before any request; kept for direct callers
            return Score(value=None, metric=METRIC, explanation="code execution is off (pass --eval-code-exec MODE)")
        return score_code(sample, sample.sandbox, benchmark=benchmark)

    score.__name__ = f"{benchmark}_in_sandbox"
    return score


NOT_SUPPORTED: dict[str, str] = {
    "ds1000": "its test programs need numpy, pandas, scipy, sklearn, matplotlib, tensorflow and torch in the sandbox",
    "bigcodebench": "its test programs need the ~70 libraries of the bigcodebench-evaluate image",
    "bigcodebench_hard": "its test programs need the ~70 libraries of the bigcodebench-evaluate image",
    "multiple_humaneval": "it runs programs in 18 languages, whose toolchains are not set up",
    "multiple_mbpp": "it runs programs in 18 languages, whose toolchains are not set up",
    "scicode": "its sub-step programs need the scicode-benchmark image's libraries and data",
    "bird_sql": "it runs SQL on BIRD's downloaded SQLite databases",
}
"""EvalScope's other code-execution benchmarks, and what running them here would need (said at collection time)."""


def register() -> None:
    """Register this family's benchmark names (each needs a sandbox)."""
    for benchmark in BUILDERS:
        register_scorer(benchmark, _runs_in_sandbox(benchmark), metric=METRIC, family="code", needs=("sandbox",))
