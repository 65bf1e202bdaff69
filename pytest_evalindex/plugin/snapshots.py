"""The collection files as the run started: fingerprints every process checks, and copies the controller reads.

A collection edited during a run must not mix old scores with new targets: each process that collects
compares the file with the fingerprint taken at start (a collection error if it changed), and the
controller reads the copy taken at start when it writes the outputs (under xdist it collects nothing).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pytest_evalindex.core.hashing import fingerprint


def take_snapshots(paths: Iterable[Path]) -> dict[Path, tuple[str, Path]]:
    """``{resolved path: (fingerprint, private copy)}``; a file that cannot be read is left to collection."""
    snapshots: dict[Path, tuple[str, Path]] = {}
    folder: Path | None = None
    for number, path in enumerate(sorted(paths)):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="evalindex-collections-"))
        copy = folder / f"{number}-{path.name}"
        try:
            copy.write_bytes(raw)
        except OSError:
            copy = path  # no room for a copy: an edited file is then left out of the outputs' prompts
        snapshots[path.resolve()] = (fingerprint(raw), copy)
    return snapshots


def remove_snapshots(snapshots: dict[Path, tuple[str, Path]]) -> None:
    for folder in {copy.parent for _, copy in snapshots.values()}:
        if folder.name.startswith("evalindex-collections-"):
            shutil.rmtree(folder, ignore_errors=True)


def changed_line(path: Path, expected: str, actual: str) -> str:
    """The collection error of a file edited since the run started."""
    return (f"{path}: changed since the run started ({expected[:15]}… then, {actual[:15]}… now); the run would mix "
            "two versions of it — rerun once the file is final")


__all__ = ["changed_line", "remove_snapshots", "take_snapshots"]
