"""Every place pytest could print or write a secret, wired to the process's secret registry.

The registry (:data:`~pytest_evalindex.core.secrets.REGISTRY`) is filled from the settings when pytest
is configured; xdist workers also take the controller's values from the environment. Reports are
scrubbed where they are made (so the terminal, ``-rA``, JUnit XML and xdist's wire all see clean text),
warnings before they are shown, log records when they are created, and ``--debug``'s log as it is
written.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pytest_evalindex.core.results import REPORT_ATTRIBUTE
from pytest_evalindex.core.secrets import REGISTRY
from pytest_evalindex.core.settings import Settings
from pytest_evalindex.plugin.pytest_private import scrub_debug_log


def register_secrets(config: pytest.Config, settings: Settings) -> None:
    """Register every secret of the run, hand them to xdist workers, and guard the process-wide sinks."""
    REGISTRY.import_env()
    REGISTRY.add(settings.api_key)
    REGISTRY.add_from(settings.generation_config)
    if not hasattr(config, "workerinput"):
        REGISTRY.export()  # before xdist starts its workers: they inherit the environment
    install_log_scrubber()
    if getattr(config.option, "debug", None):
        scrub_debug_log(config, REGISTRY.scrub)


def scrub_report(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Remove every registered secret from a report's failure text, captured output and properties."""
    if not REGISTRY:
        return
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        report.longrepr = (longrepr[0], longrepr[1], REGISTRY.scrub(str(longrepr[2])))
    elif longrepr is not None:
        text = str(longrepr)
        clean = REGISTRY.scrub(text)
        if clean != text:  # the rich representation is kept unless it holds a secret
            report.longrepr = clean
    report.sections = [(title, REGISTRY.scrub(content)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport):
        report.user_properties = [(name, REGISTRY.scrub(value) if isinstance(value, str) else value)
                                  for name, value in report.user_properties]
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if isinstance(data, dict):
            setattr(report, REPORT_ATTRIBUTE, REGISTRY.scrub_obj(data))


def scrub_warning(warning_message: Any) -> None:
    """Scrub a recorded warning's message before the warnings summary shows it."""
    message = getattr(warning_message, "message", None)
    if not REGISTRY or message is None:
        return
    text = str(message)
    clean = REGISTRY.scrub(text)
    if clean != text:
        try:
            warning_message.message = type(message)(clean) if isinstance(message, Warning) else clean
        except TypeError:
            warning_message.message = UserWarning(clean)


class _ScrubbingFactory:
    """A log record factory that scrubs the message (and exception text) of every record it makes."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        if not REGISTRY:
            return record
        try:
            message = record.getMessage()
        except Exception:
            return record
        clean = REGISTRY.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = REGISTRY.scrub(logging.Formatter().formatException(record.exc_info))
        return record


def install_log_scrubber() -> None:
    """Scrub every log record of this process (the SDK's and HTTP libraries' debug logs included)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _ScrubbingFactory):
        logging.setLogRecordFactory(_ScrubbingFactory(current))
