"""Intervals, bound gates and the paired baseline comparison through the real plugin, checked against scipy/statsmodels.

The suite mixes 0/1 rows (two subsets and a single-sample stratum under one category) with graded scores
(a conftest scorer reads the score from the answer), under unequal leaf weights. Every interval and paired
test in evalindex_report.json is recomputed here from the samples' scores: with the metrics layer, and, where
a closed form exists, independently with scipy/statsmodels.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers_runs import run_pytester
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from conftest import SEED_SCRIPT, SEED_SUITE, output_dir_of
from pytest_evalindex.metrics.intervals import row_intervals
from pytest_evalindex.metrics.paired import paired_compare

GRADED = """
from pytest_evalindex import Score, scorer

@scorer("graded")
def graded(sample):
    text = sample.completion.strip()
    return Score(value=float(text), extracted=text)
"""

# (dataset, subset, leaf weight, tags, categories, scorer, baseline answers)
LEAVES: list[tuple[str, str, float, list[str], list[str], str, list[str]]] = [
    ("qa_a", "a1", 0.35, ["en"], ["mix_index", "exact"], "exact", ["yes"] * 18 + ["no"] * 2),
    ("qa_a", "a2", 0.15, ["en"], ["mix_index", "exact"], "exact", ["yes"] * 5),
    ("qa_b", "b1", 0.2, ["zh"], ["mix_index", "exact"], "exact", ["no"]),
    ("judge", "c1", 0.3, ["en"], ["mix_index", "graded"], "graded", ["0.2", "0.5", "1.0", "0.75", "0.0", "0.4"]),
]
# the candidate: 13 of a1's correct answers turn wrong and one wrong turns right; two graded scores move
CANDIDATE_CHANGES = {**{("a1", i): "no" for i in range(13)}, ("a1", 19): "yes", ("c1", 1): "0.25", ("c1", 0): "0.4"}
WORKERS = ["0", "2"]


def write_suite(root: Path) -> dict[tuple[str, int], str]:
    """The collection (suite.jsonl); returns each sample's question keyed by (subset, position)."""
    lines, questions = [], {}
    index = 0
    for dataset, subset, leaf_weight, tags, categories, scorer_name, answers in LEAVES:
        for position in range(len(answers)):
            question = f"{dataset}/{subset} question {position}"
            questions[(subset, position)] = question
            lines.append({"index": index, "prompt": {"input": [{"role": "user", "content": question}],
                                                     "target": "yes"},
                          "tags": tags, "categories": categories, "task_type": "qa",
                          "weight": leaf_weight / len(answers), "dataset_name": dataset, "subset_name": subset,
                          "scorer": scorer_name})
            index += 1
    (root / "suite.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return questions


def write_script(root: Path, name: str, questions: dict[tuple[str, int], str],
                 changes: dict[tuple[str, int], str]) -> str:
    answers = {}
    for _, subset, _, _, _, _, given in LEAVES:
        for position, answer in enumerate(given):
            answers[questions[(subset, position)]] = changes.get((subset, position), answer)
    (root / name).write_text(json.dumps({"model": "mock-model", "answers": answers}), encoding="utf-8")
    return name


def run(pytester: pytest.Pytester, script: str, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    result = run_pytester(pytester, "--eval-collection", "suite.jsonl", "--eval-mock", script,
                                           "-p", "no:cacheprovider", *args)
    run_dir = output_dir_of(result.stdout.str())
    report = json.loads(next(run_dir.glob("reports/*/evalindex_report.json")).read_text(encoding="utf-8"))
    return result, report


def members(row: dict[str, Any], samples: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The scored samples of a report row, from its key columns."""
    def holds(sample: dict[str, Any]) -> bool:
        for column, value in row["keys"].items():
            if column == "tags":
                if value not in sample["tags"]:
                    return False
            elif column.startswith("category"):
                depth = int(column.removeprefix("category"))
                path = sample["categories"]
                if value == "" and len(path) > depth:
                    # a prefix row: its deeper columns are empty, and it holds every deeper path
                    continue
                if value != "" and (len(path) <= depth or path[depth] != value):
                    return False
            elif sample[column] != value:
                return False
        return True
    return [s for s in samples if s["score"] is not None and holds(s)]


def all_rows(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for rows in report["levels"].values():
        yield from rows


def wilson(p: float, n: float, crit: float) -> tuple[float, float]:
    centre = (p + crit * crit / (2 * n)) / (1 + crit * crit / n)
    half = crit * math.sqrt(p * (1 - p) / n + crit * crit / (4 * n * n)) / (1 + crit * crit / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def stratified_binary(scores: np.ndarray, shares_by_stratum: dict[Any, float], strata: list[Any],
                      confidence: float) -> tuple[float, float]:
    """Statistics reference §3b for 0/1 scores: Wilson on n_eff = min(θ(1-θ)/V, Kish n); one-sample strata take
    the pooled within-stratum variance."""
    keys = list(shares_by_stratum)
    groups = {k: scores[[s == k for s in strata]] for k in keys}
    dfs = {k: len(g) - 1 for k, g in groups.items()}
    pooled = sum(np.var(g, ddof=1) * dfs[k] for k, g in groups.items() if len(g) > 1) / sum(
        d for d in dfs.values() if d > 0)
    theta = sum(shares_by_stratum[k] * groups[k].mean() for k in keys)
    var = sum(shares_by_stratum[k] ** 2 * (np.var(groups[k], ddof=1) if len(groups[k]) > 1 else pooled)
              / len(groups[k]) for k in keys)
    kish = 1.0 / sum(shares_by_stratum[k] ** 2 / len(groups[k]) for k in keys)
    n_eff = min(theta * (1 - theta) / var, kish) if var > 0 and 0 < theta < 1 else kish
    return wilson(theta, n_eff, stats.norm.ppf(1 - (1 - confidence) / 2))


def check_intervals(report: dict[str, Any], confidence: float) -> int:
    """Every row's ci equals the metrics layer's; 0/1 rows and fractional micro rows also scipy/statsmodels'.
    Returns how many rows had an independent check."""
    assert report["confidence"] == confidence
    samples = report["samples"]
    independent = 0
    for row in all_rows(report):
        got = row["ci"]
        chosen = members(row, samples)
        assert len(chosen) == row["count"], row["name"]
        triples = [(s["score"], s["weight"], (s["dataset_name"], s["subset_name"])) for s in chosen]
        layer = row_intervals(triples, confidence=confidence).ci()
        for average in ("micro", "macro", "weighted"):
            assert got[average] == pytest.approx(layer[average], abs=1e-12), (row["name"], average)
        scores = np.array([s["score"] for s in chosen], dtype=float)
        strata = [(s["dataset_name"], s["subset_name"]) for s in chosen]
        binary = bool(np.all((scores == 0) | (scores == 1)))
        n = len(scores)
        if binary:
            lo, hi = proportion_confint(int(scores.sum()), n, alpha=1 - confidence, method="wilson")
            assert got["micro"] == pytest.approx([lo, hi], abs=1e-12), row["name"]
            weights = {k: sum(s["weight"] for s, key in zip(chosen, strata) if key == k) for k in dict.fromkeys(strata)}
            total = sum(weights.values())
            if len(weights) > 1:
                weighted = stratified_binary(scores, {k: w / total for k, w in weights.items()}, strata, confidence)
                macro = stratified_binary(scores, {k: 1 / len(weights) for k in weights}, strata, confidence)
                assert got["weighted"] == pytest.approx(list(weighted), abs=1e-12), row["name"]
                assert got["macro"] == pytest.approx(list(macro), abs=1e-12), row["name"]
            independent += 1
        else:  # one pool of fractional scores: Wilson on n_eff = θ(1-θ)/(s²/n) with Student t on n-1 df
            theta = scores.mean()
            n_eff = theta * (1 - theta) / (np.var(scores, ddof=1) / n)
            expected = wilson(theta, n_eff, stats.t.ppf(1 - (1 - confidence) / 2, n - 1))
            assert got["micro"] == pytest.approx(list(expected), abs=1e-12), row["name"]
            independent += 1
    return independent


@pytest.fixture
def suite(pytester: pytest.Pytester) -> dict[tuple[str, int], str]:
    pytester.makeconftest(GRADED)
    return write_suite(pytester.path)


@pytest.mark.slow
def test_intervals_and_bound_gates(pytester: pytest.Pytester, suite: dict[tuple[str, int], str]) -> None:
    script = write_script(pytester.path, "base.json", suite, {})
    gates = ["--eval-threshold", "index.lower>=0.5", "--eval-threshold", "dataset_level:qa_a:micro_avg>=0.8",
             "--eval-threshold", "category_level:mix_index/exact:weighted_avg<=0.95"]
    reports = {}
    for workers in WORKERS:
        result, report = run(pytester, script, "-n", workers, "--eval-gate-on", "bound", *gates)
        output = result.stdout.str()
        assert result.ret == 1, output
        assert check_intervals(report, 0.95) == sum(1 for _ in all_rows(report))
        index = report["index"]
        lo, hi = index["ci"]["weighted"]
        # the index on its own line, with its interval and n
        assert f"index mix_index = {index['weighted']}  95% CI [{round(lo, 4)}, {round(hi, 4)}]  n=32" in output
        # the single-sample stratum is named once, in one line
        assert [line for line in result.stdout.lines if "single sample" in line] == [
            "evalindex: 1 stratum has a single sample (qa_b/b1): it borrows the pooled within-stratum variance "
            "in the intervals of the rows holding other strata"]
        # bound gates: the explicit .lower, and --eval-gate-on bound for >= (lower) and <= (upper)
        by_name = {g["name"]: g for g in report["gates"]}
        index_gate = by_name["gate[index.lower>=0.5]"]
        assert index_gate["compared"] == "lower" and index_gate["value"] == round(lo, 4)
        assert index_gate["passed"] is (round(lo, 4) >= 0.5)
        qa_a = next(r for r in report["levels"]["dataset_level"] if r["name"] == "qa/qa_a")
        micro_gate = by_name["gate[dataset_level:qa_a:micro_avg>=0.8]"]
        assert micro_gate["compared"] == "lower" and micro_gate["value"] == round(qa_a["ci"]["micro"][0], 4)
        assert micro_gate["passed"] is False  # 23/25 = 0.92, but its lower bound is below 0.8
        exact_row = next(r for r in report["levels"]["category_level"] if r["name"] == "mix_index/exact")
        upper_gate = by_name["gate[category_level:mix_index/exact:weighted_avg<=0.95]"]
        assert upper_gate["compared"] == "upper" and upper_gate["value"] == round(exact_row["ci"]["weighted"][1], 4)
        # the gate line shows the bound, the value, the interval, the limit and the MDE; a warning line follows
        # when the margin to the limit is below the MDE (80% power, SE at the limit, on the row's effective n)
        line = next(ln for ln in result.stdout.lines if ln.startswith(("PASSED gate[index.lower", "FAILED gate[index.lower")))
        assert (f"index (mix_index) weighted_avg lower bound = {round(lo, 4)}, needs >= 0.5; value {index['weighted']}, "
                f"95% CI [{round(lo, 4)}, {round(hi, 4)}], MDE {round(index_gate['mde'], 4)}") in line
        n_eff = index["n_eff"]
        expected_mde = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * math.sqrt(0.5 * 0.5 / n_eff)
        assert index_gate["mde"] == pytest.approx(expected_mde, rel=1e-9)
        margin = abs(index["weighted"] - 0.5)
        warned = any(ln.startswith("  warning: this gate cannot tell 0.50 from") for ln in result.stdout.lines)
        assert warned == bool(margin < expected_mde)
        reports[workers] = report
    # -n0 and -n 2: identical intervals on every row, identical gates
    assert [r["ci"] for r in all_rows(reports["0"])] == [r["ci"] for r in all_rows(reports["2"])]
    assert reports["0"]["gates"] == reports["2"]["gates"]


@pytest.mark.slow
def test_paired_comparison_and_significance_gate(pytester: pytest.Pytester, suite: dict[tuple[str, int], str]) -> None:
    base_script = write_script(pytester.path, "base.json", suite, {})
    worse_script = write_script(pytester.path, "worse.json", suite, CANDIDATE_CHANGES)
    base, _ = run(pytester, base_script, "--eval-output-dir", "base")
    assert base.ret == 0, base.stdout.str()
    baseline_dir = str(output_dir_of(base.stdout.str()))
    compared = {}
    for workers in WORKERS:
        result, report = run(pytester, worse_script, "--eval-baseline", baseline_dir, "-n", workers)
        output = result.stdout.str()
        assert result.ret == 1, output  # default rule: a drop above 0 that is significant at 0.05 (Holm)
        comparison = report["baseline_comparison"]
        assert comparison["rule"] == "max_drop_and_significant" and comparison["alpha"] == 0.05
        check_paired(comparison, report["samples"], json.loads(
            next(Path(baseline_dir).glob("reports/*/evalindex_report.json")).read_text(encoding="utf-8"))["samples"])
        significant = [p for p in comparison["paired"] if p["diff"] < 0 and p["p_holm"] <= 0.05]
        assert ("subset_level", "qa/qa_a/a1", "micro_avg") in {(p["level"], p["row"], p["metric"]) for p in significant}
        assert not any(p["row"] == "qa/judge/c1" for p in significant)  # two graded moves are no evidence
        # the terminal: flipped samples first, then the significant drops, then one line for the rest
        lines = result.stdout.lines
        start = lines.index(next(ln for ln in lines if "evalindex baseline" in ln))
        section = lines[start + 1:]
        flips = [i for i, ln in enumerate(section) if ln.startswith(("regressed: ", "improved: "))]
        drops_header = next(i for i, ln in enumerate(section) if ln.startswith("significant drops"))
        assert len(flips) == 16 and max(flips) < drops_header  # 13 + 1 a1 flips, 2 graded moves
        assert section[drops_header].endswith(f"tests): {len(significant)}")
        assert section[drops_header + len(significant) + 1].startswith(
            f"{len(comparison['paired']) - len(significant)} other row metrics")
        assert any(ln.startswith("FAILED gate[baseline:max_drop<=0,alpha=0.05]: ") for ln in lines)
        compared[workers] = comparison["paired"]
    assert compared["0"] == compared["2"]

    # a drop must exceed --eval-max-drop as well: 0.6 on a1 is within 0.7
    tolerant, _ = run(pytester, worse_script, "--eval-baseline", baseline_dir, "--eval-max-drop", "0.7",
                      "--eval-alpha", "0.05")
    assert tolerant.ret == 0, tolerant.stdout.str()
    assert any(ln.startswith("PASSED gate[baseline:max_drop<=0.7,alpha=0.05]: no significant drop larger than 0.7")
               for ln in tolerant.stdout.lines)


def check_paired(comparison: dict[str, Any], now_samples: list[dict[str, Any]], then_samples: list[dict[str, Any]]
                 ) -> None:
    """Each paired row against the metrics layer, McNemar rows against statsmodels/scipy, Holm against statsmodels."""
    then_by_hash = {s["sample_hash"]: s for s in then_samples}
    by_test: dict[int, float] = {}
    for p in comparison["paired"]:
        row = {"level": p["level"], "keys": _keys_of(p["level"], p["row"])}
        now = members(row, now_samples)
        then = [then_by_hash[s["sample_hash"]] for s in now]
        a = [s["score"] for s in now]
        b = [s["score"] for s in then]
        weights = [s["weight"] for s in now]
        strata = [(s["dataset_name"], s["subset_name"]) for s in now]
        average = p["metric"].removesuffix("_avg")
        layer = paired_compare(a, b, weights, strata, average=average, confidence=0.95, seed=42)
        assert p["diff"] == pytest.approx(layer.diff, abs=1e-12) and p["p_drop"] == layer.p_drop, p
        assert p["ci"] == pytest.approx([layer.interval.lo, layer.interval.hi], abs=1e-12), p
        if p["method"] == "mcnemar-exact":
            improved = sum(x > y for x, y in zip(a, b))
            worsened = sum(x < y for x, y in zip(a, b))
            table = [[sum(x == y == 1 for x, y in zip(a, b)), worsened], [improved, sum(x == y == 0 for x, y in zip(a, b))]]
            assert p["p_value"] == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12), p
            if improved + worsened:
                less = stats.binomtest(improved, improved + worsened, 0.5, alternative="less").pvalue
                assert p["p_drop"] == pytest.approx(less, rel=1e-12), p
            d = np.array(a) - np.array(b)
            if len(d) > 1:
                half = stats.norm.ppf(0.975) * np.std(d, ddof=1) / math.sqrt(len(d))
                assert p["ci"] == pytest.approx([max(-1, d.mean() - half), min(1, d.mean() + half)], abs=1e-12)
        by_test[p["test"]] = p["p_drop"]
    tests = sorted(by_test)
    assert comparison["tests"] == len(tests)
    holm = dict(zip(tests, multipletests([by_test[t] for t in tests], method="holm")[1]))
    for p in comparison["paired"]:
        assert p["p_holm"] == pytest.approx(holm[p["test"]], rel=1e-12), p


def _keys_of(level: str, name: str) -> dict[str, str]:
    parts = name.split("/")
    if level == "subset_level":
        return dict(zip(["task_type", "dataset_name", "subset_name"], parts))
    if level == "dataset_level":
        return dict(zip(["task_type", "dataset_name"], parts))
    if level == "task_level":
        return {"task_type": name}
    if level == "tag_level":
        return {"tags": name}
    return {f"category{i}": v for i, v in enumerate(parts + [""] * (2 - len(parts)))}


def test_ini_twins_of_confidence_and_gate_on(pytester: pytest.Pytester) -> None:
    pytester.makeini(f"[pytest]\neval_collection = {SEED_SUITE}\neval_mock = {SEED_SCRIPT}\neval_confidence = 0.9\n"
                     "eval_gate_on = bound\neval_thresholds =\n    index>=0.3\n    index.point>=0.3\n")
    result = run_pytester(pytester, "-p", "no:cacheprovider")
    output = result.stdout.str()
    assert result.ret == 1, output
    report = json.loads(next(output_dir_of(output).glob("reports/*/evalindex_report.json")).read_text())
    assert report["confidence"] == 0.9 and report["settings"]["gate_on"] == "bound"
    lo, hi = report["index"]["ci"]["weighted"]
    assert f"index reasoning_index = 0.3556  90% CI [{round(lo, 4)}, {round(hi, 4)}]" in output
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["gate[index>=0.3]"]["compared"] == "lower" and not gates["gate[index>=0.3]"]["passed"]
    assert gates["gate[index.point>=0.3]"]["compared"] == "point" and gates["gate[index.point>=0.3]"]["passed"]
