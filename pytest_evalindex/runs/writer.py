"""The run's output folder: EvalScope's tree and files (spec §4) plus our full ``evalindex_report.json``.

Everything written is deterministic (same results in any order give byte-identical files, timing
fields aside), goes through a temp file and ``os.replace``, and is free of secrets: settings are
redacted by key, and every literal secret value found in them is scrubbed from all text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, TextIO

import yaml

from pytest_evalindex.core.jsonsafe import ERRORS, dumps, json_safe, prebuilt_encoder
from pytest_evalindex.core.results import SampleResult
from pytest_evalindex.core.secrets import REGISTRY, redact, scrub, scrub_obj, secret_values, secret_variants
from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.metrics.aggregate import Report, aggregate
from pytest_evalindex.metrics.repeated import expand_repeats
from pytest_evalindex.runs.evalscope import (
    collection_report,
    detailed_report,
    prediction_line,
    renumbered,
    renumbered_text,
    review_line,
)
from pytest_evalindex.runs.evalscope_text import line_texts
from pytest_evalindex.runs.layout import (
    COLLECTION_NAME,
    DETAILED_REPORT_NAME,
    EVALINDEX_REPORT_NAME,
    JSONL_NAME,
    REPORT_SCHEMA_VERSION,
    RUN_SUBDIRS,
)


def make_run_dir(base: Path, now: datetime | None = None) -> Path:
    """Create ``base/<YYYYMMDD_HHMMSS>`` (``_1``, ``_2``… if taken) with EvalScope's subfolders."""
    stamp = (now or datetime.now()).strftime("%Y%m%d_%H%M%S")
    base.mkdir(parents=True, exist_ok=True)
    suffix = 0
    while True:
        run_dir = base / (stamp if suffix == 0 else f"{stamp}_{suffix}")
        try:
            run_dir.mkdir()
            break
        except FileExistsError:
            suffix += 1
    for sub in RUN_SUBDIRS:
        (run_dir / sub).mkdir()
    return run_dir


def model_id(model: str) -> str:
    """EvalScope's ``safe_filename(basename(model))``: ASCII ``[A-Za-z0-9._-]``, ``_`` runs collapsed."""
    base = os.path.basename(model.rstrip("/\\").replace("\\", "/"))
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name)
    safe = re.sub(r"_+", "_", safe).strip("._")
    return safe or "model"


def write_outputs(
    run_dir: Path,
    *,
    report: Report,
    results: Sequence[SampleResult],
    entries: Mapping[str, Entry],
    settings: Mapping[str, Any],
    log_text: str,
    extra: Mapping[str, Any] | None = None,
    answers: Iterator[tuple[str, str]] | None = None,
) -> list[str]:
    """Write every file of the run folder made by :func:`make_run_dir`; return what could not be written.

    ``entries`` maps ``SampleResult.node_id`` to its collection line; ``settings`` are the run
    settings (they may hold secrets: they are redacted before being written anywhere). ``answers``, when
    given (a merge of shard runs), yields the text of the prediction and review line of each answer (one per
    repeat) of each answered result in output order, instead of building them from ``entries``; they are
    renumbered here, and an exception it raises stops the writing of predictions/ and reviews/.
    A file that cannot be written (full disk, permissions) is left out and named in the returned lines, one
    per file, and the other files are still written; a sample whose lines cannot be built is left out of
    predictions/ and reviews/ and named too. Non-finite numbers and lone surrogates are written as
    :mod:`~pytest_evalindex.core.jsonsafe` says, so every file is strict JSON.
    """
    failures: list[str] = []
    plain_settings = to_plain(settings)
    # The settings' own secrets, and every value the run registered (keys from the environment, headers…).
    secrets = sorted(set(secret_values(plain_settings)) | set(REGISTRY.values()))
    safe_settings = redact(plain_settings)
    model = str(settings.get("model") or "model")
    mid = model_id(model)
    ordered = sorted(results, key=lambda r: (r.file, r.ordinal, r.node_id))

    # Secrets are scrubbed from the final text of each file (cheaper than walking every line), in raw
    # and JSON-escaped form; the small config also goes through scrub_obj before YAML quoting.
    variants = secret_variants(secrets)

    def clean(obj: Any) -> Any:
        return scrub_obj(obj, secrets)

    def write(path: Path, text: str) -> None:
        _write_text(path, scrub(text, variants))

    def attempt(path: Path, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except OSError as exc:
            failures.append(f"{path.relative_to(run_dir).as_posix()} ({exc.strerror or exc})")

    config = {"model": model, "model_id": mid, "eval_type": "openai_api", "datasets": [COLLECTION_NAME]}
    config.update({k: v for k, v in safe_settings.items() if k not in config})
    config_path = run_dir / "configs" / "task_config.yaml"
    attempt(config_path, _write_text, config_path,
            yaml.safe_dump(json_safe(clean(config)), sort_keys=False, allow_unicode=True, default_flow_style=False))
    attempt(run_dir / "logs" / "eval_log.log", write, run_dir / "logs" / "eval_log.log", log_text)

    # Streamed line by line: at 100,000 samples the lines would otherwise all sit in memory at once.
    encode = strict_encoder()  # EvalScope's conventions: ", "/": ", non-ASCII as is
    k = max((len(r.repeats or ()) for r in ordered), default=0) or 1  # --eval-repeats: one line per answer

    def built_texts(position: int, result: SampleResult) -> list[tuple[str, str]]:
        entry = entries.get(result.node_id)
        built = []
        for repeat, answer in enumerate(expand_repeats(result)):
            index = position * k + repeat
            group_id = position if k > 1 else None
            texts = line_texts(index, answer, entry, model, group_id=group_id, generation_index=repeat)
            if texts is not None:  # the plain shape, written straight as text (the same bytes)
                built.append(texts)
                continue
            prediction = prediction_line(index, answer, entry, model)
            review = review_line(index, answer, entry, model, messages=prediction["messages"],
                                 group_id=group_id, generation_index=repeat,
                                 metadata=prediction["metadata"])
            built.append((encode(prediction), encode(review)))
        return built

    def merged_texts(position: int, pulled: list[tuple[str, str] | None]) -> list[tuple[str, str]]:
        """A merge of shards: their lines as text, renumbered into this run (parsed only when the text cannot be)."""
        texts = []
        for repeat, pair in enumerate(pulled):
            if pair is None:
                raise ValueError("the shards hold fewer answer lines than their reports")
            index = position * k + repeat
            group_id = position if k > 1 else index
            fast = renumbered_text(*pair, index, group_id)
            if fast is None:
                prediction, review = renumbered((json.loads(pair[0]), json.loads(pair[1])), index)
                review["sample_score"]["group_id"] = group_id
                fast = (encode(prediction), encode(review))
            texts.append(fast)
        return texts

    def write_answers(prediction_path: Path, review_path: Path) -> None:
        with _atomic_text(prediction_path) as predictions, _atomic_text(review_path) as reviews:
            for position, result in enumerate(ordered):
                if result.status == "error":
                    continue  # no answer to show; the error lives in evalindex_report.json
                # pulled outside the guard below: shards that do not match their reports stop the merge
                pulled = None if answers is None else [next(answers, None) for _ in range(len(result.repeats or ()) or 1)]
                try:
                    texts = built_texts(position, result) if pulled is None else merged_texts(position, pulled)
                    lines = [(scrub(p, variants) + "\n", scrub(r, variants) + "\n") for p, r in texts]
                except Exception as exc:  # one sample's odd data must not cost the other lines
                    failures.append(f"{result.node_id}: its prediction and review lines "
                                    f"({type(exc).__name__}: {exc})".splitlines()[0])
                    continue
                for prediction_text, review_text in lines:
                    predictions.write(prediction_text)
                    reviews.write(review_text)

    answer_paths = (run_dir / "predictions" / mid / JSONL_NAME, run_dir / "reviews" / mid / JSONL_NAME)
    attempt(answer_paths[0].parent.parent, write_answers, *answer_paths)
    reports = run_dir / "reports" / mid
    # EvalScope counts every answer as a sample; in compat modes its reports do too (ours average per sample).
    counted = [a for r in ordered for a in expand_repeats(r)] if k > 1 and report.compat else ordered
    unfinished, requested = _unfinished(extra or {})
    collection_path, detailed_path = reports / f"{COLLECTION_NAME}.json", reports / DETAILED_REPORT_NAME
    attempt(collection_path, write, collection_path,
            dumps(collection_report(counted, model=model, unfinished=unfinished, requested=requested),
                  indent=4, ensure_ascii=False))
    detailed = report if counted is ordered else aggregate(counted, compat=True,
                                                           pool_subsets_by_name=report.pool_subsets_by_name)
    attempt(detailed_path, write, detailed_path, dumps(detailed_report(detailed), indent=2))
    head = _full_head(report, model=model, safe_settings=safe_settings, extra=extra)

    def write_report(path: Path) -> None:
        with _atomic_text(path) as own:  # streamed: one line per sample
            for chunk in report_json_chunks(head, map(sample_outcome, ordered)):
                own.write(scrub(chunk, variants))

    attempt(reports / EVALINDEX_REPORT_NAME, write_report, reports / EVALINDEX_REPORT_NAME)
    return failures



def strict_encoder() -> Any:
    """A compact JSON encoder (EvalScope's separators, non-ASCII as is) that names non-finite numbers
    instead of writing ``NaN`` (strict JSON); lone surrogates are replaced when the text is written."""
    encode = prebuilt_encoder(json.JSONEncoder(ensure_ascii=False, allow_nan=False))

    def strict(obj: Any) -> str:
        try:
            return encode(obj)
        except (ValueError, TypeError):
            return encode(json_safe(obj))

    return strict

def _unfinished(extra: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """Why the run did not cover its whole collection (``None`` if it did), and how many samples it should have."""
    found = extra.get("selection")
    selection: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    if not (extra.get("incomplete") or extra.get("partial")):
        return None, None
    total = selection.get("total") or selection.get("selected")
    why = "; ".join(str(w) for w in selection.get("why") or []) or "stopped early"
    return why, total if isinstance(total, int) else None


def evalindex_report(report: Report, results: Sequence[SampleResult], *, model: str,
                     settings: Mapping[str, Any]) -> dict[str, Any]:
    """Our full report: every level with counts, the index row, totals, settings and per-sample outcomes.

    ``settings`` must already be redacted. ``samples`` is what baseline comparison reads.
    """
    data = report_head(report, model=model, settings=settings)
    data["samples"] = [sample_outcome(r) for r in sorted(results, key=lambda r: (r.file, r.ordinal, r.node_id))]
    return data


def report_document(report: Report, results: Sequence[SampleResult], *, settings: Mapping[str, Any],
                    extra: Mapping[str, Any] | None = None, with_samples: bool = True) -> dict[str, Any]:
    """What :func:`write_outputs` writes to ``evalindex_report.json``, as objects (settings redacted; the file's
    text is also scrubbed of every secret value, these objects are not); without its ``samples`` unless
    ``with_samples`` (a reader that takes them from ``results`` saves a dict per sample)."""
    data = _full_head(report, model=str(settings.get("model") or "model"), safe_settings=redact(to_plain(settings)),
                      extra=extra)
    if with_samples:
        data["samples"] = [sample_outcome(r) for r in in_report_order(results)]
    return data


def in_report_order(results: Iterable[SampleResult]) -> list[SampleResult]:
    """``results`` in the order of the report's ``samples`` (and of every file of the run folder)."""
    return sorted(results, key=lambda r: (r.file, r.ordinal, r.node_id))


def _full_head(report: Report, *, model: str, safe_settings: Mapping[str, Any],
               extra: Mapping[str, Any] | None) -> dict[str, Any]:
    head = report_head(report, model=model, settings=safe_settings)
    head.update(to_plain(dict(extra or {})))
    return head


def report_head(report: Report, *, model: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`evalindex_report` without its ``samples``."""
    data = report.to_dict()
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "model": model,
        "model_id": model_id(model),
        "compat": report.compat,
        "confidence": report.confidence,
        "index": data["index"],
        "totals": data["totals"],
        "levels": data["levels"],
        "collections": settings.get("collections", []),
        "settings": dict(settings),
    }


def sample_outcome(result: SampleResult) -> dict[str, Any]:
    """One entry of the report's ``samples``: everything needed to rebuild every level from the report alone
    (schema 2); answers and prompts stay in predictions/ and reviews/."""
    r = result
    u = r.usage
    out = {"node_id": r.node_id, "sample_hash": r.sample_hash, "file": r.file, "line": r.line, "index": r.index,
           "ordinal": r.ordinal, "dataset_name": r.dataset_name, "subset_name": r.subset_name,
           "task_type": r.task_type, "tags": r.tags, "categories": r.categories, "weight": r.weight,
           "status": r.status, "score": r.score, "metric": r.metric, "metrics": r.metrics,
           "extracted": r.extracted, "latency": r.latency, "cached": r.cached}
    if r.repeats:
        out["repeats"] = [{"status": a.get("status"), "score": a.get("score"), "extracted": a.get("extracted")}
                          for a in r.repeats]
    out["usage"] = {"input_tokens": u.input_tokens, "output_tokens": u.output_tokens, "total_tokens": u.total_tokens}
    if r.error:
        out["error"] = r.error
    return out


def report_json_chunks(head: Mapping[str, Any], samples: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """``head`` plus a last key ``samples`` as indented JSON, each sample one compact line (readable and
    diffable, written by the C encoder, and streamed: at 100,000 samples the text would cost ~100 MB)."""
    text = dumps(dict(head), indent=2, ensure_ascii=False)
    yield (text[:-2] + ",") if head else "{"
    yield '\n  "samples": ['
    encode = strict_encoder()
    separator = "\n    "
    for sample in samples:
        yield separator + encode(sample)
        separator = ",\n    "
    yield "\n  ]\n}\n" if separator != "\n    " else "]\n}\n"


def to_plain(obj: Any) -> Any:
    """``obj`` as JSON/YAML-plain data (paths and dates as strings, sets sorted, models dumped)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return to_plain(obj.value)
    if isinstance(obj, Mapping):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((to_plain(v) for v in obj), key=repr)
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_plain({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return to_plain(dump(mode="json"))
    return str(obj)


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 atomically (temp file in the same folder, then ``os.replace``)."""
    with _atomic_text(path) as handle:
        handle.write(text)


@contextlib.contextmanager
def _atomic_text(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at ``path`` only when complete (temp file, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=ERRORS, newline="\n") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
