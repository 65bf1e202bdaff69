"""Parity cases per scorer family: each ``<family>.py`` module exposes ``CASES`` (see PARITY.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REQUIRED_KEYS = ("dataset_name", "subset_name", "input", "choices", "target", "metadata", "answer", "note")


def family_names() -> list[str]:
    """Every family that has a cases module here, sorted."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def load_family(name: str) -> list[dict[str, Any]]:
    """The ``CASES`` of one family module, loaded from its file (no package import needed)."""
    path = HERE / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"parity_cases_{name}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases = list(module.CASES)
    for i, case in enumerate(cases):
        missing = [k for k in REQUIRED_KEYS if k not in case]
        if missing:
            raise SystemExit(f"{path}: case {i} ({case.get('dataset_name')}) misses {missing}")
    return cases
