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
    review_line,
)
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
    answers: Iterator[tuple[dict[str, Any], dict[str, Any]]] | None = None,
) -> None:
    """Write every file of the run folder made by :func:`make_run_dir`.

    ``entries`` maps ``SampleResult.node_id`` to its collection line; ``settings`` are the run
    settings (they may hold secrets: they are redacted before being written anywhere). ``answers``, when
    given (a merge of shard runs), yields the prediction and review line of each answered result in
    output order, already built, instead of building them from ``entries``; they are renumbered here.
    """
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

    config = {"model": model, "model_id": mid, "eval_type": "openai_api", "datasets": [COLLECTION_NAME]}
    config.update({k: v for k, v in safe_settings.items() if k not in config})
    _write_text(run_dir / "configs" / "task_config.yaml",
                yaml.safe_dump(clean(config), sort_keys=False, allow_unicode=True, default_flow_style=False))
    write(run_dir / "logs" / "eval_log.log", log_text)

    # Streamed line by line: at 100,000 samples the lines would otherwise all sit in memory at once.
    encode = json.JSONEncoder(ensure_ascii=False).encode  # EvalScope's conventions: ", "/": ", non-ASCII as is
    with _atomic_text(run_dir / "predictions" / mid / JSONL_NAME) as predictions, \
            _atomic_text(run_dir / "reviews" / mid / JSONL_NAME) as reviews:
        k = max((len(r.repeats or ()) for r in ordered), default=0) or 1  # --eval-repeats: one line per answer
        for position, result in enumerate(ordered):
            if result.status == "error":
                continue  # no answer to show; the error lives in evalindex_report.json
            if answers is not None:  # a merge of shards: their lines, renumbered into this run
                for repeat in range(len(result.repeats or ()) or 1):
                    prediction, review = renumbered(next(answers), position * k + repeat)
                    if k > 1:
                        review["sample_score"]["group_id"] = position
                    predictions.write(scrub(encode(prediction), variants) + "\n")
                    reviews.write(scrub(encode(review), variants) + "\n")
                continue
            entry = entries.get(result.node_id)
            for repeat, answer in enumerate(expand_repeats(result)):
                index = position * k + repeat
                prediction = prediction_line(index, answer, entry, model)
                predictions.write(scrub(encode(prediction), variants) + "\n")
                review = review_line(index, answer, entry, model, messages=prediction["messages"],
                                     group_id=position if k > 1 else None, generation_index=repeat)
                reviews.write(scrub(encode(review), variants) + "\n")

    reports = run_dir / "reports" / mid
    # EvalScope counts every answer as a sample; in compat modes its reports do too (ours average per sample).
    counted = [a for r in ordered for a in expand_repeats(r)] if k > 1 and report.compat else ordered
    write(reports / f"{COLLECTION_NAME}.json",
          json.dumps(collection_report(counted, model=model), indent=4, ensure_ascii=False))
    detailed = report if counted is ordered else aggregate(counted, compat=True,
                                                           pool_subsets_by_name=report.pool_subsets_by_name)
    write(reports / DETAILED_REPORT_NAME, json.dumps(detailed_report(detailed), indent=2))
    head = report_head(report, model=model, settings=safe_settings)
    head.update(to_plain(dict(extra or {})))
    with _atomic_text(reports / EVALINDEX_REPORT_NAME) as own:  # streamed: one line per sample
        for chunk in report_json_chunks(head, map(sample_outcome, ordered)):
            own.write(scrub(chunk, variants))


def evalindex_report(report: Report, results: Sequence[SampleResult], *, model: str,
                     settings: Mapping[str, Any]) -> dict[str, Any]:
    """Our full report: every level with counts, the index row, totals, settings and per-sample outcomes.

    ``settings`` must already be redacted. ``samples`` is what baseline comparison reads.
    """
    data = report_head(report, model=model, settings=settings)
    data["samples"] = [sample_outcome(r) for r in sorted(results, key=lambda r: (r.file, r.ordinal, r.node_id))]
    return data


def report_head(report: Report, *, model: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`evalindex_report` without its ``samples``."""
    data = report.to_dict()
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "model": model,
        "model_id": model_id(model),
        "compat": report.compat,
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
    return {"node_id": r.node_id, "sample_hash": r.sample_hash, "file": r.file, "line": r.line, "index": r.index,
            "ordinal": r.ordinal, "dataset_name": r.dataset_name, "subset_name": r.subset_name,
            "task_type": r.task_type, "tags": r.tags, "categories": r.categories, "weight": r.weight,
            "status": r.status, "score": r.score, "metric": r.metric, "metrics": r.metrics,
            "extracted": r.extracted, "latency": r.latency, "cached": r.cached,
            **({"repeats": [{"status": a.get("status"), "score": a.get("score"), "extracted": a.get("extracted")}
                            for a in r.repeats]} if r.repeats else {}),
            "usage": {"input_tokens": u.input_tokens, "output_tokens": u.output_tokens, "total_tokens": u.total_tokens},
            **({"error": r.error} if r.error else {})}


def report_json_chunks(head: Mapping[str, Any], samples: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """``head`` plus a last key ``samples`` as indented JSON, each sample one compact line (readable and
    diffable, written by the C encoder, and streamed: at 100,000 samples the text would cost ~100 MB)."""
    text = json.dumps(dict(head), indent=2, ensure_ascii=False)
    yield (text[:-2] + ",") if head else "{"
    yield '\n  "samples": ['
    encode = json.JSONEncoder(ensure_ascii=False).encode
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
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
