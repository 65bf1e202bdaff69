"""Each level row's numbers, computed in one pass over its samples, are those of the definitions computed
separately (scored = judged with a score; micro, weighted and macro means; excluded, errors, tokens)."""

from __future__ import annotations

import math
import random

from helpers_results import make_result

from pytest_evalindex.core.results import SampleResult, Status, Usage
from pytest_evalindex.metrics.aggregate import aggregate


def _results(seed: int) -> list[SampleResult]:
    rng = random.Random(seed)
    results = []
    for i in range(400):
        status: Status = rng.choice(["correct", "partial", "incorrect", "excluded", "error"])
        score = {"correct": 1.0, "incorrect": 0.0, "partial": rng.choice([0.25, 1 / 3, 0.5]),
                 "excluded": None, "error": None}[status]
        weight = rng.choice([1.0, 0.1, 2.5, 1e-3, 3])  # an int weight too, as a merged report may carry
        result = make_result(i, rng.choice(["arc", "gsm8k"]), rng.choice(["a", "b", "c"]), score, status=status,
                             tags=rng.sample(["en", "math", "x"], rng.randint(0, 2)),
                             categories=["root", rng.choice(["g1", "g2"])], weight=weight)
        result.usage = Usage(rng.randint(0, 900), rng.randint(0, 90), 0)
        results.append(result)
    return results


def test_subset_rows_equal_the_definitions() -> None:
    for seed in range(3):
        results = _results(seed)
        rows = aggregate(results).levels["subset_level"]
        assert len(rows) == 6
        for row in rows:
            members = [r for r in results if (r.dataset_name, r.subset_name) == (row.keys["dataset_name"],
                                                                                 row.keys["subset_name"])]
            scored = [r for r in members if r.status in ("correct", "partial", "incorrect") and r.score is not None]
            errors = len([r for r in members if r.status == "error"])
            assert (row.count, row.errors, row.excluded) == (len(scored), errors, len(members) - len(scored) - errors)
            assert row.input_tokens == sum(r.usage.input_tokens for r in members)
            assert row.output_tokens == sum(r.usage.output_tokens for r in members)
            scores = [float(r.score) for r in scored if r.score is not None]
            assert row.micro == round(math.fsum(scores) / len(scores), 4) == row.macro  # subsets: macro is micro
            weighted = math.fsum(r.weight * float(r.score) for r in scored if r.score is not None)
            assert row.weighted == round(weighted / math.fsum(r.weight for r in scored), 4)
        dataset_rows = aggregate(results).levels["dataset_level"]
        for row in dataset_rows:  # macro: the mean of the subsets' micro means
            subsets = [r for r in rows if r.keys["dataset_name"] == row.keys["dataset_name"]]
            scored_by_subset = [[float(r.score) for r in results if r.dataset_name == row.keys["dataset_name"]
                                 and r.subset_name == s.keys["subset_name"] and r.status in
                                 ("correct", "partial", "incorrect") and r.score is not None] for s in subsets]
            means = [math.fsum(v) / len(v) for v in scored_by_subset if v]
            assert row.macro == round(math.fsum(means) / len(means), 4)
