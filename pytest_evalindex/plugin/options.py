"""Command-line options (group ``evalindex``), their ``eval_*`` ini twins, and the resolved settings.

Every option is declared once in :data:`OPTIONS`; :func:`add_options` registers the ``--eval-*``
flag and the ``eval_*`` ini key, and :func:`resolve_settings` turns both into one validated
:class:`Settings` object (the CLI wins over the ini file). Bad values raise ``pytest.UsageError``
with one line naming the option and the fix.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pytest_evalindex.core.secrets import REGISTRY, url_secrets
from pytest_evalindex.core.settings import (
    API_KEY_ENV_VARS,
    COMPAT_MODES,
    DEFAULT_ALPHA,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    GATE_ON,
    Settings,
    Shard,
)


@dataclass(frozen=True)
class OptionSpec:
    """One ``--eval-<name>`` option and its ``eval_<name>`` ini twin."""

    name: str
    help: str
    kind: str = "str"  # str | int | float | bool | list | json
    default: Any = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    ini: bool = True
    ini_key: str | None = None
    const: Any = None  # value of a flag given without its optional argument
    aliases: tuple[str, ...] = ()  # shorter flags for the same option

    @property
    def flag(self) -> str:
        return "--eval-" + self.name.replace("_", "-")

    @property
    def dest(self) -> str:
        return "eval_" + self.name

    @property
    def ini_name(self) -> str:
        return self.ini_key or "eval_" + self.name


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("collection", "Mixed JSONL collection to evaluate: a .jsonl file or a folder of them (repeatable).",
               kind="list", default=[], metavar="PATH"),
    OptionSpec("model", "Model name sent to the OpenAI-compatible API.", metavar="NAME"),
    OptionSpec("api_url", "Base URL of the OpenAI-compatible API, e.g. http://localhost:8000/v1.", metavar="URL"),
    OptionSpec("api_key", "API key (else $EVALINDEX_API_KEY, then $OPENAI_API_KEY). Never written anywhere.",
               metavar="KEY", ini=False),
    OptionSpec("api_key_env", "Name of an environment variable holding the API key (ini-friendly: keys never go in files).",
               metavar="VAR"),
    OptionSpec("generation_config", "JSON object of generation settings (temperature, max_tokens, top_p, seed, stop, "
               "extra_body, …). Default {\"temperature\": 0.0}.", kind="json", default=None, metavar="JSON"),
    OptionSpec("timeout", "Seconds allowed for one request, wall clock from sending to the last byte, before it counts "
               "as failed (default 300).",
               kind="float", default=300.0, metavar="S"),
    OptionSpec("max_retries", "Retries of a retryable failure (429, 5xx, connection) per request (default 3).",
               kind="int", default=3, metavar="N"),
    OptionSpec("batch_size", f"Requests kept in flight per process (default {DEFAULT_BATCH_SIZE}).",
               kind="int", default=DEFAULT_BATCH_SIZE, metavar="K"),
    OptionSpec("limit", "Evaluate only the first N >= 1 lines of each collection (after shuffling).",
               kind="int", default=None, metavar="N"),
    OptionSpec("shuffle", "Shuffle the lines (seeded by --eval-seed) before --eval-limit.", kind="bool", default=False),
    OptionSpec("seed", f"Seed for --eval-shuffle (default {DEFAULT_SEED}, as EvalScope).",
               kind="int", default=DEFAULT_SEED, metavar="S"),
    OptionSpec("repeats", "Ask the model K times per sample (EvalScope's repeats): the sample scores the mean of its "
               "answers, rows gain pass@k and stable-correct/flaky/stable-wrong counts (default 1).",
               kind="int", default=1, metavar="K"),
    OptionSpec("strict", "Make incorrect samples fail (by default they are reported as 'incorrect' and pass).",
               kind="bool", default=False),
    OptionSpec("junit_incorrect", "How --junitxml shows an incorrect or partial sample (without --eval-strict): "
               "'skipped' (default: a <skipped> element whose message gives the target and the extracted answer, "
               "so any JUnit consumer tells it from a pass) or 'passed'.",
               default="skipped", choices=("skipped", "passed"), metavar="AS"),
    OptionSpec("allow_partial", "Evaluate the gates even when some samples of the collection did not run "
               "(-k, -m, --lf, --deselect, -x, a collection error); by default such a run gets no verdict (exit 2).",
               kind="bool", default=False),
    OptionSpec("compat", "Numbers: 'corrected' (default: an index row for every category prefix), 'evalscope' "
               "(EvalScope 1.14's numbers exactly) or 'evalscope-legacy' (EvalScope before late 2026: subsets "
               "pooled by name, older ceval/math/trivia_qa rules).",
               default="corrected", choices=COMPAT_MODES, metavar="MODE"),
    OptionSpec("output_dir", "Folder for run outputs; each run writes <dir>/<YYYYMMDD_HHMMSS>/ (default outputs).",
               default="outputs", metavar="DIR"),
    OptionSpec("mock", "Serve the built-in mock model from this script on loopback and evaluate against it.",
               metavar="SCRIPT"),
    OptionSpec("threshold", "Gate: LEVEL:ROW:METRIC[.lower|.upper|.point] OP NUMBER (e.g. "
               "'category_level:reasoning_index:weighted_avg>=0.75', 'dataset_level:*:micro_avg.lower>=0.5') or "
               "'index>=0.7', 'index.lower>=0.7'. Repeatable; adds to the ini file's eval_thresholds "
               "(-o eval_thresholds= drops those).", kind="list", default=[],
               metavar="EXPR", ini_key="eval_thresholds"),
    OptionSpec("max_error_rate", "Largest share of samples allowed to end in a provider/transport error (default 0).",
               kind="float", default=None, metavar="F"),
    OptionSpec("baseline", "A previous run folder, an output folder (its latest complete run) or an "
               "evalindex_report.json to gate regressions against.",
               metavar="PATH"),
    OptionSpec("max_drop", "Largest absolute drop allowed on any report row present in the baseline (default 0.0). "
               "Given without --eval-alpha, any larger drop fails (no significance test).",
               kind="float", default=None, metavar="D"),
    OptionSpec("alpha", f"Regression gate: a drop fails only when also significant at this level (paired test, Holm "
               f"over the rows; default {DEFAULT_ALPHA}, the rule whenever --eval-max-drop is not given alone).",
               kind="optional", default=None, metavar="A", const=""),
    OptionSpec("confidence", f"Level of every row's confidence interval (default {DEFAULT_CONFIDENCE}).",
               kind="float", default=DEFAULT_CONFIDENCE, metavar="C"),
    OptionSpec("gate_on", "What a threshold compares when it names no .point/.lower/.upper: 'point' (the value, "
               "default) or 'bound' (the lower bound for >=/>, the upper for <=/<).",
               default="point", choices=GATE_ON, metavar="WHAT"),
    OptionSpec("baseline_allow_mismatch", "Compare with a baseline whose collection differs (common samples only).",
               kind="bool", default=False),
    OptionSpec("markdown", "Also write a Markdown summary here (always written to $GITHUB_STEP_SUMMARY when set).",
               metavar="PATH"),
    OptionSpec("use_cache", "Keep every answer the moment it arrives and reuse it on the next run (resume). "
               "Optional DIR, default <output-dir>/cache (an output folder means its cache/; a .jsonl after it is a path to "
               "evaluate).", kind="optional", default=None, metavar="DIR", const=""),
    OptionSpec("rerun_review", "Score the cached answers again without calling the model (needs --eval-use-cache).",
               kind="bool", default=False),
    OptionSpec("predictions", "Score answers recorded elsewhere (an EvalScope or pytest-evalindex run folder, an output "
               "folder's latest complete run, or a predictions JSONL) instead of calling the model; needs no URL or "
               "model name (not with --eval-use-cache).", metavar="PATH"),
    OptionSpec("max_concurrency", "Cap on requests in flight across all workers together (split evenly).",
               kind="int", default=None, metavar="M"),
    OptionSpec("shard", "Evaluate shard I of N (e.g. 2/3): the samples whose content hash falls in it. Gates other "
               "than the error budget are left to 'evalindex merge' of all N shards.", metavar="I/N"),
    OptionSpec("max_requests_per_minute", "Requests per minute for all workers of the run together, local or "
               "remote (evenly paced); a 429 answer then pauses every worker, not only the one that got it.",
               kind="int", default=None, metavar="N", aliases=("--eval-rpm",)),
    OptionSpec("max_tokens_per_minute", "Tokens (input + output) per minute for all workers of the run together: "
               "each request waits for its share of the minute (the mean tokens of the answers so far); a 429 "
               "answer then pauses every worker.", kind="int", default=None, metavar="N", aliases=("--eval-tpm",)),
    OptionSpec("max_tokens", "Stop sending requests once the run's answers used N tokens (input + output, all "
               "workers); the run ends without a verdict (exit 2) and --eval-use-cache resumes it.",
               kind="int", default=None, metavar="N"),
    OptionSpec("max_cost", "Stop sending requests once the run spent USD, priced by --eval-price-input and "
               "--eval-price-output; ends like --eval-max-tokens.", kind="float", default=None, metavar="USD"),
    OptionSpec("price_input", "USD per million input tokens, for --eval-max-cost (default 0).",
               kind="float", default=0.0, metavar="USD"),
    OptionSpec("price_output", "USD per million output tokens, for --eval-max-cost (default 0).",
               kind="float", default=0.0, metavar="USD"),
    OptionSpec("code_exec", "Run the model's code for code benchmarks (humaneval, mbpp, live_code_bench, ...): "
               "'bwrap' (isolated with bubblewrap) or 'unsafe' (a plain subprocess: trusted code only). "
               "Without it such samples are refused.", choices=("bwrap", "unsafe"), metavar="MODE"),
    OptionSpec("code_workers", "Programs run at once on this machine, split over the xdist workers "
               "(default: one per CPU).", kind="int", default=None, metavar="N"),
    # The LLM judge (resolved in judge_setup.py).
    OptionSpec("judge_model", "Judge model for LLM-judged benchmarks (chinese_simpleqa, simple_qa, aa_lcr, …).",
               metavar="NAME"),
    OptionSpec("judge_api_url", "Base URL of the judge's OpenAI-compatible API (default: --eval-api-url).",
               metavar="URL"),
    OptionSpec("judge_api_key", "Judge API key (else $EVALINDEX_JUDGE_API_KEY; else the model's key when the "
               "judge shares its URL). Never written anywhere.", metavar="KEY", ini=False),
    OptionSpec("judge_api_key_env", "Name of an environment variable holding the judge's API key.", metavar="VAR"),
    OptionSpec("judge_generation_config", "JSON object of the judge's generation settings "
               "(default {\"temperature\": 0.0, \"max_tokens\": 4096}).", kind="json", default=None, metavar="JSON"),
    OptionSpec("judge_batch_size", f"Judge requests kept in flight per process (default {DEFAULT_BATCH_SIZE}).",
               kind="int", default=DEFAULT_BATCH_SIZE, metavar="K"),
    OptionSpec("judge_strategy", "When the judge scores: auto (the benchmark's own policy), rule (never; refused "
               "for judge-only benchmarks), llm (always), llm_recall (only where the rule score is <= 0.99).",
               default="auto", choices=("auto", "rule", "llm", "llm_recall"), metavar="STRATEGY"),
    OptionSpec("judge_templates", "Folder of judge prompt templates (<dataset>.json with \"user\" and "
               "\"system\") used in place of the built-in ones.", metavar="DIR"),
)


def add_options(parser: pytest.Parser) -> None:
    """Register every ``--eval-*`` option and its ini twin."""
    group = parser.getgroup("evalindex", "model evaluation with pytest-evalindex")
    for spec in OPTIONS:
        kwargs: dict[str, Any] = {"dest": spec.dest, "help": spec.help}
        if spec.kind == "bool":
            kwargs["action"] = "store_true"
            kwargs["default"] = None
        elif spec.kind == "list":
            kwargs["action"] = "append"
            kwargs["default"] = None
            kwargs["metavar"] = spec.metavar
        elif spec.kind == "optional":
            kwargs["nargs"] = "?"
            kwargs["const"] = spec.const
            kwargs["default"] = None
            kwargs["metavar"] = spec.metavar
        else:
            kwargs["default"] = None
            kwargs["metavar"] = spec.metavar
        group.addoption(spec.flag, *spec.aliases, **kwargs)
        if spec.ini:
            ini_type = {"bool": "bool", "list": "linelist"}.get(spec.kind, "string")
            parser.addini(spec.ini_name, spec.help, type=ini_type, default=None)  # type: ignore[arg-type]


def _usage(spec: OptionSpec, message: str) -> pytest.UsageError:
    return pytest.UsageError(REGISTRY.scrub(f"{spec.flag} (ini {spec.ini_name}): {message}"))


def _raw_value(config: pytest.Config, spec: OptionSpec) -> tuple[Any, bool]:
    """The option's raw value and whether it came from the ini file."""
    value = config.getoption(spec.dest)
    if value is not None:
        return value, False
    if spec.ini:
        ini_value = config.getini(spec.ini_name)
        if ini_value not in (None, "", []):
            return ini_value, True
    return None, False


def _convert(spec: OptionSpec, value: Any) -> Any:
    converters: dict[str, Callable[[Any], Any]] = {"int": int, "float": float}
    if spec.kind in converters:
        try:
            return converters[spec.kind](value)
        except (TypeError, ValueError):
            raise _usage(spec, f"expected a number, got {value!r}") from None
    if spec.kind == "json":
        if isinstance(value, dict):
            return value
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise _usage(spec, f"not valid JSON ({exc.msg}); pass an object like '{{\"temperature\": 0}}'") from None
        if not isinstance(parsed, dict):
            raise _usage(spec, "must be a JSON object like '{\"temperature\": 0}'")
        return parsed
    if spec.kind == "bool" and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if spec.choices and value not in spec.choices:
        raise _usage(spec, f"must be one of {', '.join(spec.choices)} (got {value!r})")
    return value


def _option(name: str) -> OptionSpec:
    return next(spec for spec in OPTIONS if spec.name == name)


def resolve_settings(config: pytest.Config) -> Settings:
    """Read every option (CLI first, then ini, then the default) and validate it."""
    values: dict[str, Any] = {}
    # Paths are relative to where they were written: the invocation folder, or the ini file's folder.
    ini_dir = config.inipath.parent if config.inipath else config.rootpath
    bases: dict[str, Path] = {}
    for spec in OPTIONS:
        raw, from_ini = _raw_value(config, spec)
        values[spec.name] = spec.default if raw is None else _convert(spec, raw)
        bases[spec.name] = ini_dir if from_ini else Path(config.invocation_params.dir)

    def path(name: str) -> Path | None:
        return bases[name] / values[name] if values[name] else None

    # Secrets are registered before anything is validated, so no message below can show one.
    api_key = _api_key(config, values)
    REGISTRY.add(api_key, *url_secrets(values["api_url"] or ""))
    if values["generation_config"] is not None:
        REGISTRY.add_from(values["generation_config"])
        values["generation_config"] = _strip_header_values(config, values["generation_config"])

    for name in ("batch_size", "max_retries", "repeats"):
        minimum = 0 if name == "max_retries" else 1
        if values[name] < minimum:
            raise _usage(_option(name), f"must be >= {minimum} (got {values[name]})")
    if not math.isfinite(values["timeout"]) or values["timeout"] <= 0:
        raise _usage(_option("timeout"), f"must be a finite number of seconds > 0 (got {values['timeout']})")
    if values["limit"] is not None and values["limit"] < 1:
        raise _usage(_option("limit"), f"must be >= 1 (got {values['limit']}); leave it out to evaluate every line")
    for name in ("max_error_rate", "max_drop"):
        if values[name] is not None and not 0.0 <= values[name] <= 1.0:
            raise _usage(_option(name), f"must be between 0 and 1 (got {values[name]})")
    if not 0.0 < values["confidence"] < 1.0:
        raise _usage(_option("confidence"), f"must be between 0 and 1, e.g. 0.95 (got {values['confidence']})")
    alpha = _alpha(values["alpha"], given_max_drop=values["max_drop"] is not None)
    if values["max_concurrency"] is not None and values["max_concurrency"] < 1:
        raise _usage(_option("max_concurrency"), f"must be >= 1 (got {values['max_concurrency']})")
    if values["code_workers"] is not None and values["code_workers"] < 1:
        raise _usage(_option("code_workers"), f"must be >= 1 (got {values['code_workers']})")
    if values["api_url"]:
        _check_api_url(values["api_url"], _option("api_url"))
    if values["predictions"] and values["use_cache"] is not None:
        raise _usage(_option("predictions"), "scores recorded answers and never calls the model, so there is nothing "
                                             "to cache; pass --eval-predictions or --eval-use-cache, not both")
    if values["rerun_review"] and values["use_cache"] is None and not values["predictions"]:
        raise _usage(_option("rerun_review"), "needs --eval-use-cache (the answers to score again come from the cache)")

    for name in ("max_requests_per_minute", "max_tokens_per_minute", "max_tokens"):
        if values[name] is not None and values[name] < 1:
            raise _usage(_option(name), f"must be >= 1 (got {values[name]})")
    for name in ("price_input", "price_output"):
        if values[name] < 0:
            raise _usage(_option(name), f"must be >= 0 USD per million tokens (got {values[name]})")
    if values["max_cost"] is not None and (values["max_cost"] <= 0 or not (values["price_input"] or
                                                                           values["price_output"])):
        raise _usage(_option("max_cost"), "needs a limit > 0 and prices: --eval-price-input and/or "
                                          "--eval-price-output (USD per million tokens)")
    shard = None
    if values["shard"]:
        try:
            shard = Shard.parse(values["shard"])
        except ValueError as exc:
            raise _usage(_option("shard"), str(exc)) from None

    generation_config = {"temperature": 0.0} if values["generation_config"] is None else values["generation_config"]
    output_dir = bases["output_dir"] / values["output_dir"]
    return Settings(
        collections=tuple(bases["collection"] / p for p in values["collection"] or []),
        model=values["model"],
        api_url=values["api_url"],
        api_key=api_key,
        generation_config=generation_config,
        timeout=values["timeout"],
        max_retries=values["max_retries"],
        batch_size=values["batch_size"],
        limit=values["limit"],
        shuffle=bool(values["shuffle"]),
        seed=values["seed"],
        strict=bool(values["strict"]),
        allow_partial=bool(values["allow_partial"]),
        repeats=values["repeats"],
        junit_incorrect=values["junit_incorrect"],
        compat=values["compat"],
        output_dir=output_dir,
        mock=path("mock"),
        thresholds=_thresholds(config),
        max_error_rate=values["max_error_rate"],
        baseline=path("baseline"),
        max_drop=values["max_drop"] or 0.0,
        alpha=alpha,
        confidence=values["confidence"],
        gate_on=values["gate_on"],
        baseline_allow_mismatch=bool(values["baseline_allow_mismatch"]),
        markdown=path("markdown"),
        cache_dir=None if values["use_cache"] is None
        else (path("use_cache") or output_dir / "cache"),
        rerun_review=bool(values["rerun_review"]),
        predictions=path("predictions"),
        max_concurrency=values["max_concurrency"],
        shard=shard,
        max_requests_per_minute=values["max_requests_per_minute"],
        max_tokens_per_minute=values["max_tokens_per_minute"],
        max_tokens=values["max_tokens"],
        max_cost=values["max_cost"],
        price_input=values["price_input"],
        price_output=values["price_output"],
        code_exec=values["code_exec"],
        code_workers=values["code_workers"],
    )


def _alpha(raw: Any, *, given_max_drop: bool) -> float | None:
    """The regression gate's significance level; None (a plain max-drop gate) when --eval-max-drop came alone."""
    if raw is None:
        return None if given_max_drop else DEFAULT_ALPHA
    if raw == "":
        return DEFAULT_ALPHA
    try:
        alpha = float(raw)
    except (TypeError, ValueError):
        raise _usage(_option("alpha"), f"expected a number between 0 and 1, e.g. 0.05 (got {raw!r})") from None
    if not 0.0 < alpha < 1.0:
        raise _usage(_option("alpha"), f"must be between 0 and 1, e.g. 0.05 (got {raw!r})")
    return alpha


def _thresholds(config: pytest.Config) -> tuple[str, ...]:
    """The ini file's thresholds and then the command line's: a gate in the ini file never vanishes silently."""
    spec = _option("threshold")
    given = [*(config.getini(spec.ini_name) or []), *(config.getoption(spec.dest) or [])]
    return tuple(dict.fromkeys(t.strip() for t in given if t.strip()))


def _api_key(config: pytest.Config, values: dict[str, Any]) -> str | None:
    """The key from the CLI or the environment, stripped of the whitespace a pasted CI secret often ends with."""
    key, source = None, ""
    if values["api_key"]:
        key, source = str(values["api_key"]), "--eval-api-key"
    else:
        env_names = ([values["api_key_env"]] if values["api_key_env"] else []) + list(API_KEY_ENV_VARS)
        for name in env_names:
            if os.environ.get(name):
                key, source = os.environ[name], f"${name}"
                break
    if key is None:
        return None
    REGISTRY.add(key)
    if key != key.strip():
        _warn(config, f"evalindex: the API key from {source} starts or ends with whitespace (a pasted newline?); "
                      "it was stripped before use")
        key = key.strip()
    return key or None


def _strip_header_values(config: pytest.Config, generation_config: dict[str, Any]) -> dict[str, Any]:
    """``extra_headers`` values without surrounding whitespace (a newline would break every request)."""
    headers = generation_config.get("extra_headers")
    if not isinstance(headers, dict):
        return generation_config
    stripped = {k: v.strip() if isinstance(v, str) else v for k, v in headers.items()}
    changed = sorted(str(k) for k, v in headers.items() if isinstance(v, str) and v != v.strip())
    if not changed:
        return generation_config
    _warn(config, f"evalindex: extra_headers {', '.join(changed)} start or end with whitespace; stripped before use")
    return {**generation_config, "extra_headers": stripped}


def _warn(config: pytest.Config, message: str) -> None:
    if not hasattr(config, "workerinput"):  # the controller says it once; workers strip silently
        config.issue_config_time_warning(pytest.PytestConfigWarning(message), stacklevel=2)


def _check_api_url(url: str, option: OptionSpec) -> None:
    """An http(s) URL with a host, or a usage error that shows how to write one."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # Never echoed: it holds a credential. The SDK sends the key as a Bearer header, which the
        # HTTP transport refuses to combine with credentials in the URL.
        raise _usage(option, "credentials in the URL (user:password@host) are not supported; pass the key with "
                             "--eval-api-key or $EVALINDEX_API_KEY (sent as a Bearer token), or other headers "
                             'with --eval-generation-config \'{"extra_headers": {...}}\'')
    if parts.scheme in ("http", "https") and parts.hostname:
        return
    raise _usage(option, f"{url!r} is not an http:// or https:// URL with a host; write it like "
                         "http://localhost:8000/v1")
