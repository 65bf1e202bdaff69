"""Keep secrets out of everything we write: mask secret-looking keys, scrub literal values from text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "**********"

_SECRET_NAMES = frozenset({
    "api_key", "apikey", "token", "secret", "password", "passwd", "authorization",
    "proxy_authorization", "x_api_key", "cookie", "set_cookie",
})
_SECRET_SUFFIXES = ("_key", "_token", "_secret", "_password")
# Values like "Bearer sk-…": the credential after the scheme is a secret on its own too.
_AUTH_SCHEME = re.compile(r"^(?:bearer|basic|token|apikey)\s+(\S+)$", re.IGNORECASE)
_MIN_SECRET_LEN = 4
# Credentials inside URLs (``https://user:password@host``) are secret whatever the key.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@/\s]+)(?=@)")


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names a credential (case-insensitive, ``-`` and ``_`` alike)."""
    if not isinstance(key, str):
        return False
    name = key.strip().lower().replace("-", "_")
    return name in _SECRET_NAMES or name.endswith(_SECRET_SUFFIXES)


def redact(obj: Any) -> Any:
    """A deep copy of ``obj`` with every value under a secret-looking key masked as ``MASK``,
    and the password of any ``scheme://user:password@host`` URL masked too.

    Mappings become dicts and tuples become lists; ``None`` and empty strings are kept
    (there is nothing to hide, and they show that no credential was set).
    """
    if isinstance(obj, Mapping):
        out: dict[Any, Any] = {}
        for key, value in obj.items():
            if is_secret_key(key) and value is not None and value != "":
                out[key] = MASK
            else:
                out[key] = redact(value)
        return out
    if isinstance(obj, (list, tuple)):
        return [redact(item) for item in obj]
    if isinstance(obj, str):
        return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, obj)
    return obj


def secret_values(obj: Any) -> list[str]:
    """Every literal secret in ``obj``: values under secret-looking keys, URL passwords (for :func:`scrub`)."""
    found: set[str] = set()
    _collect(obj, False, found)
    return sorted(found, key=lambda s: (-len(s), s))


def _collect(obj: Any, under_secret: bool, found: set[str]) -> None:
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            _collect(value, under_secret or is_secret_key(key), found)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _collect(item, under_secret, found)
    elif isinstance(obj, str) and not under_secret:
        found.update(m.group("password") for m in _URL_PASSWORD.finditer(obj) if len(m.group("password")) >= _MIN_SECRET_LEN)
    elif under_secret and isinstance(obj, (str, int)) and not isinstance(obj, bool):
        text = str(obj).strip()
        if len(text) >= _MIN_SECRET_LEN:
            found.add(text)
            match = _AUTH_SCHEME.match(text)
            if match and len(match.group(1)) >= _MIN_SECRET_LEN:
                found.add(match.group(1))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every literal secret (length >= 4) replaced by ``MASK``; longest first."""
    for secret in sorted({s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=lambda s: (-len(s), s)):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub_obj(obj: Any, secrets: Iterable[str]) -> Any:
    """A deep copy of ``obj`` with :func:`scrub` applied to every string (keys included)."""
    wanted = [s for s in secrets if len(s) >= _MIN_SECRET_LEN]
    if not wanted:
        return obj
    return _scrub_obj(obj, wanted)


def _scrub_obj(obj: Any, secrets: list[str]) -> Any:
    if isinstance(obj, str):
        return scrub(obj, secrets)
    if isinstance(obj, Mapping):
        return {(_scrub_obj(k, secrets) if isinstance(k, str) else k): _scrub_obj(v, secrets) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_scrub_obj(item, secrets) for item in obj]
    return obj
