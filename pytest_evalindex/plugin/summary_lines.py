"""One-line summaries the controller prints when a run has nothing to report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.text import shorten, visible


def nothing_answered_line(results: Sequence[SampleResult]) -> str:
    """Why no report was written: every sample that ran ended in an error (the most common one quoted)."""
    causes = Counter(result.error or "no answer" for result in results)
    cause, count = causes.most_common(1)[0]
    others = f" ({len(causes) - 1} other causes)" if len(causes) > 1 else ""
    errors = f"{len(results)} error{'s' if len(results) != 1 else ''}"
    return (f"evalindex: no sample got an answer ({errors}; {count}× {shorten(visible(cause, keep_newlines=False), 200)}"
            f"{others}); no report and no run folder written")
