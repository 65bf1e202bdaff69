"""Math answer-equivalence scorers (spec §6, Family B).

Default (EvalScope 1.14.1, ``metrics/math/parser.py``): math-verify extracts the answer
(boxed first, then LaTeX and plain expressions) and compares it with the one accepted answer
(``strict`` math-verify, no percentage leniency); aime requires integer literals on both sides.
An unusable reference, a comparison that misses :data:`MATH_DEADLINE_S` (EvalScope forks a child
per call; here a daemon thread is abandoned) or a power too large to evaluate excludes the sample.

Legacy (``<name>@legacy``, ``math_strict``): the spec's older ``extract_answer`` /
``strip_answer_string`` and ``math_equal`` rules (×100/÷100 leniency), the symbolic part
delegated to math-verify (bounded, and usable from any thread).

This module re-exports the public names. The code lives in :mod:`.math_evalscope114`,
:mod:`.math_legacy`, :mod:`.math_extract` and :mod:`.math_guards`; the time limits
(``MATH_DEADLINE_S``, ``SYMBOLIC_TIMEOUT_S``) are read from, and patched in, their own module.
"""

from __future__ import annotations

from pytest_evalindex.scorers.math.evalscope114 import (
    MathUnavailable,
    aime,
    compare_answers_114,
    extract_answer_114,
    math_accuracy,
)
from pytest_evalindex.scorers.math.extract import (
    extract_math_answer,
    gsm8k_reference,
    strip_answer_string,
    word_to_number,
)
from pytest_evalindex.scorers.math.legacy import (
    aime_legacy,
    make_math_scorer,
    math_equal,
    math_lenient,
    math_strict,
)

__all__ = [
    "MathUnavailable", "aime", "aime_legacy", "compare_answers_114", "extract_answer_114",
    "extract_math_answer", "gsm8k_reference", "make_math_scorer", "math_accuracy", "math_equal",
    "math_lenient", "math_strict", "strip_answer_string", "word_to_number",
]
