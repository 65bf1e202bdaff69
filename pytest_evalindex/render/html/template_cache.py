"""The report template's compiled code kept in the user's cache folder, so a run does not compile it again.

Compiling the template costs ~0.1–0.2 s of CPU on every run; loading its cached code costs about a
millisecond. Jinja's own bytecode cache does the work: a cached file is used only when its header matches
this Python and Jinja's cache format, and its checksum matches the template's source. Our key adds what
the generated code also depends on (Jinja's version and the environment's options), so a different Jinja
or different options never load code compiled for another. The cache is an optimisation only: a folder that
cannot be made, is not private to this user, or cannot be written, means the template is compiled as before.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

CACHE_ENV = "EVALINDEX_TEMPLATE_CACHE"
"""Environment variable naming the folder of compiled templates; ``off`` (or empty) turns the cache off."""


def cache_dir() -> Path | None:
    """Where compiled templates are kept (default ``$XDG_CACHE_HOME/pytest-evalindex/templates``), or ``None``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return None if explicit.strip().lower() in ("", "off", "0") else Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pytest-evalindex" / "templates"


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file-system bytecode cache, keyed also by ``salt`` (Jinja's version and the environment's
    options), that never fails a render: a file it cannot read or write is simply not used."""

    def __init__(self, directory: Path, salt: str) -> None:
        super().__init__(str(directory), "evalindex-%s.jinja")
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        text = f"{jinja2.__version__}\n{self.salt}\n{name}\n{filename}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable or damaged (a truncated file fails in pickle): compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only or full cache folder: the next run compiles again
            pass


def template_cache(salt: str) -> TemplateCache | None:
    """The cache in :func:`cache_dir`, created private to this user; ``None`` where that cannot be had (no
    folder, not ours, or writable by others: code loaded from it must be as trusted as the package)."""
    directory = cache_dir()
    if directory is None or not hasattr(os, "getuid"):
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(directory)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return TemplateCache(directory, salt)
