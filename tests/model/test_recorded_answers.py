"""Which model recorded answers belong to, and what a cache holds when it holds nothing for this run."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_evalindex.model.api import Completion
from pytest_evalindex.model.recorded import missing_settings, recorded_model, request_settings
from pytest_evalindex.model.store import AnswerCache, AnswerStoreError


def _fill(directory: Path, model: str, keys: list[str], config: dict[str, object] | None = None) -> None:
    cache = AnswerCache(directory, model, request=request_settings(model, config or {"temperature": 0.0}))
    for key in keys:
        cache.put(key, Completion(text="A"))
    cache.close()


def test_one_model_is_found_several_are_named(tmp_path: Path) -> None:
    _fill(tmp_path, "alpha", ["k1", "k2"])
    assert recorded_model(AnswerCache(tmp_path, "reader"), "--eval-rerun-review") == "alpha"
    _fill(tmp_path, "beta", ["k3"])
    with pytest.raises(AnswerStoreError, match=r"holds answers of several models \('alpha', 'beta'\); pass "
                                               r"--eval-model NAME"):
        recorded_model(AnswerCache(tmp_path, "reader"), "--eval-rerun-review")
    with pytest.raises(AnswerStoreError, match="holds no answers; run once without --eval-rerun-review"):
        recorded_model(AnswerCache(tmp_path / "empty", "reader"), "--eval-rerun-review")


def test_a_miss_lists_the_settings_the_cache_holds(tmp_path: Path) -> None:
    _fill(tmp_path, "alpha", ["k1", "k2"], {"temperature": 0.7})
    cache = AnswerCache(tmp_path, "reader")
    assert missing_settings(cache, request_settings("alpha", {"temperature": 0.7, "timeout": 5})) is None
    why = missing_settings(cache, request_settings("alpha", {"temperature": 0.0}))
    assert why is not None and why.startswith(
        f"the cache {tmp_path} holds no answer for model 'alpha' with generation config {{\"temperature\": 0.0}}; "
        "it holds 2 for model 'alpha' with generation config {\"temperature\": 0.7}.")
