"""``evalindex merge RUN... [-o DIR] [gate options]``: one run folder from the shard runs of a collection, gated.

Exit codes are a single run's: 0 every gate passed, 1 a gate failed (or samples errored beyond the budget, or an
incorrect sample under ``--eval-strict``), 2 no verdict (shards missing or overlapping, a partial shard), 4 a bad
gate option or a threshold naming a row that does not exist.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pytest_evalindex.core.secrets import secret_values
from pytest_evalindex.core.settings import (
    DEFAULT_ALPHA,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    Settings,
)
from pytest_evalindex.core.text import visible
from pytest_evalindex.gates.plan import GatePlanError, GateRun, evaluate_gates, plan_gates
from pytest_evalindex.gates.thresholds import GateSyntaxError, parse_threshold
from pytest_evalindex.metrics.aggregate import Report, aggregate
from pytest_evalindex.metrics.costs import attach_costs
from pytest_evalindex.metrics.row_ci import attach_intervals
from pytest_evalindex.render.html import REPORT_HTML, first_answer_detail, load_run, write_report, write_run_page
from pytest_evalindex.render.html.data import paused_gc
from pytest_evalindex.render.markdown import render_markdown, write_markdown
from pytest_evalindex.render.tables import render_tables
from pytest_evalindex.runs.merge import MergedRun, MergeError, check_coverage, load_shards, merge_shards
from pytest_evalindex.runs.shards import short
from pytest_evalindex.runs.writer import make_run_dir, report_document, to_plain, write_outputs
from pytest_evalindex.sandbox.unsafe import run_warnings

PASSED, FAILED, NO_VERDICT, USAGE = 0, 1, 2, 4


def add_merge_command(commands: Any) -> None:
    """Register ``evalindex merge``."""
    merge = commands.add_parser(
        "merge", help="merge the shard runs of a collection into one run folder and gate it",
        description=("Check that RUN... (folders written by `pytest --eval-shard I/N`, or folders holding them) "
                     "cover one collection exactly once, write one run folder equal to a single run over the whole "
                     "collection (timings aside), evaluate the gates and exit as that run would: 0 pass, 1 a gate "
                     "failed, 2 no verdict (missing or overlapping shards, a partial shard), 4 a bad gate option."),
    )
    merge.add_argument("runs", nargs="+", type=Path, metavar="RUN", help="shard run folders (or folders holding them)")
    merge.add_argument("-o", "--output-dir", "--eval-output-dir", type=Path, default=Path("outputs"), metavar="DIR",
                       help="folder for the merged run; it writes DIR/<YYYYMMDD_HHMMSS>/ (default outputs)")
    merge.add_argument("--eval-threshold", "--threshold", action="append", default=[], metavar="EXPR", dest="thresholds",
                       help="gate LEVEL:ROW:METRIC OP NUMBER or 'index>=0.7', as in pytest (repeatable)")
    merge.add_argument("--eval-max-error-rate", "--max-error-rate", metavar="F", dest="max_error_rate",
                       help="largest share of samples allowed to end in an error (default 0)")
    merge.add_argument("--eval-baseline", "--baseline", type=Path, metavar="PATH", dest="baseline",
                       help="a previous run folder (or its evalindex_report.json) to gate regressions against")
    merge.add_argument("--eval-max-drop", "--max-drop", metavar="D", dest="max_drop", default=None,
                       help="largest absolute drop allowed on a row present in the baseline (default 0.0); "
                            "given without --eval-alpha, any larger drop fails, as in pytest")
    merge.add_argument("--eval-alpha", "--alpha", metavar="A", dest="alpha", default=None,
                       help=f"a drop fails only when also significant at this level (default {DEFAULT_ALPHA})")
    merge.add_argument("--eval-confidence", "--confidence", metavar="C", dest="confidence",
                       default=str(DEFAULT_CONFIDENCE), help=f"the intervals' level (default {DEFAULT_CONFIDENCE})")
    merge.add_argument("--eval-gate-on", "--gate-on", choices=("point", "bound"), dest="gate_on", default="point",
                       help="what a threshold compares by default: the value or its bound (default point)")
    merge.add_argument("--eval-baseline-allow-mismatch", "--baseline-allow-mismatch", action="store_true",
                       dest="baseline_allow_mismatch", help="compare with a baseline over another collection")
    merge.add_argument("--eval-allow-partial", "--allow-partial", action="store_true", dest="allow_partial",
                       help="gate even when a shard ran only part of its samples")
    merge.add_argument("--eval-markdown", "--markdown", type=Path, metavar="PATH", dest="markdown",
                       help="also write the Markdown summary here (always appended to $GITHUB_STEP_SUMMARY when set)")
    merge.set_defaults(handler=run_merge)


def run_merge(args: argparse.Namespace) -> int:
    """Merge, write, gate; returns the exit code."""
    with paused_gc():  # a few million small containers, none in a cycle: collections would only walk them again
        return _run_merge(args)


def _run_merge(args: argparse.Namespace) -> int:
    try:
        rates = {name: _fraction(name, getattr(args, name)) for name in ("max_error_rate", "max_drop", "alpha",
                                                                          "confidence")}
        if rates["alpha"] is not None and not 0.0 < rates["alpha"] < 1.0:
            raise ValueError(f"--eval-alpha must be between 0 and 1, e.g. 0.05 (got {args.alpha})")
        if rates["confidence"] is None or not 0.0 < rates["confidence"] < 1.0:
            raise ValueError(f"--eval-confidence must be between 0 and 1, e.g. 0.95 (got {args.confidence})")
        for text in args.thresholds:
            parse_threshold(text)
    except (ValueError, GateSyntaxError) as exc:
        return _fail(USAGE, str(exc))
    try:
        shards = load_shards(args.runs)
        check_coverage(shards)
    except MergeError as exc:
        return _fail(NO_VERDICT, str(exc))
    gate_options: dict[str, Any] = {"thresholds": [t for t in args.thresholds if t.strip()],
                                    "max_error_rate": rates["max_error_rate"], "max_drop": rates["max_drop"] or 0.0,
                                    "baseline": str(args.baseline) if args.baseline else None,
                                    "allow_partial": bool(args.allow_partial)}
    try:
        merged = merge_shards(shards, gate_options)
    except MergeError as exc:
        return _fail(NO_VERDICT, str(exc))
    settings = _settings(merged, args, gate_options)
    try:
        plan = plan_gates(settings)
    except GatePlanError as exc:
        return _fail(USAGE, str(exc))

    mode = str(merged.settings.get("compat") or "corrected")
    report = aggregate(merged.results, compat=mode != "corrected", pool_subsets_by_name=mode == "evalscope-legacy")
    attach_intervals(report, merged.results, confidence=settings.confidence)  # before the gates: bounds use them
    attach_costs(report, float(merged.settings.get("price_input") or 0.0), float(merged.settings.get("price_output") or 0.0))
    gated = not merged.partial or settings.allow_partial
    gates = evaluate_gates(plan, settings, report, merged.results) if gated else None
    extra: dict[str, Any] = {"incomplete": merged.incomplete, "partial": merged.partial, "selection": merged.selection}
    if run_warnings(merged.settings.get("code_exec")):
        extra["warnings"] = run_warnings(merged.settings.get("code_exec"))
    if gates is not None:
        extra["gates"] = [outcome.to_dict() for outcome in gates.outcomes]
        if gates.comparison is not None:
            extra["baseline_comparison"] = gates.comparison.to_dict()
    tables = render_tables(report)
    run_dir = make_run_dir(args.output_dir, datetime.now())
    details: list[list[str]] = []  # the page's texts, taken from each review line as it is copied
    try:
        failures = write_outputs(run_dir, report=report, results=merged.results, entries={}, settings=merged.settings,
                                 log_text=tables, extra=extra, answers=_noting_details(merged.answers(), details))
    except MergeError as exc:
        return _fail(NO_VERDICT, str(exc))
    try:  # the page a single run writes too
        _write_page(run_dir, report, merged, extra, details if not failures else None)
    except Exception as exc:  # the merged results are on disk: a page that fails costs only itself
        print(f"evalindex merge: the HTML report could not be written ({type(exc).__name__}: {exc})", file=sys.stderr)
    _write_markdown(args.markdown, report, gates, merged)
    return _print_and_exit(tables, gates, merged, run_dir, strict=settings.strict)


def _noting_details(answers: Iterator[tuple[str, str]], details: list[list[str]]) -> Iterator[tuple[str, str]]:
    for prediction, review in answers:
        detail = first_answer_detail(review)
        if detail is not None:
            details.append(detail)
        yield prediction, review


def _write_page(run_dir: Path, report: Report, merged: MergedRun, extra: dict[str, Any],
                details: list[list[str]] | None) -> None:
    """The page of a single run, from the objects just written and the texts noted from the reviews (or, if
    some lines could not be written, from the merged files read back)."""
    document = report_document(report, merged.results, settings=merged.settings, extra=extra)
    answered = [i for i, sample in enumerate(document["samples"]) if sample["status"] != "error"]
    if details is None or len(details) != len(answered):
        write_report(run_dir / "reports" / REPORT_HTML, [load_run(run_dir)])
        return
    texts: list[list[str] | None] = [None] * len(document["samples"])
    for position, detail in zip(answered, details):
        texts[position] = detail
    write_run_page(run_dir, document, merged.results, {}, secret_values(to_plain(merged.settings)), details=texts)


def _fraction(name: str, value: str | None) -> float | None:
    if value is None:
        return None
    flag = "--eval-" + name.replace("_", "-")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{flag}: expected a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{flag}: must be between 0 and 1 (got {number})")
    return number


def _settings(merged: MergedRun, args: argparse.Namespace, gates: dict[str, Any]) -> Settings:
    """The :class:`Settings` the gates read: the shards' run settings with the merge's gate options."""
    s = merged.settings
    return Settings(
        collections=(), model=merged.model, api_url=s.get("api_url"), api_key=None,
        generation_config=dict(s.get("generation_config") or {}), timeout=float(s.get("timeout") or 300.0),
        max_retries=int(s.get("max_retries") or 0), batch_size=int(s.get("batch_size") or DEFAULT_BATCH_SIZE),
        limit=s.get("limit"), shuffle=bool(s.get("shuffle")), seed=int(s.get("seed") or DEFAULT_SEED),
        strict=bool(s.get("strict")), compat=str(s.get("compat") or "corrected"), output_dir=args.output_dir,
        mock=None, thresholds=tuple(gates["thresholds"]), max_error_rate=gates["max_error_rate"],
        baseline=args.baseline, max_drop=gates["max_drop"], baseline_allow_mismatch=bool(args.baseline_allow_mismatch),
        markdown=args.markdown, allow_partial=bool(args.allow_partial),
        confidence=float(args.confidence), gate_on=args.gate_on,
        # as in pytest: --eval-max-drop alone keeps the plain rule; otherwise a drop must also be significant
        alpha=float(args.alpha) if args.alpha is not None else (None if args.max_drop is not None else DEFAULT_ALPHA),
    )


def _notice(merged: MergedRun, gated: bool) -> str | None:
    if not merged.partial:
        return None
    sel = merged.selection
    return (f"Partial run: {sel['ran']} of {sel['total'] or sel['selected']} samples ran "
            f"({'; '.join(sel['why']) or 'stopped early'})" + ("; gated anyway." if gated else "; the gates gave no verdict."))


def _write_markdown(path: Path | None, report: Report, gates: GateRun | None, merged: MergedRun) -> None:
    targets = [(path, False)] if path is not None else []
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        targets.append((Path(step_summary), True))
    if not targets:
        return
    text = render_markdown(report, gates=gates.outcomes if gates else [], comparison=gates.comparison if gates else None,
                           title=f"pytest-evalindex: {merged.model}", notice=_notice(merged, gates is not None),
                           warnings=run_warnings(merged.settings.get("code_exec")))
    for target, append in targets:
        write_markdown(target, text, append=append)


def _print_and_exit(tables: str, gates: GateRun | None, merged: MergedRun, run_dir: Path, *, strict: bool) -> int:
    print("=" * 30 + " evalindex report " + "=" * 30)
    print(tables)
    if gates is not None and gates.outcomes:
        print("-" * 30 + " evalindex gates " + "-" * 31)
        for outcome in gates.outcomes:
            print(f"{'PASSED' if outcome.passed else 'FAILED'} {outcome.name}: "
                  f"{visible(outcome.message, keep_newlines=False)}")
        for usage_error in gates.usage_errors:
            print(f"ERROR: {usage_error}")
    first = merged.shards[0].record
    print(f"evalindex: merged {len(merged.shards)} shards of collection {short(first.collection)} "
          f"({len(merged.results)} of {first.collection_samples} samples)")
    for warning in run_warnings(merged.settings.get("code_exec")):
        print(f"evalindex: {warning}")
    print(f"evalindex outputs: {run_dir}")
    if gates is None:
        return _fail(NO_VERDICT, f"no verdict — {_notice(merged, False)} --eval-allow-partial gates them anyway")
    if gates.usage_errors:
        return USAGE
    wrong = sum(r.status in ("incorrect", "partial") for r in merged.results) if strict else 0
    if wrong:
        print(f"evalindex: {wrong} incorrect samples fail the run (--eval-strict)")
    return FAILED if gates.failed or wrong else PASSED


def _fail(code: int, message: str) -> int:
    print(f"evalindex merge: {'error: ' if code == USAGE else ''}{message}", file=sys.stderr)
    return code
