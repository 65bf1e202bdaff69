"""Gate expressions: thresholds on report rows and the error budget, evaluated to :class:`GateOutcome`.

A threshold is ``LEVEL:ROW:METRIC[.BOUND] OP NUMBER`` (see :data:`GRAMMAR`) or the shorthand
``index[.BOUND][:METRIC] OP NUMBER`` for the root category row. ROW is a row's name (its key values
joined by ``/``), a short alias (the bare dataset name at the dataset level, ``dataset/subset``
at the subset level) or an ``fnmatch`` glob. BOUND is ``lower``, ``upper`` or ``point``: the row's
interval bound (at ``--eval-confidence``) or its value; without it, ``--eval-gate-on`` decides
(``bound``: the lower bound for ``>=``/``>``, the upper for ``<=``/``<``). Values and bounds are
compared as the report shows them (rounded to 4 decimals), so ``index>=0.3556`` passes when the
report prints 0.3556. Every gated row also gets its minimum detectable effect at 80% power, and a
warning when its margin to the limit is below it.
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
from pytest_evalindex.metrics.intervals import Average, RowInterval
from pytest_evalindex.metrics.power import margin_warning, row_mde
from pytest_evalindex.metrics.row_ci import interval_text

GRAMMAR = (
    "LEVEL:ROW:METRIC[.BOUND] OP NUMBER or index[.BOUND][:METRIC] OP NUMBER, where LEVEL is "
    "subset_level|dataset_level|task_level|tag_level|category_level, ROW is a row name or a glob "
    "(*, ?, [...]), METRIC is micro_avg|macro_avg|weighted_avg|count, BOUND is lower|upper|point, "
    "OP is >=|>|<=|<; e.g. category_level:reasoning_index:weighted_avg.lower>=0.75, index.lower>=0.3 or index>=0.3"
)
BOUNDS = ("lower", "upper", "point")

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
_AVERAGE: dict[str, Average] = {"micro_avg": "micro", "macro_avg": "macro", "weighted_avg": "weighted"}


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
    bound: str | None = None  # lower | upper | point as written; None: --eval-gate-on decides

    @property
    def name(self) -> str:
        """Canonical gate test name, e.g. ``gate[dataset_level:arc:micro_avg>=0.5]``, ``gate[index.lower>=0.7]``."""
        suffix = f".{self.bound}" if self.bound else ""
        if self.row is None:
            metric = "" if self.metric == "weighted_avg" else f":{self.metric}"
            return f"gate[{INDEX}{suffix}{metric}{self.op}{self.number}]"
        return f"gate[{self.level}:{self.row}:{self.metric}{suffix}{self.op}{self.number}]"

    def compared(self, gate_on: str) -> str:
        """What is compared: ``point``, ``lower`` or ``upper`` (counts always compare their value)."""
        if self.metric == "count":
            return "point"
        if self.bound is not None:
            return self.bound
        if gate_on == "bound":
            return "lower" if self.op in (">=", ">") else "upper"
        return "point"

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
    index_head, dot, index_bound = head.strip().lower().partition(".")
    if index_head == INDEX:
        metric, bound = _parse_metric_bound(text, rest) if rest.strip() else ("weighted_avg", None)
        if dot:
            if bound is not None:
                raise GateSyntaxError(text, "give the bound once: index.lower:METRIC or index:METRIC.lower")
            bound = _parse_bound(text, index_bound, metric)
        return Threshold(text, "category_level", None, metric, op, limit, number, bound)
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
    metric, bound = _parse_metric_bound(text, metric_text)
    return Threshold(text, level, row, metric, op, limit, number, bound)


def _parse_metric_bound(text: str, metric_text: str) -> tuple[str, str | None]:
    """``micro_avg`` → (micro_avg, None); ``micro_avg.lower`` → (micro_avg, lower)."""
    name, dot, bound = metric_text.strip().lower().partition(".")
    metric = _parse_metric(text, name)
    return metric, (_parse_bound(text, bound, metric) if dot else None)


def _parse_bound(text: str, bound: str, metric: str) -> str:
    if bound not in BOUNDS:
        raise GateSyntaxError(text, f"unknown bound {bound!r}; use .lower, .upper or .point")
    if metric == "count" and bound != "point":
        raise GateSyntaxError(text, "count has no interval; gate count without .lower/.upper")
    return bound


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


@dataclass(frozen=True)
class _Verdict:
    row: LevelRow
    value: float | None  # the row's value (as the report rounds it)
    compared: float | None  # what the limit is compared with: the value or a bound
    ok: bool
    interval: RowInterval | None
    mde: float | None
    warning: str | None


def _verdict(threshold: Threshold, row: LevelRow, compared_what: str) -> _Verdict:
    value = metric_value(row, threshold.metric)
    interval = None
    if threshold.metric != "count" and row.intervals is not None:
        interval = row.intervals.get(_AVERAGE[threshold.metric])
    if compared_what == "point":
        compared = value
    elif interval is None:
        compared = None
    else:
        compared = round(interval.interval.lo if compared_what == "lower" else interval.interval.hi, 4)
    ok = compared is not None and OPERATORS[threshold.op](compared, threshold.limit)
    mde = warning = None
    if interval is not None:
        mde = row_mde(interval, threshold=threshold.limit)
        warning = margin_warning(interval, threshold.limit)
    return _Verdict(row, value, compared, ok, interval, mde, warning)


def _stats_text(v: _Verdict) -> str:
    """``95% CI [0.063, 0.8192], MDE 0.3811``: the row's interval and its minimum detectable effect at 80% power."""
    if v.interval is None or v.mde is None:
        return ""
    ci = v.interval
    return f"{interval_text(ci.interval.lo, ci.interval.hi, ci.confidence)}, MDE {format_value(v.mde)}"


def evaluate_threshold(threshold: Threshold, report: Report, *, gate_on: str = "point") -> GateOutcome:
    """Evaluate ``threshold`` on ``report``; a glob passes only when every matching row passes.

    ``gate_on`` (``point`` or ``bound``) decides what a threshold without ``.BOUND`` compares.
    Raises :class:`GateUsageError` when the row does not exist (a typo never passes silently).
    """
    what = threshold.compared(gate_on)
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
    measured = threshold.metric if what == "point" else f"{threshold.metric} {what} bound"

    verdicts = [_verdict(threshold, row, what) for row in rows]
    failing = [v for v in verdicts if not v.ok]
    values = [v.compared for v in verdicts if v.compared is not None]
    worst: float | None = None
    if values:
        worst = min(values) if threshold.op in (">=", ">") else max(values)
    warned = [v for v in verdicts if v.warning]
    warnings = [w for w in (v.warning for v in warned) if w]
    if len(rows) > 1 and warned:  # one line for a glob: how many rows, and the first of them
        warnings = [f"{len(warned)} of {len(rows)} rows have a margin below their MDE, e.g. "
                    f"{warned[0].row.name}: {warned[0].warning}"]
    stats: dict[str, object] = {"compared": what}

    if len(rows) == 1 and not threshold.is_glob:
        v = verdicts[0]
        extra = _stats_text(v)
        if v.compared is None:
            message = f"{label} {measured} has no value: {_why_empty(v.row)}, {need}"
        elif what == "point":
            message = f"{label} {measured} = {format_value(v.compared, threshold.metric)}, {need}"
            message += f"; {extra}" if extra else ""
        else:
            message = (f"{label} {measured} = {format_value(v.compared)}, {need}; value "
                       f"{format_value(v.value)}, {extra}")
        if v.interval is not None and v.mde is not None:
            stats.update(interval=[v.interval.interval.lo, v.interval.interval.hi], mde=v.mde,
                         confidence=v.interval.confidence)
        return GateOutcome(threshold.name, v.ok, sanitize(message), [], v.compared, threshold.limit,
                           [sanitize(w) for w in warnings], stats)

    details = [
        sanitize(f"{v.row.name}: "
                 + (f"{format_value(v.compared, threshold.metric)}" if v.compared is not None else _why_empty(v.row))
                 + (f" ({_stats_text(v)})" if v.interval is not None else "")
                 + f" {'ok' if v.ok else 'FAIL'}")
        for v in verdicts
    ]
    if len(details) > _MAX_DETAIL_ROWS:
        details = details[:_MAX_DETAIL_ROWS] + [f"... and {len(details) - _MAX_DETAIL_ROWS} more rows"]
    if failing:
        shown = ", ".join(
            f"{v.row.name} = {format_value(v.compared, threshold.metric)}" if v.compared is not None
            else f"{v.row.name} ({_why_empty(v.row)})"
            for v in failing[:5])
        more = f", ... {len(failing) - 5} more" if len(failing) > 5 else ""
        message = (f"{label} {measured}: {len(failing)} of {len(rows)} rows fail, {need}: "
                   f"{shown}{more}")
    else:
        message = (f"{label} {measured}: all {len(rows)} rows pass, {need} "
                   f"(worst {format_value(worst, threshold.metric)})")
    return GateOutcome(threshold.name, not failing, sanitize(message), details, worst, threshold.limit,
                       [sanitize(w) for w in warnings], stats)


def _why_empty(row: LevelRow) -> str:
    return f"no scored sample ({row.excluded} excluded, {row.errors} errors)"

