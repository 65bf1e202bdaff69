"""Before the first paid request: can the run write its output folder (and its cache)?"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PROBE_BYTES = 4096
"""Size of the probe file: a full disk (or a file-size limit) refuses it as it would refuse the report."""


def unwritable_reason(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (created if missing), or ``None`` when a probe file
    of :data:`PROBE_BYTES` could be written, flushed to disk and removed."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    created = _missing_parents(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create {folder} ({exc.strerror or exc})"
    try:
        return _probe(folder)
    finally:
        for made in created:  # a run refused later (or one that writes nothing) leaves no empty folder behind
            try:
                made.rmdir()
            except OSError:
                break


def _missing_parents(folder: Path) -> list[Path]:
    """``folder`` and its missing ancestors, deepest first (what ``mkdir(parents=True)`` would create)."""
    missing = []
    for path in [folder, *folder.parents]:
        if path.exists():
            break
        missing.append(path)
    return missing


def _probe(folder: Path) -> str | None:
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".evalindex-probe-")
    except OSError as exc:
        return f"cannot create files in {folder} ({exc.strerror or exc})"
    try:
        try:
            view = memoryview(b"\0" * PROBE_BYTES)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot write to {folder} ({exc.strerror or exc})"
    finally:
        try:
            os.unlink(probe)
        except OSError:
            pass
    return None


__all__ = ["PROBE_BYTES", "unwritable_reason"]
