"""The paired comparison of two runs on every report row: candidate minus baseline over the samples both scored.

The two result lists are aligned (same samples, same metadata; only status and score differ), so a
row's members are the same on both sides. A row-average's test is defined by each member's share in
it; rows whose shares coincide (the task and the index over the same samples, micro and weighted under
equal weights) are one test, computed once and counted once in Holm's correction.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.metrics.aggregate import LEVELS, is_scored, level_specs, macro_child
from pytest_evalindex.metrics.intervals import AVERAGES, Average
from pytest_evalindex.metrics.paired import PairedResult, contribution_shares, paired_compare
from pytest_evalindex.metrics.regression import holm

METRIC_NAMES: dict[Average, str] = {"micro": "micro_avg", "macro": "macro_avg", "weighted": "weighted_avg"}


@dataclass(frozen=True)
class PairedRow:
    """One (level, row, average): both runs' values over the paired samples and the paired test.

    ``p_holm`` is the one-sided "the candidate is worse" p-value after Holm over every distinct test.
    """

    level: str
    row: str
    average: Average
    baseline: float
    current: float
    result: PairedResult
    p_holm: float
    test: int  # index of the distinct test (rows sharing it are the same comparison)

    @property
    def metric(self) -> str:
        """``micro_avg``, ``macro_avg`` or ``weighted_avg``."""
        return METRIC_NAMES[self.average]

    @property
    def drop(self) -> float:
        """Baseline minus candidate (positive: the candidate is worse)."""
        return -self.result.diff

    def to_dict(self) -> dict[str, object]:
        """JSON-plain form."""
        r = self.result
        return {"level": self.level, "row": self.row, "metric": self.metric, "baseline": self.baseline,
                "current": self.current, "diff": r.diff, "ci": [r.interval.lo, r.interval.hi],
                "p_value": r.p_value, "p_drop": r.p_drop, "p_holm": self.p_holm, "method": r.method, "n": r.n,
                "improved": r.improved, "worsened": r.worsened, "mde": r.mde, "test": self.test}


def paired_rows(current: Sequence[SampleResult], baseline: Sequence[SampleResult], *, compat: bool,
                pool_subsets_by_name: bool, confidence: float, seed: int) -> list[PairedRow]:
    """Every row-average of the levels holding a sample scored in both runs (subset rows: micro only)."""
    if len(current) != len(baseline):
        raise ValueError("the two runs' results must be aligned")
    both = [(now, then) for now, then in zip(current, baseline) if is_scored(now) and is_scored(then)]
    child = macro_child(pool_subsets_by_name)
    members_of: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    names: dict[tuple[str, tuple[str, ...]], str] = {}
    for level, columns, key_fn, _ in level_specs([now for now, _ in both], compat=compat,
                                                 pool_subsets_by_name=pool_subsets_by_name):
        if not columns:
            continue
        for position, (now, _) in enumerate(both):
            for key in key_fn(now):
                members_of.setdefault((level, key), []).append(position)
                names[(level, key)] = _row_name(key)
    tests: dict[tuple[str, tuple[int, ...]], int] = {}
    results: list[PairedResult] = []
    planned: list[tuple[str, str, Average, float, float, int]] = []
    for (level, key), members in sorted(members_of.items(), key=lambda item: (LEVELS.index(item[0][0]), item[0][1])):
        weights = [both[i][0].weight for i in members]
        strata: list[Hashable] = [child(both[i][0]) for i in members]
        now_scores = [float(both[i][0].score or 0.0) for i in members]
        then_scores = [float(both[i][1].score or 0.0) for i in members]
        equal_weights = min(weights) == max(weights)
        one_stratum = len(set(strata)) == 1
        averages: tuple[Average, ...] = ("micro",) if level == "subset_level" else AVERAGES
        for average in averages:
            # The same members with the same shares are the same test: micro, weighted under equal weights,
            # and macro over one stratum coincide; rows of other levels over the same samples too.
            same_as_micro = average == "micro" or (average == "weighted" and equal_weights) or (
                average == "macro" and one_stratum)
            signature = ("micro" if same_as_micro else average, tuple(members))
            shares = contribution_shares(weights, strata, average)
            test = tests.get(signature)
            if test is None:
                test = tests[signature] = len(results)
                results.append(paired_compare(now_scores, then_scores, weights, strata, average=average,
                                              confidence=confidence, seed=seed))
            planned.append((level, names[(level, key)], average, math.fsum(c * y for c, y in zip(shares, then_scores)),
                            math.fsum(c * y for c, y in zip(shares, now_scores)), test))
    adjusted = holm([r.p_drop for r in results])
    return [PairedRow(level, name, average, before, after, results[test], adjusted[test], test)
            for level, name, average, before, after, test in planned]


def _row_name(key: tuple[str, ...]) -> str:
    values = list(key)
    while values and values[-1] == "":
        values.pop()
    return "/".join(values)
