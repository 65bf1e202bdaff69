"""The instruction scorers agree with EvalScope 1.14.1 on every pinned (prompt, answer) pair.

The expected metrics were produced by EvalScope's own ``process_results`` (tests/scorers/data/gen_ifeval_oracle.py);
where EvalScope raised (and drops the sample), our scorer must exclude the sample with a cause.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.ifeval import score_ifbench, score_ifeval

DATA = json.loads((Path(__file__).parent / "data" / "ifeval_oracle.json").read_text(encoding="utf-8"))
SCORERS = {"ifeval": score_ifeval, "ifbench": score_ifbench}


def _disagreements(dataset: str, key: str = "expected") -> tuple[int, list[str]]:
    rows = [row for row in DATA[key] if row[0] == dataset]
    bad: list[str] = []
    for _, p, a, values, error in rows:
        expected = None if values is None else dict(zip(DATA["metrics"], values))
        meta: dict[str, Any] = DATA["prompts"][p]
        score = SCORERS[dataset](ScoreInput(completion=DATA["answers"][a], target="", metadata=meta,
                                            dataset_name=dataset))
        where = f"{meta['instruction_id_list']} answer {DATA['answers'][a][:50]!r}"
        if expected is None:
            if score.value is not None or not score.explanation:
                bad.append(f"{where}: EvalScope raised ({error}), ours {score.value}")
            continue
        got = dict(score.metrics)
        if score.value != expected["prompt_level_strict"] or set(got) != set(expected) or not all(
                math.isclose(got[k], v, abs_tol=1e-12) for k, v in expected.items()):
            bad.append(f"{where}: EvalScope {expected}, ours {got} ({score.explanation})")
    return len(rows), bad


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["ifeval", "ifbench"])
def test_every_pinned_pair_matches_evalscope(dataset: str) -> None:
    total, bad = _disagreements(dataset)
    assert total > 900
    assert not bad, f"{len(bad)}/{total} disagree:\n" + "\n".join(bad[:40])


@pytest.mark.parametrize("dataset", ["ifeval", "ifbench"])
def test_every_instruction_is_seen_followed_and_violated(dataset: str) -> None:
    from pytest_evalindex.scorers.ifeval.registry import IFBENCH, IFEVAL

    registry = IFEVAL if dataset == "ifeval" else IFBENCH
    assert len(registry) == (25 if dataset == "ifeval" else 58)
    seen: dict[str, set[float]] = {}
    for key in ("expected", "expected_with_stand_in_stopwords"):
        for row in DATA[key]:
            ids = DATA["prompts"][row[1]]["instruction_id_list"]
            if row[0] == dataset and row[3] is not None and len(ids) == 1:
                seen.setdefault(ids[0], set()).add(row[3][1])
    # words:start_verb needs NLTK's tagger, which has no offline source: it is only ever excluded.
    missing = {i for i in registry if seen.get(i) != {0.0, 1.0}} - {"words:start_verb"}
    assert not missing, f"instructions never seen both followed and violated: {sorted(missing)}"


@pytest.mark.slow
def test_stop_word_ratio_matches_evalscope_with_a_stand_in_list(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    corpus = tmp_path / "corpora" / "stopwords"
    corpus.mkdir(parents=True)
    (corpus / "english").write_text("\n".join(DATA["stand_in_stopwords"]) + "\n", encoding="utf-8")
    monkeypatch.setattr(nltk.data, "path", [*nltk.data.path, str(tmp_path)])
    nltk.corpus.stopwords._unload()
    try:
        total, bad = _disagreements("ifbench", "expected_with_stand_in_stopwords")
    finally:
        nltk.corpus.stopwords._unload()
    assert total > 100
    assert not bad, f"{len(bad)}/{total} disagree:\n" + "\n".join(bad[:40])


def test_unavailable_nltk_data_excludes_with_a_cause() -> None:
    rows = [r for r in DATA["expected"] if r[0] == "ifbench"
            and DATA["prompts"][r[1]]["instruction_id_list"] in (["ratio:stop_words"], ["words:start_verb"])]
    assert rows and all(r[3] is None for r in rows)  # EvalScope could not download it either
    meta = DATA["prompts"][rows[0][1]]
    score = score_ifbench(ScoreInput(completion="Run home now.", target="", metadata=meta, dataset_name="ifbench"))
    assert score.value is None and "is not installed and is never downloaded" in (score.explanation or "")
