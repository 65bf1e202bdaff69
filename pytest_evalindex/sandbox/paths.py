"""Which host directories the bwrap sandbox shows, and how an interpreter under a closed directory stays reachable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pytest_evalindex.sandbox.native import others_can_enter

# The host's system tree, shown read-only; merged-/usr symlinks (/bin -> usr/bin, …) are recreated as links.
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")


def interpreter_prefixes(python: str) -> list[str]:
    """The installation directories `python` needs (venv and base prefixes, the real binary's prefix)."""
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        raw = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    else:
        code = (
            "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]))"
        )
        out = subprocess.run([python, "-I", "-S", "-c", code], capture_output=True, check=True, timeout=60).stdout
        raw = list(json.loads(out))
    raw.append(os.path.dirname(os.path.dirname(os.path.realpath(python))))
    return outermost([os.path.realpath(p) for p in raw])


def outermost(paths: list[str]) -> list[str]:
    """Drop duplicates and paths lying inside another listed path; keep the input order otherwise."""
    unique = list(dict.fromkeys(os.path.normpath(p) for p in paths))
    return [p for p in unique if not any(q != p and inside(p, q) for q in unique)]


def inside(path: str, folder: str) -> bool:
    """`path` is `folder` or lies below it."""
    return folder == "/" or path == folder or path.startswith(folder.rstrip("/") + "/")


def system_entries() -> list[tuple[str, str | None]]:
    """[(top-level path, symlink target or None for a directory)] of the system tree the sandbox shows.

    Only these are visible (read-only): programs, libraries, configuration and /sys. Everything else of the
    host (homes, /tmp, /var, /run, /srv, a project checkout, …) is simply absent.
    """
    entries: list[tuple[str, str | None]] = []
    for path in _SYSTEM:
        if os.path.islink(path):
            entries.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            entries.append((path, None))
    return entries


def extra_binds(prefixes: list[str], extra: list[str]) -> list[str]:
    """Directories to bind read-only besides the system tree: interpreter prefixes and `extra`, minus those
    already inside a system directory.
    """
    system = [os.path.realpath(path) for path, _ in system_entries()]
    wanted = outermost([os.path.realpath(p) for p in [*prefixes, *extra] if os.path.isdir(p)])
    return [p for p in wanted if not any(inside(p, folder) for folder in system)]


def first_closed_ancestor(path: str) -> str | None:
    """The outermost directory on the way to `path` (itself included) that other users may not enter."""
    current = "/"
    for part in path.strip("/").split("/"):
        current = os.path.join(current, part)
        if not others_can_enter(current):
            return current
    return None


def expose_plan(prefixes: list[str]) -> list[tuple[str, list[str]]]:
    """For a root caller dropping to an unprivileged uid: [(closed dir, prefixes under it)] to re-expose.

    Raises ValueError when a prefix itself is closed, which no tmpfs in front of it can fix.
    """
    plan: dict[str, list[str]] = {}
    for prefix in prefixes:
        closed = first_closed_ancestor(prefix)
        if closed is None:
            continue
        if closed == prefix or not others_can_enter(prefix):
            raise ValueError(f"the interpreter directory {prefix} is not readable by other users (chmod o+rx it)")
        plan.setdefault(closed, []).append(prefix)
    return list(plan.items())
