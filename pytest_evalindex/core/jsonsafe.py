"""Data as strict JSON: lone surrogates become U+FFFD and non-finite numbers become strings, in one documented way.

A model answer may carry a lone UTF-16 surrogate (``"\\ud800"`` in the response JSON) and a collection's
metadata may hold ``1e400`` or ``NaN``; neither can be written as strict JSON (UTF-8 has no encoding for
a lone surrogate, and JSON has no ``NaN``/``Infinity``). Everything the plugin writes goes through
:func:`json_safe` (or :func:`dumps`, which only pays for it when needed).
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Callable
from typing import Any

REPLACEMENT = "\ufffd"
NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}
ERRORS = "evalindex-replace-surrogates"
"""A codec error handler for text files: a lone surrogate that reached a write becomes U+FFFD."""


def _replace_surrogates(error: UnicodeError) -> tuple[str | bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    if error.encoding.replace("-", "").lower() == "utf8":  # its replacement must be bytes (or ASCII)
        return REPLACEMENT.encode("utf-8") * (error.end - error.start), error.end
    return "?" * (error.end - error.start), error.end


codecs.register_error(ERRORS, _replace_surrogates)


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate (U+D800–U+DFFF; a decoded pair is one code point) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", ERRORS).decode("utf-8")
    return text


def non_finite_name(value: float) -> str:
    """How a non-finite number is written: ``"NaN"``, ``"Infinity"`` or ``"-Infinity"`` (a JSON string)."""
    return "NaN" if math.isnan(value) else NON_FINITE[value]


def json_safe(obj: Any) -> Any:
    """``obj`` as strict-JSON-plain data: strings cleaned, non-finite floats named, tuples as lists,
    mapping keys as strings, anything else as its (cleaned) ``str()``."""
    if obj is None or isinstance(obj, (bool, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else non_finite_name(obj)
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, dict):
        return {clean_text(str(k)): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return clean_text(str(obj))


def needs_cleaning(obj: Any) -> bool:
    """Whether :func:`json_safe` would change ``obj`` (a non-finite float, a lone surrogate, a non-JSON type)."""
    try:
        json.dumps(obj, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError):  # UnicodeEncodeError is a ValueError
        return True
    return False


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes ``NaN``/``Infinity`` or a lone surrogate (see :func:`json_safe`)."""
    try:
        text = json.dumps(obj, allow_nan=False, **kwargs)
    except (ValueError, TypeError):
        return json.dumps(json_safe(obj), allow_nan=False, **kwargs)
    if kwargs.get("ensure_ascii", True):
        # Escaped, a lone surrogate is valid ASCII; only a "\\ud" spelling can hide one.
        return json.dumps(json_safe(obj), allow_nan=False, **kwargs) if "\\ud" in text and needs_cleaning(obj) else text
    return clean_text(text)


__all__ = ["ERRORS", "REPLACEMENT", "clean_text", "dumps", "json_safe", "needs_cleaning", "non_finite_name"]


def prebuilt_encoder(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """``encoder.encode`` (its separators, key order and checks), with C's encoder built once instead of on
    every call (~4 µs a call; tens of thousands of small calls a run). Circular data is not checked for: it
    raises RecursionError instead of ValueError. Falls back to ``encoder.encode`` where C's encoder is missing."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or encoder.indent is not None:
        return encoder.encode
    strings = json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring
    chunks = make(None, encoder.default, strings, None, encoder.key_separator, encoder.item_separator,
                  encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)
    join = "".join

    def encode(obj: Any) -> str:
        return join(chunks(obj, 0))

    return encode
