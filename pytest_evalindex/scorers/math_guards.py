"""What both math pipelines share: the guard against powers too large for sympy, and a filter
for math-verify's "Timeout is disabled" warning (installed on import)."""

from __future__ import annotations

import logging
import re

# A power with a large or nested exponent (``9^{9^{9}}``) can hang sympy's evaluation.
HUGE_POWER = re.compile(r"\^\s*\{?\s*[\d.]{4,}|\^\s*\{[^{}]*\^|\*\*\s*\(?\s*\d{4,}")


def _drop_timeout_disabled_warning(record: logging.LogRecord) -> bool:
    # We bound the symbolic work ourselves when signals are unusable; the warning is noise.
    return "Timeout is disabled" not in record.getMessage()


for _name in ("math_verify.parser", "math_verify.grader"):
    logging.getLogger(_name).addFilter(_drop_timeout_disabled_warning)
