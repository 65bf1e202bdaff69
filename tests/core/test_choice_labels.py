"""One spelling of multiple-choice labels: the collection check, the scorers and `evalindex sample` agree."""

from __future__ import annotations

from pytest_evalindex.authoring.sources import render_single_answer
from pytest_evalindex.core.choices import choice_label, choice_labels
from pytest_evalindex.scorers.choice import allowed_letters


def test_labels_beyond_z_are_numbers_as_evalscope_writes_them() -> None:
    assert choice_labels(30) == [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1", "2", "3", "4"]
    assert choice_label(26) == "1"


def test_sampler_prompt_scorer_and_loader_use_the_same_30_labels() -> None:
    choices = [f"option {i}" for i in range(30)]
    prompt = render_single_answer("Pick one.", choices)
    written = [line.split(")", 1)[0] for line in prompt.splitlines() if line.endswith(tuple(choices)) and ")" in line]
    assert written == choice_labels(30)
    assert allowed_letters(30) == frozenset(choice_labels(30))
