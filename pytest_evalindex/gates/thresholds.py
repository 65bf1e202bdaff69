"""Gate expressions: thresholds on report rows and the error budget, evaluated to :class:`GateOutcome`.

A threshold is ``LEVEL:ROW:METRIC OP NUMBER`` (see :data:`GRAMMAR`) or the shorthand
``index[:METRIC] OP NUMBER`` for the root category row. ROW is a row's name (its key values
joined by ``/``), a short alias (the bare dataset name at the dataset level, ``dataset/subset``
at the subset level) or an ``fnmatch`` glob. Values are compared as the report shows them
(rounded to 4 decimals), so ``index>=0.3556`` passes when the report prints 0.3556.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from pytest_evalindex.core.text import sanitize
from pytest_evalindex.gates.outcome import GateOutcome, format_value
from pytest_evalindex.metrics.aggregate import LEVELS, LevelRow, Report

GRAMMAR = (
    "LEVEL:ROW:METRIC OP NUMBER or index[:METRIC] OP NUMBER, where LEVEL is "
    "subset_level|dataset_level|task_level|tag_level|category_level, ROW is a row name or a glob "
    "(*, ?, [...]), METRIC is micro_avg|macro_avg|weighted_avg|count, OP is >=|>|<=|<; "
    "e.g. category_level:reasoning_index:weighted_avg>=0.75 or index>=0.3"
)

LEVEL_ALIASES: dict[str, str] = {**{level: level for level in LEVELS},
                                 **{level.removesuffix("_level"): level for level in LEVELS}}
METRIC_ALIASES: dict[str, str] = {
    "micro_avg": "micro_avg", "micro": "micro_avg",
    "macro_avg": "macro_avg", "macro": "macro_avg",
    "weighted_avg": "weighted_avg", "weighted": "weighted_avg",
    "count": "count",
}
_METRIC_ATTRIBUTE = {"micro_avg": "micro", "macro_avg": "macro", "weighted_avg": "weighted", "count": "count"}
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}
INDEX = "index"
_OPERATOR_RE = re.compile(r">=|<=|=>|=<|==|!=|>|<|=")
_GLOB_CHARS = frozenset("*?[")
_MAX_DETAIL_ROWS = 20


class GateSyntaxError(ValueError):
    """A gate expression that does not follow :data:`GRAMMAR` (message: reason, then the grammar)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"invalid gate {text!r}: {reason}\n  expected {GRAMMAR}")
        self.text = text
        self.reason = reason


class GateUsageError(ValueError):
    """A well-formed gate that cannot apply to this report (unknown row, no index row)."""


@dataclass(frozen=True)
class Threshold:
    """A parsed threshold. ``level`` is a canonical level name; ``row`` is ``None`` for the index shorthand."""

    text: str
    level: str
    row: str | None
    metric: str
    op: str
    limit: float
    number: str

    @property
    def name(self) -> str:
        """Canonical gate test name, e.g. ``gate[dataset_level:arc:micro_avg>=0.5]``."""
        if self.row is None:
            metric = "" if self.metric == "weighted_avg" else f":{self.metric}"
            return f"gate[{INDEX}{metric}{self.op}{self.number}]"
        return f"gate[{self.level}:{self.row}:{self.metric}{self.op}{self.number}]"

    @property
    def is_glob(self) -> bool:
        """Whether ROW holds a glob character (an exact row name still wins over the glob)."""
        return self.row is not None and any(ch in _GLOB_CHARS for ch in self.row)


def parse_threshold(text: str) -> Threshold:
    """Parse one threshold expression; raise :class:`GateSyntaxError` when it is malformed."""
    stripped = text.strip()
    if not stripped:
        raise GateSyntaxError(text, "empty expression")
    matches = list(_OPERATOR_RE.finditer(stripped))
    if not matches:
        raise GateSyntaxError(text, "no comparison operator")
    found = matches[-1]
    op = found.group()
    if op not in OPERATORS:
        raise GateSyntaxError(text, f"unknown operator {op!r}; use >=, >, <= or <")
    lhs, number = stripped[: found.start()].strip(), stripped[found.end():].strip()
    limit = _parse_number(text, number)

    head, _, rest = lhs.partition(":")
    if head.strip().lower() == INDEX:
        metric = _parse_metric(text, rest) if rest.strip() else "weighted_avg"
        return Threshold(text, "category_level", None, metric, op, limit, number)
    if not rest:
        raise GateSyntaxError(text, f"expected LEVEL:ROW:METRIC before {op!r}, got {lhs!r}")
    level = LEVEL_ALIASES.get(head.strip().lower())
    if level is None:
        raise GateSyntaxError(text, f"unknown level {head.strip()!r}")
    row, sep, metric_text = rest.rpartition(":")
    if not sep:
        raise GateSyntaxError(text, f"expected LEVEL:ROW:METRIC before {op!r}, got {lhs!r}")
    row = row.strip()
    if not row:
        raise GateSyntaxError(text, "empty ROW")
    return Threshold(text, level, row, _parse_metric(text, metric_text), op, limit, number)


def _parse_number(text: str, number: str) -> float:
    try:
        limit = float(number)
    except ValueError:
        raise GateSyntaxError(text, f"NUMBER {number!r} is not a number") from None
    if not math.isfinite(limit):
        raise GateSyntaxError(text, f"NUMBER {number!r} is not a finite number")
    return limit


def _parse_metric(text: str, metric_text: str) -> str:
    metric = METRIC_ALIASES.get(metric_text.strip().lower())
    if metric is None:
        raise GateSyntaxError(text, f"unknown metric {metric_text.strip()!r}")
    return metric


def row_aliases(row: LevelRow) -> list[str]:
    """The names a gate may use for ``row``: its name, plus ``dataset`` / ``dataset/subset`` short forms."""
    names = [row.name]
    if row.level == "dataset_level" and "dataset_name" in row.keys:
        names.append(row.keys["dataset_name"])
    elif row.level == "subset_level" and "dataset_name" in row.keys:
        names.append(f"{row.keys['dataset_name']}/{row.keys.get('subset_name', '')}")
    return names


def find_rows(report: Report, level: str, pattern: str, *, glob: bool = True) -> list[LevelRow]:
    """Rows of ``level`` named ``pattern``: exact name first, then the unique short alias, then the glob.

    Raises :class:`GateUsageError` naming the level's rows when nothing matches, or the candidates
    when a short alias is ambiguous.
    """
    rows = report.levels.get(level, [])
    exact = [row for row in rows if row.name == pattern]
    if exact:
        return exact
    aliased = [row for row in rows if pattern in row_aliases(row)[1:]]
    if len(aliased) == 1:
        return aliased
    if len(aliased) > 1:
        names = ", ".join(row.name for row in aliased)
        raise GateUsageError(f"{level} row {pattern!r} is ambiguous: it names {names}; use the full row name")
    if glob and any(ch in _GLOB_CHARS for ch in pattern):
        matched = [row for row in rows if any(fnmatchcase(name, pattern) for name in row_aliases(row))]
        if matched:
            return matched
    available = ", ".join(repr(row.name) for row in rows) or "none"
    what = "pattern" if glob and any(ch in _GLOB_CHARS for ch in pattern) else "row"
    raise GateUsageError(f"{level} has no {what} {pattern!r}; its rows are: {available}")


def metric_value(row: LevelRow, metric: str) -> float | None:
    """``row``'s value for a canonical metric name (``count`` as a float)."""
    value = getattr(row, _METRIC_ATTRIBUTE[metric])
    return None if value is None else float(value)


def evaluate_threshold(threshold: Threshold, report: Report) -> GateOutcome:
    """Evaluate ``threshold`` on ``report``; a glob passes only when every matching row passes.

    Raises :class:`GateUsageError` when the row does not exist (a typo never passes silently).
    """
    compare = OPERATORS[threshold.op]
    need = f"needs {threshold.op} {threshold.number}"
    if threshold.row is None:
        if report.index is None:
            roots = ", ".join(repr(row.name) for row in report.levels.get("category_level", [])) or "none"
            raise GateUsageError(
                f"this report has no single index row (category rows: {roots}); "
                "gate a category_level row instead")
        rows = [report.index]
        label = f"index ({report.index.name})"
    else:
        rows = find_rows(report, threshold.level, threshold.row)
        label = f"{threshold.level} {threshold.row}"

    verdicts: list[tuple[LevelRow, float | None, bool]] = []
    for row in rows:
        value = metric_value(row, threshold.metric)
        verdicts.append((row, value, value is not None and compare(value, threshold.limit)))
    failing = [(row, value) for row, value, ok in verdicts if not ok]
    values = [value for _, value, _ in verdicts if value is not None]
    worst: float | None = None
    if values:
        worst = min(values) if threshold.op in (">=", ">") else max(values)

    if len(rows) == 1 and not threshold.is_glob:
        row, value, ok = verdicts[0]
        if value is None:
            message = f"{label} {threshold.metric} has no value: {_why_empty(row)}, {need}"
        else:
            message = f"{label} {threshold.metric} = {format_value(value, threshold.metric)}, {need}"
        return GateOutcome(threshold.name, ok, sanitize(message), [], value, threshold.limit)

    details = [
        sanitize(f"{row.name}: {format_value(value, threshold.metric) if value is not None else _why_empty(row)}"
                 f" {'ok' if ok else 'FAIL'}")
        for row, value, ok in verdicts
    ]
    if len(details) > _MAX_DETAIL_ROWS:
        details = details[:_MAX_DETAIL_ROWS] + [f"... and {len(details) - _MAX_DETAIL_ROWS} more rows"]
    if failing:
        shown = ", ".join(
            f"{row.name} = {format_value(value, threshold.metric)}" if value is not None
            else f"{row.name} ({_why_empty(row)})"
            for row, value in failing[:5])
        more = f", ... {len(failing) - 5} more" if len(failing) > 5 else ""
        message = (f"{label} {threshold.metric}: {len(failing)} of {len(rows)} rows fail, {need}: "
                   f"{shown}{more}")
    else:
        message = (f"{label} {threshold.metric}: all {len(rows)} rows pass, {need} "
                   f"(worst {format_value(worst, threshold.metric)})")
    return GateOutcome(threshold.name, not failing, sanitize(message), details, worst, threshold.limit)


def _why_empty(row: LevelRow) -> str:
    return f"no scored sample ({row.excluded} excluded, {row.errors} errors)"

