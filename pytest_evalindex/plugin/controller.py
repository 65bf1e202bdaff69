"""The controller side: gather every sample's result from the test reports, aggregate, write outputs.

Runs in the process that owns the terminal (the only process without xdist, the xdist controller
with it), so ``-n0`` and ``-nW`` share this one path.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.core.hashing import fingerprint
from pytest_evalindex.core.results import REPORT_ATTRIBUTE, SampleResult
from pytest_evalindex.core.secrets import REGISTRY, secret_values
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.dataset.entry import Entry, node_name_of
from pytest_evalindex.dataset.loader import CollectionError, load_collection
from pytest_evalindex.dataset.outcome import result_for
from pytest_evalindex.dataset.select import select
from pytest_evalindex.gates.plan import GatePlan, GateRun, evaluate_shard_gates
from pytest_evalindex.gates.plan import evaluate_gates as run_gates
from pytest_evalindex.metrics.aggregate import Report, aggregate
from pytest_evalindex.metrics.costs import attach_costs
from pytest_evalindex.metrics.row_ci import IntervalNotes, attach_intervals
from pytest_evalindex.plugin.code_exec import p95
from pytest_evalindex.plugin.gate_reports import run_code_gates
from pytest_evalindex.plugin.keys import runtime_key
from pytest_evalindex.plugin.summary_lines import nothing_answered_line
from pytest_evalindex.render.html import write_run_page
from pytest_evalindex.render.markdown import render_markdown, write_markdown
from pytest_evalindex.render.repeats import render_repeats
from pytest_evalindex.render.tables import render_tables
from pytest_evalindex.runs.shards import GATES_NOTE, SHARD_KEY, ShardRecord, collection_fingerprint
from pytest_evalindex.runs.writer import make_run_dir, report_document, to_plain, write_outputs
from pytest_evalindex.sandbox.unsafe import run_warnings


class Controller:
    """Collects :class:`SampleResult` objects and turns them into the run's report and files."""

    def __init__(self, config: pytest.Config, settings: Settings, model: str | None, api_url: str | None,
                 gate_plan: GatePlan) -> None:
        self.config = config
        self.gate_plan = gate_plan
        self.gates: GateRun | None = None
        self.settings = settings
        self.model = model
        self.api_url = api_url
        self.results: dict[str, SampleResult] = {}
        self.report: Report | None = None
        self.run_dir: Path | None = None
        self.tables: str | None = None
        self.started = datetime.now()
        self.loop_started: float | None = None
        self.loop_seconds: float = 0.0
        self.expected: int | None = None
        self.interrupted: str | None = None
        self.process_counters: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, Entry] = {}  # filled when this process collected the items itself
        self.unreported: dict[str, str] = {}  # node id → why a failed sample report carried no result
        self.total: int | None = None  # samples of the collection (after --eval-limit), run or not
        self.partial_reasons: list[str] = []  # why some of them did not run; empty for a whole run
        self.interval_notes = IntervalNotes()
        self.html_report: Path | None = None
        self.targets: dict[str, str] = {}  # node id → target text, for the incorrect and partial samples
        self.html_error: str | None = None
        self.nothing_answered: str | None = None  # the line saying why no report was written
        self.collection_files: list[Path] = []  # every collection file of the run (fingerprinted for a shard)
        self.collection_samples: int | None = None  # samples of the collection before --eval-shard took its share
        self.shard: ShardRecord | None = None
        self.not_written: list[str] = []  # output files (or samples' lines) that could not be written
        self.snapshots: dict[Path, tuple[str, Path]] = {}  # collection → (fingerprint, copy) taken at start
        self._ran_here: dict[str, SampleResult] = {}  # node id → result made in this process, not yet reported

    @property
    def partial(self) -> bool:
        """Whether some sample of the collection did not run (deselected, not collected, stopped early)."""
        return bool(self.partial_reasons)

    def no_verdict_line(self) -> str | None:
        """The one line saying the gates gave no verdict, or ``None`` when they decided (or will)."""
        if not self.partial or self.settings.allow_partial:
            return None
        total = self.total if self.total is not None else self.expected
        why = "; ".join(self.partial_reasons) or (self.interrupted or "stopped early")
        return (f"evalindex: no verdict — {len(self.results)} of {total} samples ran ({why}); gates are not "
                "evaluated on a partial run (exit 2). --eval-allow-partial gates the samples that ran anyway")

    def selection(self) -> dict[str, Any]:
        """How much of the collection ran, for every output."""
        return {"ran": len(self.results), "selected": self.expected, "total": self.total,
                "partial": self.partial, "why": list(self.partial_reasons) or ([self.interrupted] if self.interrupted
                                                                                 else [])}

    def ran_here(self, result: SampleResult) -> None:
        """A result made in this process, handed over as it is (the report's copy of it need not be read back),
        unless secrets are registered: the controller then keeps the report's scrubbed copy."""
        if not REGISTRY:
            self._ran_here[result.node_id] = result

    def add_report(self, report: pytest.TestReport) -> None:
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if isinstance(data, dict):
            result = self._ran_here.pop(report.nodeid, None)
            if result is None or result.node_id != data.get("node_id"):
                result = SampleResult.from_dict(data)
            self.results[result.node_id] = result
        elif report.failed and ".jsonl::" in report.nodeid.lower():
            # No result on a failed sample report: its worker crashed (xdist reports it for the sample it
            # was running) or setup failed outside the model call. The sample still counts, as an error.
            message = str(report.longrepr).strip().splitlines()
            self.unreported[report.nodeid] = message[-1] if message else "failed without a result"

    def results_for_unreported(self) -> None:
        """Turn samples that failed without a result into error results (entries re-read as needed)."""
        by_file: dict[Path, list[tuple[str, str, str]]] = {}
        for nodeid, message in self.unreported.items():
            if nodeid not in self.results:
                relative, name = nodeid.split("::", 1)
                by_file.setdefault(self.config.rootpath / relative, []).append((nodeid, name, message))
        for path, failed in by_file.items():
            selected = self._selected_entries(path)
            if selected is None:
                continue
            positions = {entry.node_name: (ordinal, entry) for ordinal, entry in enumerate(selected[0])}
            for nodeid, name, message in failed:
                if name not in positions:
                    continue
                ordinal, entry = positions[name]
                self.results[nodeid] = result_for(entry, node_id=nodeid, ordinal=ordinal, file=str(path),
                                                  status="error", error=message)

    def _selected_entries(self, path: Path) -> tuple[list[Entry], str] | None:
        """A collection file's entries as this run selected them (limit, shuffle), and the file's
        fingerprint; ``None`` if it can no longer be read (it changed or went away during the run)."""
        fingerprint_at_start, copy = self.snapshots.get(path.resolve(), (None, path))
        try:
            collection = load_collection(copy)  # the bytes the samples were collected from, even if edited since
        except CollectionError:
            return None
        if fingerprint_at_start is not None and collection.fingerprint != fingerprint_at_start:
            return None
        chosen = select(collection.entries, limit=self.settings.limit, shuffle=self.settings.shuffle,
                        seed=self.settings.seed)
        return chosen, collection.fingerprint

    def ordered_results(self) -> list[SampleResult]:
        return sorted(self.results.values(), key=lambda r: (r.file, r.ordinal))

    @property
    def incomplete(self) -> bool:
        """Whether some selected sample has no result (stopped early, interrupted, crashed)."""
        return self.interrupted is not None or (self.expected is not None and len(self.results) < self.expected)

    def concurrency_line(self) -> str | None:
        """One line on how the model was driven: processes × K, effective concurrency, requests, waiting."""
        counters = list(self.process_counters.values())
        if not counters:
            return None
        requests = sum(c.get("requests", 0) for c in counters)
        results = self.results.values()  # every answer counts (--eval-repeats K: K per sample)
        answers = sum(len(r.repeats) if r.repeats else 1 for r in results)
        cached = sum(sum(bool(a.get("cached")) for a in r.repeats) if r.repeats else r.cached for r in results)
        judge_requests = sum(c.get("judge", {}).get("requests", 0) for c in counters)
        busy = sum(c.get("request_seconds", 0.0) for c in counters)
        waiting = sum(c.get("wait_seconds", 0.0) for c in counters)
        peak = max(c.get("max_in_flight", 0) for c in counters)
        effective = busy / self.loop_seconds if self.loop_seconds > 0 else 0.0
        line = (f"evalindex: {len(counters)} process{'es' if len(counters) > 1 else ''} × "
                f"{self.settings.batch_size} in flight (peak {peak}), effective concurrency {effective:.1f}, "
                f"{requests} requests, {waiting:.1f} s waiting")
        if any("judge" in c for c in counters):
            line += f"; {judge_requests} judge requests"
        if cached:
            source = self.settings.predictions or self.settings.cache_dir
            line += f"; {cached} of {answers} answers from {source}"
        waits = sum(c.get("rate_limit_waits", 0) for c in counters)
        if waits:
            seconds = sum(c.get("rate_limit_seconds", 0.0) for c in counters)
            line += f"; {waits} rate-limit wait{'s' if waits > 1 else ''} ({seconds:.1f} s, Retry-After honoured)"
        timeouts = sum(c.get("timeouts", 0) for c in counters)
        if timeouts:
            line += f"; {timeouts} request{'s' if timeouts > 1 else ''} cut at --eval-timeout"
        times = [t for c in counters for t in c.get("program_times", [])]
        if times:
            workers = sum(c.get("sandbox_workers", 0) for c in counters)
            line += (f"; {len(times)} programs in {self.settings.code_exec} ({workers} at once), "
                     f"{math.fsum(times):.1f} s in all, p95 {p95(times):.2f} s")
        return line

    def warnings(self) -> list[str]:
        """What every output of this run must warn about (unsafe code execution)."""
        return run_warnings(self.settings.code_exec)

    def persistence_lines(self) -> list[str]:
        """What could not be kept: output files, answers the cache could not store, cache lines ignored."""
        lines = []
        if self.not_written:
            shown = "; ".join(self.not_written[:5]) + (f"; and {len(self.not_written) - 5} more"
                                                       if len(self.not_written) > 5 else "")
            lines.append(f"evalindex: NOT WRITTEN — {shown}. Every sample was scored; the report and verdict "
                         "above are complete")
        stores = [c["store"] for c in self.process_counters.values() if isinstance(c.get("store"), dict)]
        failed = sum(int(s.get("write_failed", 0)) for s in stores)
        if failed:
            why = next((str(s["write_error"]) for s in stores if s.get("write_error")), "")
            lines.append(f"evalindex: {failed} answers could not be kept in the cache {self.settings.cache_dir} "
                         f"({why}); they were scored, and the next run asks for them again")
        ignored = max((int(s.get("skipped_corrupt", 0)) for s in stores), default=0)
        if ignored and self.settings.cache_dir is not None:  # every process reads the same shards: the largest
            lines.append(f"evalindex: {ignored} cache lines in {self.settings.cache_dir} were ignored (torn, or "
                         "not an answer); their samples were asked again")
        return lines

    def finish(self, *, evaluate_gates: bool) -> None:
        """Aggregate, evaluate the gates (unless the run was cut short) and write the output folder."""
        self.results_for_unreported()
        if not self.results:
            return
        if all(result.status == "error" for result in self.results.values()):
            # Nothing was answered (server unreachable, nothing cached): no tables of empty rows, and no
            # run folder that would show up as the latest run or in EvalScope's viewer.
            self.nothing_answered = nothing_answered_line(self.ordered_results())
            return
        results = self.ordered_results()
        mode = self.settings.compat
        self.report = aggregate(results, compat=mode != "corrected", pool_subsets_by_name=mode == "evalscope-legacy")
        self.interval_notes = attach_intervals(self.report, results, confidence=self.settings.confidence)
        attach_costs(self.report, self.settings.price_input, self.settings.price_output)
        self.tables = render_tables(self.report) + (render_repeats(self.report, results) or "")
        self.shard = self._shard_record()
        if evaluate_gates and self.shard is not None:
            self.gates = evaluate_shard_gates(self.settings, results)
        elif evaluate_gates:
            self.gates = run_gates(self.gate_plan, self.settings, self.report, results)
            self.gates.outcomes.extend(run_code_gates(self.report, results))
        entries, fingerprints = self._entries_for(results)
        self.targets = {r.node_id: entries[r.node_id].prompt.target_text for r in results
                        if r.status in ("incorrect", "partial") and r.node_id in entries}
        try:
            self.run_dir = make_run_dir(self.settings.output_dir, self.started)
        except OSError as exc:
            self.not_written.append(f"the run folder in {self.settings.output_dir} ({exc.strerror or exc})")
            self._write_markdown()
            return
        extra: dict[str, Any] = {"incomplete": self.incomplete, "partial": self.partial,
                                 "selection": self.selection()}
        if self.warnings():
            extra["warnings"] = self.warnings()
        if self.shard is not None:
            extra[SHARD_KEY] = self.shard.to_dict()
        if self.gates is not None:
            extra["gates"] = [outcome.to_dict() for outcome in self.gates.outcomes]
            if self.gates.comparison is not None:
                extra["baseline_comparison"] = self.gates.comparison.to_dict()
        settings = self._run_settings(fingerprints)
        self.not_written += write_outputs(
            self.run_dir,
            report=self.report,
            results=results,
            entries=entries,
            settings=settings,
            log_text=self.tables,
            extra=extra,
        )
        self._write_html(report_document(self.report, results, settings=settings, extra=extra, with_samples=False),
                         results, entries, secret_values(to_plain(settings)))
        self._write_markdown()

    def _shard_record(self) -> ShardRecord | None:
        """What this run is a shard of (``None`` for a whole run): the collection's fingerprint and sizes."""
        shard = self.settings.shard
        if shard is None:
            return None
        prints = []
        for path in self.collection_files:
            try:
                prints.append(fingerprint(path.read_bytes()))
            except OSError:
                prints.append(f"unreadable:{path.name}")  # changed during the run: no merge will match it
        s = self.settings
        total = self.total if self.total is not None else len(self.results)
        return ShardRecord(index=shard.index, count=shard.count, samples=total,
                           collection=collection_fingerprint(prints, limit=s.limit, shuffle=s.shuffle, seed=s.seed),
                           collection_samples=self.collection_samples if self.collection_samples is not None else total)
    def _write_html(self, document: dict[str, Any], results: list[SampleResult], entries: Mapping[str, Entry],
                    secrets: list[str]) -> None:
        """``<run>/reports/report.html`` (the file EvalScope's viewer serves) from the report just written, kept
        in memory; a failure to render is reported, never fatal to the run."""
        assert self.run_dir is not None
        try:
            self.html_report = write_run_page(self.run_dir, document, results, entries, secrets)
        except Exception as exc:  # the run's results are already on disk; do not lose the summary over a page
            self.html_error = f"{type(exc).__name__}: {exc}"

    def _write_markdown(self) -> None:
        targets = []
        if self.settings.markdown is not None:
            targets.append((self.settings.markdown, False))
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            targets.append((Path(step_summary), True))
        if not targets or self.report is None:
            return
        gates = self.gates.outcomes if self.gates is not None else []
        comparison = self.gates.comparison if self.gates is not None else None
        notices = []
        if self.shard is not None:
            notices.append(f"This run is {self.shard.describe()}: {GATES_NOTE}.")
        if self.partial:
            selection = self.selection()
            notices.append(f"Partial run: {selection['ran']} of {selection['total'] or selection['selected']} samples "
                           f"ran ({'; '.join(selection['why']) or 'stopped early'})"
                           + ("; the gates gave no verdict." if self.no_verdict_line() else "; gated anyway."))
        notice = " ".join(notices) or None
        text = render_markdown(self.report, gates=gates, comparison=comparison,
                               title=f"pytest-evalindex: {self.model}", notice=notice,
                               results=self.ordered_results(), warnings=self.warnings())
        for path, append in targets:
            try:
                write_markdown(path, REGISTRY.scrub(text), append=append)
            except OSError as exc:
                self.not_written.append(f"{path} ({exc.strerror or exc})")

    def _judge_key(self) -> str | None:
        runtime = self.config.stash.get(runtime_key, None)
        judge = runtime.judge_settings if runtime is not None else None
        return judge.api_key if judge is not None else None

    def _run_settings(self, fingerprints: Mapping[str, str]) -> dict[str, Any]:
        settings = self.settings.public()
        settings["model"] = self.model
        settings["api_url"] = self.api_url
        # Written masked; its value is also scrubbed from every text we write (a model may echo it).
        settings["api_key"] = self.settings.api_key
        runtime = self.config.stash.get(runtime_key, None)
        judge = runtime.judge_settings if runtime is not None else None
        if judge is not None and judge.model:
            settings["judge"] = judge.public(self.api_url)
        settings["judge_api_key"] = self._judge_key()  # written masked and scrubbed, as the model's key
        settings["collections"] = [{"path": path, "fingerprint": fp} for path, fp in sorted(fingerprints.items())]
        settings["engine_counters"] = {name: {k: v for k, v in counters.items() if k != "program_times"}
                                       for name, counters in sorted(self.process_counters.items())}
        settings["incomplete"] = self.incomplete
        if self.incomplete:
            settings["samples_expected"] = self.expected
            settings["stopped_because"] = self.interrupted
        return settings

    def _entries_for(self, results: list[SampleResult]) -> tuple[dict[str, Entry], dict[str, str]]:
        """Entries keyed by node id: the collected ones, else re-read (the xdist controller collects nothing)."""
        entries: dict[str, Entry] = {}
        fingerprints: dict[str, str] = {}
        by_file: dict[str, list[SampleResult]] = {}
        for result in results:
            by_file.setdefault(result.file, []).append(result)
        for file, file_results in by_file.items():
            path = Path(file)
            if all(r.node_id in self.entries for r in file_results):
                at_start = self.snapshots.get(path.resolve())
                try:
                    fingerprints[self._display_path(path)] = (at_start[0] if at_start is not None
                                                              else fingerprint(path.read_bytes()))
                except OSError:
                    continue  # the file went away during the run; outputs still carry the results
                entries.update({r.node_id: self.entries[r.node_id] for r in file_results})
                continue
            selected = self._selected_entries(path)
            if selected is None:
                continue  # the file changed during the run; outputs still carry the results
            chosen, fingerprints[self._display_path(path)] = selected
            by_name = {entry.node_name: entry for entry in chosen}
            for result in file_results:
                entry = by_name.get(node_name_of(result.dataset_name, result.subset_name, result.index))
                if entry is not None:
                    entries[result.node_id] = entry
        return entries, fingerprints

    def _display_path(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.config.rootpath))
        except ValueError:
            return str(path)


__all__ = ["Controller", "fingerprint"]
