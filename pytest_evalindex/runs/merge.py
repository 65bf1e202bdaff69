"""Merging shard runs: check that they cover one collection exactly once, then rebuild the whole run's results,
settings, selection and answer lines, as one run over the whole collection would have recorded them."""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.runs.layout import EVALINDEX_REPORT_NAME
from pytest_evalindex.runs.reader import BaselineError, RunReport, read_run
from pytest_evalindex.runs.shards import SHARD_KEY, ShardRecord, short

# Settings every shard must share: they decide what an answer is and how it is scored.
_SHARED_SETTINGS = ("model", "compat", "generation_config", "strict")
# Settings of the merged run that come from the merge's own gate options, not from the shards.
GATE_SETTINGS = ("thresholds", "max_error_rate", "max_drop", "baseline", "allow_partial")


class MergeError(ValueError):
    """Shard runs that cannot be merged; the one-line message names them and the fix."""


@dataclass
class ShardRun:
    """One shard's run folder read back."""

    run: RunReport
    record: ShardRecord
    name: str = ""
    """The run folder, as messages name it."""

    def __post_init__(self) -> None:
        self.name = self.name or str(self.run.folder)


def run_folders(paths: Sequence[Path]) -> list[Path]:
    """The run folders named by ``paths``: a run folder or report file as is; any other folder is searched
    for the run folders inside it (a CI job's downloaded artifacts), in path order."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise MergeError(f"{path} does not exist")
        if path.is_file() or (path / "reports").is_dir():
            found.append(path)
            continue
        inside = sorted({p.parents[2] for p in path.glob(f"**/reports/*/{EVALINDEX_REPORT_NAME}")})
        if not inside:
            raise MergeError(f"{path} holds no run folder (no reports/*/{EVALINDEX_REPORT_NAME} inside); pass the "
                             "folders written by `pytest --eval-shard I/N`")
        found.extend(inside)
    return found


def load_shards(paths: Sequence[Path]) -> list[ShardRun]:
    """Read every shard run; a run that is not a shard, or cannot be read, is a :class:`MergeError`."""
    shards = []
    for path in run_folders(paths):
        try:
            run = read_run(path, what="shard run")
        except BaselineError as exc:
            raise MergeError(str(exc)) from None
        data = run.head.get(SHARD_KEY)
        if not isinstance(data, Mapping):
            raise MergeError(f"{run.folder} is not a shard run (it was not made with --eval-shard I/N); merge only "
                             "the shards of one collection")
        try:
            record = ShardRecord.from_dict(data)
        except ValueError as exc:
            raise MergeError(f"{run.file}: {exc}") from None
        shards.append(ShardRun(run=run, record=record))
    if not shards:
        raise MergeError("no shard run given")
    return shards


def check_coverage(shards: Sequence[ShardRun]) -> None:
    """The shards are 1..N of one collection, each exactly once, made with the same model and scoring."""
    first = shards[0]
    for other in shards[1:]:
        if other.record.collection != first.record.collection:
            raise MergeError(f"{first.name} is a shard of collection {short(first.record.collection)} but {other.name} "
                             f"of {short(other.record.collection)}; merge the shards of one collection (same files, "
                             "--eval-limit, --eval-shuffle and --eval-seed)")
        if other.record.count != first.record.count:
            raise MergeError(f"{first.name} is shard {first.record.label} but {other.name} is shard "
                             f"{other.record.label}; every shard of a merge must split the collection the same way")
        for key in _SHARED_SETTINGS:
            mine, theirs = first.run.head["settings"].get(key), other.run.head["settings"].get(key)
            if mine != theirs:
                raise MergeError(f"{first.name} and {other.name} differ in {key} ({json.dumps(mine)} vs "
                                 f"{json.dumps(theirs)}); every shard must evaluate the same model the same way")
    count = first.record.count
    by_index: dict[int, list[ShardRun]] = {}
    for shard in shards:
        by_index.setdefault(shard.record.index, []).append(shard)
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    twice = [f"{i}/{count} ({', '.join(s.name for s in group)})" for i, group in sorted(by_index.items())
             if len(group) > 1]
    if missing or twice:
        problems = ([f"missing shard{'s' if len(missing) > 1 else ''} {', '.join(missing)}"] if missing else []) + \
                   ([f"given more than once: {'; '.join(twice)}"] if twice else [])
        raise MergeError(f"the shards do not cover collection {short(first.record.collection)} exactly once: "
                         f"{'; '.join(problems)}")
    seen: dict[str, str] = {}
    for shard in shards:
        for result in shard.run.results:
            if result.node_id in seen:
                raise MergeError(f"sample {result.node_id} is in {seen[result.node_id]} and in {shard.name}; "
                                 "the shards overlap")
            seen[result.node_id] = shard.name
    expected = sum(s.record.samples for s in shards)
    if expected != first.record.collection_samples:
        raise MergeError(f"the shards hold {expected} samples but collection {short(first.record.collection)} has "
                         f"{first.record.collection_samples}; the shards were made from different selections")


def order_key(result: SampleResult) -> tuple[str, int, str]:
    """Output order of a run (the writer's): collection file, position in the selection, node id."""
    return (result.file, result.ordinal, result.node_id)


@dataclass
class MergedRun:
    """The whole run rebuilt from its shards (results in output order)."""

    shards: list[ShardRun]
    results: list[SampleResult]
    model: str
    settings: dict[str, Any]
    selection: dict[str, Any]
    incomplete: bool

    @property
    def partial(self) -> bool:
        return bool(self.selection["partial"])

    def answers(self) -> Iterator[tuple[str, str]]:
        """The text of every answer's prediction and review line, in output order, read from the shards' files."""
        streams = [_answer_lines(shard) for shard in self.shards]
        for _key, prediction, review in heapq.merge(*streams, key=lambda item: item[0]):
            yield prediction, review


def merge_shards(shards: Sequence[ShardRun], gate_settings: Mapping[str, Any]) -> MergedRun:
    """The merged run of shards that passed :func:`check_coverage`; ``gate_settings`` (keys
    :data:`GATE_SETTINGS`) are the merge's own gate options, recorded as the run's."""
    for shard in shards:
        _check_answer_files(shard)
    ordered = sorted(shards, key=lambda s: s.record.index)
    results = sorted((r for s in ordered for r in s.run.results), key=order_key)
    selections = [(s, s.run.head.get("selection") or {}) for s in ordered]
    why = [f"shard {s.record.label}: {reason}" for s, sel in selections for reason in sel.get("why", [])]
    partial = any(bool(sel.get("partial")) for _, sel in selections)
    selection = {"ran": sum(int(sel.get("ran", 0)) for _, sel in selections),
                 "selected": sum(int(sel.get("selected") or 0) for _, sel in selections),
                 "total": sum(int(sel.get("total") or 0) for _, sel in selections),
                 "partial": partial, "why": why}
    incomplete = any(bool(s.run.head.get("incomplete")) for s in ordered)
    settings = _merged_settings(ordered, gate_settings, incomplete, selection)
    return MergedRun(shards=list(ordered), results=results, model=str(ordered[0].run.head.get("model") or "model"),
                     settings=settings, selection=selection, incomplete=incomplete)


def _merged_settings(shards: Sequence[ShardRun], gate_settings: Mapping[str, Any], incomplete: bool,
                     selection: Mapping[str, Any]) -> dict[str, Any]:
    settings = dict(shards[0].run.head["settings"])
    settings["shard"] = None
    settings.update({key: gate_settings[key] for key in GATE_SETTINGS if key in gate_settings})
    collections: dict[str, Any] = {}
    for shard in shards:
        for item in shard.run.head["settings"].get("collections") or []:
            collections.setdefault(str(item.get("path")), item)
    settings["collections"] = [collections[path] for path in sorted(collections)]
    settings["engine_counters"] = {f"shard {s.record.label} {process}": counters for s in shards
                                   for process, counters in (s.run.head["settings"].get("engine_counters") or {}).items()}
    settings.pop("samples_expected", None)
    settings.pop("stopped_because", None)
    settings["incomplete"] = incomplete
    if incomplete:
        settings["samples_expected"] = selection["selected"]
        stopped = [f"shard {s.record.label}: {s.run.head['settings'].get('stopped_because')}" for s in shards
                   if s.run.head.get("incomplete")]
        settings["stopped_because"] = "; ".join(stopped)
    return settings


def _check_answer_files(shard: ShardRun) -> None:
    answered = sum(len(r.repeats or ()) or 1 for r in shard.run.results if r.status != "error")
    for path in shard.run.answer_files():
        try:
            with path.open("rb") as handle:
                lines = sum(1 for line in handle if line.strip())
        except OSError as exc:
            raise MergeError(f"shard {shard.record.label} ({shard.name}): cannot read {path}: "
                             f"{exc.strerror or exc}") from None
        if lines != answered:
            raise MergeError(f"shard {shard.record.label} ({shard.name}): {path} has {lines} lines but the report has "
                             f"{answered} answers; the folder was changed after the run")


def _answer_lines(shard: ShardRun) -> Iterator[tuple[tuple[str, int, str], str, str]]:
    """``(order key, prediction text, review text)`` of each answer of one shard, in output order: the lines as
    written (the merge renumbers their text), each checked to be its report's sample by its ``collection_info``."""
    answered = [r for r in sorted(shard.run.results, key=order_key) if r.status != "error"]
    predictions_path, reviews_path = shard.run.answer_files()
    encode = json.JSONEncoder(ensure_ascii=False).encode  # the writer's encoding of the names
    with predictions_path.open(encoding="utf-8") as predictions, reviews_path.open(encoding="utf-8") as reviews:
        pairs = zip((ln for ln in predictions if ln.strip()), (ln for ln in reviews if ln.strip()))
        for result in answered:
            key = order_key(result)
            names = f'"dataset_name": {encode(result.dataset_name)}, "subset_name": {encode(result.subset_name)}'
            info = f'"collection_info": {{"index": {result.index}, '
            for prediction_text, review_text in itertools.islice(pairs, len(result.repeats or ()) or 1):
                if info not in review_text or names not in review_text:
                    _check_review(shard, result, review_text)  # the text may differ only in spelling: parse it
                yield key, prediction_text.rstrip(), review_text.rstrip()


def _check_review(shard: ShardRun, result: SampleResult, review_text: str) -> None:
    try:
        review = json.loads(review_text)
        info = (review.get("sample_score", {}).get("sample_metadata") or {}).get("collection_info") or {}
    except (ValueError, AttributeError):
        info = {}
    if (info.get("index"), info.get("dataset_name"), info.get("subset_name")) != (
            result.index, result.dataset_name, result.subset_name):
        raise MergeError(f"shard {shard.record.label} ({shard.name}): the review line of {result.node_id} "
                         f"does not match its report; the folder was changed after the run")
