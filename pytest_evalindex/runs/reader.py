"""Reading evalindex_report.json (or the run folder holding it) back: the one reader every consumer uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pytest_evalindex.core.results import SampleResult, Status
from pytest_evalindex.runs.layout import EVALINDEX_REPORT_NAME, JSONL_NAME, REPORT_SCHEMA_VERSION
from pytest_evalindex.runs.locate import RunPathError, choose_run

_STATUSES: frozenset[str] = frozenset(get_args(Status))


class BaselineError(ValueError):
    """A baseline that cannot be used (missing, invalid, or not comparable); a one-line message."""


@dataclass(frozen=True)
class BaselineSample:
    """One sample's outcome as the baseline run recorded it."""

    node_id: str
    sample_hash: str
    dataset_name: str
    subset_name: str
    status: Status
    score: float | None
    extracted: str | None


@dataclass
class Baseline:
    """A previous run's ``evalindex_report.json``: its samples and, for display, its stored index."""

    path: Path
    model: str
    compat: bool
    samples: list[BaselineSample]
    index: dict[str, Any] | None = None


def read_report_file(path: Path, *, what: str = "report") -> tuple[Path, dict[str, Any]]:
    """The report file ``path`` names (a run folder, an output folder's latest complete run, or the file
    itself) and its JSON, checked for shape and version.

    Raises :class:`BaselineError` with a one-line message that starts with ``what`` and names the file.
    """
    try:
        path = choose_run(path, what).path  # an output folder means its latest complete run
    except RunPathError as exc:
        raise BaselineError(str(exc)) from None
    file = _find_report(path, what) if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"{what} {file} is not a UTF-8 text file") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{what} {file} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except OSError as exc:
        raise BaselineError(f"{what} {file} cannot be read: {exc.strerror or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("samples"), list):
        raise BaselineError(f"{what} {file} is not an {EVALINDEX_REPORT_NAME} (no 'samples' list)")
    version = data.get("schema_version")
    if not isinstance(version, int) or version > REPORT_SCHEMA_VERSION:
        raise BaselineError(f"{what} {file} has schema_version {version!r}; this version reads "
                            f"up to {REPORT_SCHEMA_VERSION}")
    return file, data


def load_baseline(path: Path) -> Baseline:
    """Read a baseline from a run folder (``reports/<model>/evalindex_report.json`` inside) or the file itself."""
    file, data = read_report_file(path, what="baseline")
    return baseline_from(file, data)


def baseline_from(file: Path, data: dict[str, Any]) -> Baseline:
    """:func:`load_baseline` of a report already read (``data``, from ``file``)."""
    samples = [_sample(file, i, item) for i, item in enumerate(data["samples"])]
    index = data.get("index")
    return Baseline(path=file, model=str(data.get("model") or ""), compat=bool(data.get("compat")),
                    samples=samples, index=index if isinstance(index, dict) else None)


def read_results(path: Path) -> list[SampleResult]:
    """Every sample of a report as a :class:`SampleResult` (schema 2 carries all a level needs; schema 1 reports
    lack weights, tags and categories, which come back as defaults)."""
    file, data = read_report_file(path)
    return _results(file, data["samples"])


def results_from(file: Path, data: dict[str, Any]) -> list[SampleResult]:
    """:func:`read_results` of a report already read (``data``, from ``file``)."""
    return _results(file, data["samples"])


@dataclass
class RunReport:
    """A run folder read back: its report file, the report without ``samples`` (``head``), and every sample."""

    file: Path
    head: dict[str, Any]
    results: list[SampleResult]

    @property
    def folder(self) -> Path:
        """The run folder (``<folder>/reports/<model>/evalindex_report.json``), or the report's own folder."""
        return self.file.parents[2] if self.file.parent.parent.name == "reports" else self.file.parent

    def answer_files(self) -> tuple[Path, Path]:
        """The EvalScope-shaped predictions and reviews files of the run (``predictions/<model>/…``)."""
        model = self.file.parent.name
        return (self.folder / "predictions" / model / JSONL_NAME, self.folder / "reviews" / model / JSONL_NAME)


def read_run(path: Path, *, what: str = "run") -> RunReport:
    """A run folder (or its report file) with every sample as a :class:`SampleResult`."""
    file, data = read_report_file(path, what=what)
    samples = data.pop("samples")
    return RunReport(file=file, head=data, results=_results(file, samples, what))


def _results(file: Path, samples: list[Any], what: str = "report") -> list[SampleResult]:
    results = []
    for position, item in enumerate(samples):
        _sample(file, position, item, what)  # the same checks as a baseline's samples
        record = {**_SCHEMA1_DEFAULTS, "ordinal": position, **item}
        results.append(SampleResult.from_dict(record))
    return results


_SCHEMA1_DEFAULTS: dict[str, Any] = {"file": "", "line": 0, "index": 0, "task_type": "", "tags": [],
                                     "categories": [], "weight": 1.0}


def _find_report(folder: Path, what: str) -> Path:
    found = sorted({*folder.glob(f"reports/*/{EVALINDEX_REPORT_NAME}"), *folder.glob(f"*/{EVALINDEX_REPORT_NAME}"),
                    *folder.glob(EVALINDEX_REPORT_NAME)})
    if not found:
        raise BaselineError(f"{what} folder {folder} holds no reports/*/{EVALINDEX_REPORT_NAME}; "
                            "pass a run folder (outputs/<timestamp>) or the report file itself")
    if len(found) > 1:
        models = ", ".join(p.parent.name for p in found)
        raise BaselineError(f"{what} folder {folder} holds reports for several models ({models}); "
                            f"pass one file, e.g. {found[0]}")
    return found[0]


def _sample(file: Path, position: int, item: Any, what: str = "baseline") -> BaselineSample:
    where = f"{what} {file}: samples[{position}]"
    if not isinstance(item, dict):
        raise BaselineError(f"{where} is not an object")
    status = item.get("status")
    if status not in _STATUSES:
        raise BaselineError(f"{where} has status {status!r}; expected one of {', '.join(sorted(_STATUSES))}")
    score = item.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        raise BaselineError(f"{where} has a non-numeric score {score!r}")
    for key in ("node_id", "sample_hash"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise BaselineError(f"{where} has no {key}")
    extracted = item.get("extracted")
    return BaselineSample(
        node_id=item["node_id"], sample_hash=item["sample_hash"],
        dataset_name=str(item.get("dataset_name", "")), subset_name=str(item.get("subset_name", "")),
        status=status, score=None if score is None else float(score),
        extracted=None if extracted is None else str(extracted),
    )
