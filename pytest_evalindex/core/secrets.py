"""Keep secrets out of everything we write: mask secret-looking keys, scrub literal values from text.

:data:`REGISTRY` holds every secret value of this process (API keys, header values, secret-looking
``extra_body`` fields, URL credentials), filled when the run is configured; every sink (terminal,
reports, JUnit, cache, logs) scrubs by value through it, so text that came back from a server or a
model cannot carry a key out either.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

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
# Query parameters that carry a credential (``?api-key=…``, ``?key=…``, ``?sig=…``) beyond secret-looking names.
_QUERY_SECRET_NAMES = frozenset({"key", "sig", "signature", "auth", "code", "access_token", "sas", "credential"})
# Every value under these keys is a credential, whatever its name (a header like ``X-Acme-Auth``).
_ALL_SECRET_CONTAINERS = frozenset({"extra_headers", "default_headers", "headers"})
ENV_VAR = "EVALINDEX_SECRET_VALUES"
"""Environment variable through which the controller hands its secret values to xdist workers."""


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names a credential (case-insensitive, ``-`` and ``_`` alike)."""
    if not isinstance(key, str):
        return False
    name = key.strip().lower().replace("-", "_")
    return name in _SECRET_NAMES or name.endswith(_SECRET_SUFFIXES)


def is_secret_query_name(name: str) -> bool:
    """Whether a URL query parameter name carries a credential."""
    return is_secret_key(name) or name.strip().lower().replace("-", "_") in _QUERY_SECRET_NAMES


def url_secrets(url: str) -> list[str]:
    """The credentials in a URL: the userinfo's password (its user name when it has none, as in
    ``https://TOKEN@host``) and secret query parameter values."""
    try:
        parts = urlsplit(url)
        found = [parts.password or parts.username or ""]
        found += [v for k, v in parse_qsl(parts.query, keep_blank_values=False) if is_secret_query_name(k)]
    except ValueError:
        return []
    return [v for v in found if len(v) >= _MIN_SECRET_LEN]


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
            elif key in _ALL_SECRET_CONTAINERS and isinstance(value, Mapping):
                out[key] = {k: MASK if v not in (None, "") else v for k, v in value.items()}
            else:
                out[key] = redact(value)
        return out
    if isinstance(obj, (list, tuple)):
        return [redact(item) for item in obj]
    if isinstance(obj, str):
        return scrub(_URL_PASSWORD.sub(lambda m: m.group("head") + MASK, obj), url_secrets(obj)) if "://" in obj else obj
    return obj


def secret_values(obj: Any) -> list[str]:
    """Every literal secret in ``obj``: values under secret-looking keys, URL passwords (for :func:`scrub`)."""
    found: set[str] = set()
    _collect(obj, False, found)
    return sorted(found, key=lambda s: (-len(s), s))


def _collect(obj: Any, under_secret: bool, found: set[str]) -> None:
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if key in _ALL_SECRET_CONTAINERS and isinstance(value, Mapping):
                for item in value.values():
                    _collect(item, True, found)
                continue
            _collect(value, under_secret or is_secret_key(key), found)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _collect(item, under_secret, found)
    elif isinstance(obj, str) and not under_secret:
        found.update(m.group("password") for m in _URL_PASSWORD.finditer(obj) if len(m.group("password")) >= _MIN_SECRET_LEN)
        if "://" in obj:
            found.update(url_secrets(obj))
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


def secret_variants(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may appear in text: raw, JSON-escaped (ASCII and not) and URL-encoded."""
    found: set[str] = set()
    for secret in secrets:
        if len(secret) < _MIN_SECRET_LEN:
            continue
        found.update((secret, json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(secret)[1:-1],
                      quote(secret, safe=""), quote_plus(secret, safe="")))
    return sorted(found, key=lambda s: (-len(s), s))


class SecretRegistry:
    """Every secret value this process knows, scrubbed by value from every byte it writes or prints."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._variants: list[str] = []
        self._exported = False
        self._env_before: str | None = None  # ENV_VAR's value before the first export()

    def add(self, *values: str | None) -> None:
        """Register secret values (``None``, blanks and values shorter than 4 characters are ignored)."""
        fresh = {v for v in values if v and len(v.strip()) >= _MIN_SECRET_LEN and v not in self._values}
        for value in list(fresh):
            if value.strip() != value:
                fresh.add(value.strip())
            scheme = _AUTH_SCHEME.match(value.strip())
            if scheme and len(scheme.group(1)) >= _MIN_SECRET_LEN:
                fresh.add(scheme.group(1))
        if fresh:
            self._values |= fresh
            self._variants = secret_variants(self._values)

    def add_from(self, obj: Any) -> None:
        """Register every secret found in settings-like data (see :func:`secret_values`)."""
        self.add(*secret_values(obj))

    def values(self) -> list[str]:
        return sorted(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def scrub(self, text: str) -> str:
        """``text`` with every registered secret (in any of its encodings) replaced by ``MASK``."""
        for variant in self._variants:
            if variant in text:
                text = text.replace(variant, MASK)
        return text

    def scrub_obj(self, obj: Any) -> Any:
        """A copy of ``obj`` with every string scrubbed (``obj`` itself when nothing is registered)."""
        return _scrub_obj(obj, self._variants) if self._variants else obj

    def export(self) -> None:
        """Hand the values to child processes (xdist workers) through the environment, never a file."""
        if self._values:
            if not self._exported:
                self._exported, self._env_before = True, os.environ.get(ENV_VAR)
            os.environ[ENV_VAR] = json.dumps(sorted(self._values))

    def withdraw(self) -> None:
        """Undo :meth:`export` at the end of the run: a process that goes on (an IDE or a notebook calling
        ``pytest.main``) must not hand the secrets to every child it starts later."""
        if self._exported:
            self._exported = False
            if self._env_before is None:
                os.environ.pop(ENV_VAR, None)
            else:
                os.environ[ENV_VAR] = self._env_before

    def import_env(self) -> None:
        """Register the values a parent process exported (see :meth:`export`)."""
        raw = os.environ.get(ENV_VAR)
        if not raw:
            return
        try:
            values = json.loads(raw)
        except ValueError:
            return
        if isinstance(values, list):
            self.add(*(v for v in values if isinstance(v, str)))

    def clear(self) -> None:
        self._values.clear()
        self._variants = []


REGISTRY = SecretRegistry()
"""This process's secrets (one run per process; the plugin fills it when pytest is configured)."""
