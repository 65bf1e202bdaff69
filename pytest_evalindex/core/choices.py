"""EvalScope's option labels for multiple-choice samples: the one place they are spelled."""

from __future__ import annotations


def choice_label(index: int) -> str:
    """Label of the 0-based option ``index``: ``A``–``Z``, then ``1``, ``2``, … (as EvalScope numbers them)."""
    return chr(ord("A") + index) if index < 26 else str(index - 25)


def choice_labels(n_choices: int) -> list[str]:
    """The labels of a sample with ``n_choices`` options, in order."""
    return [choice_label(i) for i in range(n_choices)]
