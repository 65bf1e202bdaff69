"""The judge's options resolved into :class:`JudgeSettings`, and the collection-time check that a judge is there.

A collection whose samples need the judge (under the chosen ``--eval-judge-strategy``) and no
``--eval-judge-model`` stops before any request with one line naming the benchmarks and the
option; so does ``rule`` / ``llm_recall`` on a benchmark that only a judge can score.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from pytest_evalindex.core.judge_settings import DEFAULT_JUDGE_GENERATION_CONFIG, JUDGE_API_KEY_ENV, JudgeSettings
from pytest_evalindex.core.secrets import REGISTRY
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.dataset.loader import CollectionError, load_collection
from pytest_evalindex.dataset.select import select
from pytest_evalindex.plugin.options import _check_api_url, _convert, _option, _raw_value, _usage
from pytest_evalindex.scorers.judge.plan import plan_for, refused
from pytest_evalindex.scorers.judge.templates import TemplateError, load_templates

_NAMES = ("judge_model", "judge_api_url", "judge_api_key", "judge_api_key_env", "judge_generation_config",
          "judge_batch_size", "judge_strategy", "judge_templates")


def resolve_judge_settings(config: pytest.Config, settings: Settings) -> JudgeSettings:
    """Read every ``--eval-judge-*`` option (CLI, then ini, then the default) and validate it."""
    values: dict[str, Any] = {}
    ini_dir = config.inipath.parent if config.inipath else config.rootpath
    templates: Path | None = None
    for name in _NAMES:
        spec = _option(name)
        raw, from_ini = _raw_value(config, spec)
        values[name] = spec.default if raw is None else _convert(spec, raw)
        if name == "judge_templates" and values[name]:
            templates = (ini_dir if from_ini else Path(config.invocation_params.dir)) / values[name]
    if values["judge_batch_size"] < 1:
        raise _usage(_option("judge_batch_size"), f"must be >= 1 (got {values['judge_batch_size']})")
    if values["judge_api_url"]:
        _check_api_url(values["judge_api_url"], _option("judge_api_url"))
    generation = values["judge_generation_config"]
    return JudgeSettings(
        model=values["judge_model"], api_url=values["judge_api_url"],
        api_key=_judge_key(values, settings),
        generation_config=dict(DEFAULT_JUDGE_GENERATION_CONFIG) if generation is None else generation,
        batch_size=values["judge_batch_size"], strategy=values["judge_strategy"], templates=templates,
    )


def _judge_key(values: dict[str, Any], settings: Settings) -> str | None:
    if values["judge_api_key"]:
        return str(values["judge_api_key"])
    for name in [values["judge_api_key_env"]] if values["judge_api_key_env"] else [JUDGE_API_KEY_ENV]:
        if os.environ.get(name):
            return os.environ[name]
    # The model's key goes only to the model's own server.
    return settings.api_key if not values["judge_api_url"] else None


def check_judge_needs(scorer_names: Iterable[str], judge: JudgeSettings) -> None:
    """Raise the one-line usage error when the selected samples need a judge that is not configured."""
    names = sorted(set(scorer_names))
    cannot = refused(names, judge.strategy)
    if cannot:
        raise _usage(_option("judge_strategy"),
                     f"{judge.strategy!r} cannot score {', '.join(cannot)}: only an LLM judge scores "
                     f"{'it' if len(cannot) == 1 else 'them'}; use auto or llm with --eval-judge-model NAME")
    judged = [name for name in names if plan_for(name, judge.strategy) is not None]
    if judged and not judge.model:
        spec = _option("judge_model")
        raise pytest.UsageError(
            f"{spec.flag} (ini {spec.ini_name}) is required: {', '.join(judged)} "
            f"{'is' if len(judged) == 1 else 'are'} scored by an LLM judge under --eval-judge-strategy "
            f"{judge.strategy}; pass --eval-judge-model NAME (and --eval-judge-api-url URL if the judge is "
            "not served at --eval-api-url)")


def validate_templates(judge: JudgeSettings) -> None:
    """A bad ``--eval-judge-templates`` folder or file is a usage error before any request."""
    try:
        load_templates(judge.templates)
    except TemplateError as exc:
        raise pytest.UsageError(str(exc)) from None


def check_judge_needs_in_files(paths: Iterable[Path], settings: Settings, judge: JudgeSettings) -> None:
    """:func:`check_judge_needs` before any worker starts, from the collection files themselves.

    Under xdist the controller collects nothing, and a usage error raised by a worker ends in an internal
    error. Nothing is read when a judge is configured for a strategy that refuses nothing (the usual case);
    otherwise the lines' names are scanned (no scorer is imported: that is the workers' job), and only when
    one of them needs the judge are the files loaded to check exactly the samples the run selects.
    """
    if judge.model and judge.strategy not in ("rule", "llm_recall"):
        return
    names = _line_names(paths)
    try:
        check_judge_needs(names, judge)
    except pytest.UsageError:
        check_judge_needs(_selected_names(paths, settings), judge)


def _line_names(paths: Iterable[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        try:
            with path.open("rb") as handle:
                for raw in handle:
                    if raw.strip():
                        line = json.loads(raw)
                        name = line.get("scorer") or line.get("dataset_name") if isinstance(line, dict) else None
                        if isinstance(name, str):
                            names.add(name)
        except (OSError, ValueError):
            continue  # a file that does not read is a collection error later
    return names


def _selected_names(paths: Iterable[Path], settings: Settings) -> set[str]:
    names: set[str] = set()
    for path in paths:
        try:
            collection = load_collection(path)
        except CollectionError:
            continue
        for entry in select(collection.entries, limit=settings.limit, shuffle=settings.shuffle, seed=settings.seed):
            names.add(entry.scorer or entry.dataset_name)
    return names


def register_judge_secrets(config: pytest.Config, judge: JudgeSettings) -> None:
    """The judge's key and secret-looking generation settings join the run's secret registry (scrubbed from
    every output), handed to xdist workers like the model's."""
    REGISTRY.add(judge.api_key)
    REGISTRY.add_from(judge.generation_config)
    if not hasattr(config, "workerinput"):
        REGISTRY.export()
