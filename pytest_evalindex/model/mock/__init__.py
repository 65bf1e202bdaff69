"""Built-in mock model: a real OpenAI-compatible HTTP server on loopback with scripted answers,
latency and fault injection (`python -m pytest_evalindex.model.mock --script FILE` runs it standalone)."""

from .script import (
    FaultKind,
    MockScript,
    MockScriptError,
    RandomFaults,
    Reply,
    Rule,
    last_user_text,
    load_script,
    parse_script,
    prompt_key,
)
from .server import MockServer
from .stats import MockStats

__all__ = [
    "FaultKind",
    "MockScript",
    "MockScriptError",
    "MockServer",
    "MockStats",
    "RandomFaults",
    "Reply",
    "Rule",
    "last_user_text",
    "load_script",
    "parse_script",
    "prompt_key",
]
