"""Sample a mixed JSONL collection from a schema: seeded, reproducible, exactly N lines when possible.

Allocation follows EvalScope's three strategies (spec §2.4) but rounds by largest remainder on the
exact quotas, redistributes shortfalls of short leaves, and gives every non-empty leaf at least one
sample when N allows. Each leaf draws without replacement with its own ``random.Random(f"{seed}:{path}")``.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, get_args

import jsonlines

from pytest_evalindex.authoring.schema import (
    CollectionSchema,
    FlatLeaf,
    flatten,
    schema_hash,
)
from pytest_evalindex.authoring.sources import (
    Advance,
    LeafSource,
    SourceError,
    read_leaf,
    to_sample,
)

Strategy = Literal["weighted", "stratified", "uniform"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FORMAT = "evalindex-sample/1"


@dataclass(frozen=True)
class Allocation:
    """How many samples each leaf was asked for and finally draws."""

    quotas: list[Fraction]
    """Exact share of N per leaf under the strategy."""
    asked: list[int]
    """Largest-remainder rounding of the quotas (sums to N)."""
    drawn: list[int]
    """After capping by availability, redistribution and the at-least-one guarantee."""


def strategy_quotas(strategy: Strategy, weights: Sequence[Fraction], available: Sequence[int], n: int) -> list[Fraction]:
    """Exact quotas: ∝ weight (weighted), equal (uniform) or ∝ available samples (stratified)."""
    k = len(weights)
    if strategy == "weighted":
        total = sum(weights, Fraction(0))
        return [w / total * n for w in weights]
    if strategy == "uniform":
        return [Fraction(n, k)] * k
    if strategy == "stratified":
        pool = sum(available)
        return [Fraction(m * n, pool) if pool else Fraction(0) for m in available]
    raise ValueError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")


def largest_remainder(quotas: Sequence[Fraction], total: int) -> list[int]:
    """Round ``quotas`` (summing to ``total``) to integers summing to ``total``; ties go to earlier leaves."""
    counts = [int(q) for q in quotas]  # floor: quotas are never negative
    short = total - sum(counts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[:short]:
        counts[i] += 1
    return counts


def allocate(strategy: Strategy, weights: Sequence[Fraction], available: Sequence[int], n: int) -> Allocation:
    """Allocate ``n`` samples over the leaves; see the module docstring for the rules."""
    quotas = strategy_quotas(strategy, weights, available, n)
    asked = largest_remainder(quotas, n)
    drawn = [min(a, m) for a, m in zip(asked, available)]
    while True:
        shortfall = n - sum(drawn)
        open_ = [i for i, (d, m) in enumerate(zip(drawn, available)) if m > d and quotas[i] > 0]
        if shortfall <= 0 or not open_:
            break
        open_total = sum((quotas[i] for i in open_), Fraction(0))
        extra = largest_remainder([quotas[i] / open_total * shortfall for i in open_], shortfall)
        for i, e in zip(open_, extra):
            drawn[i] = min(drawn[i] + e, available[i])
    non_empty = [i for i, m in enumerate(available) if m > 0]
    if n >= len(non_empty):
        for i in non_empty:
            if drawn[i] == 0:
                # Pigeonhole: another leaf holds ≥ 2 here. Ties take from the later leaf.
                donor = max(range(len(drawn)), key=lambda j: (drawn[j], j))
                drawn[donor] -= 1
                drawn[i] = 1
    return Allocation(quotas=quotas, asked=asked, drawn=drawn)


@dataclass(frozen=True)
class LeafReport:
    """One leaf's row in the allocation table and the sidecar."""

    leaf: FlatLeaf
    source: LeafSource
    quota: Fraction
    asked: int
    drawn: int
    effective_weight: Fraction
    """The leaf's weight in the file: normalised weight, renormalised over leaves that drew samples."""
    drawn_subsets: dict[str, int]

    @property
    def available(self) -> int:
        return len(self.source.records)

    @property
    def line_weight(self) -> float:
        """Per-line weight written for this leaf (0 when it drew nothing)."""
        return float(self.effective_weight / self.drawn) if self.drawn else 0.0


@dataclass
class MixedSample:
    """The sampled lines with everything needed to explain them."""

    schema: CollectionSchema
    strategy: Strategy
    seed: int
    n_requested: int
    lines: list[dict[str, Any]]
    leaves: list[LeafReport]
    renormalised: bool
    warnings: list[str] = field(default_factory=list)


def sample_schema(
    schema: CollectionSchema,
    *,
    base_dir: Path,
    n: int,
    strategy: Strategy,
    seed: int,
    advance: Advance | None = None,
) -> MixedSample:
    """Read every leaf's sources (paths relative to ``base_dir``), allocate ``n`` and draw the lines."""
    if n < 1:
        raise ValueError(f"-n must be at least 1, got {n}")
    leaves = flatten(schema)
    sources = [read_leaf(leaf, base_dir, advance) for leaf in leaves]
    available = [len(s.records) for s in sources]
    if not any(available):
        raise SourceError(f"{schema.name}: no leaf has any sample in its source (after subset_list); "
                          "check args.local_path and args.subset_list")
    alloc = allocate(strategy, [leaf.exact_weight for leaf in leaves], available, n)

    kept_weight = sum((leaf.exact_weight for leaf, d in zip(leaves, alloc.drawn) if d), Fraction(0))
    renormalised = kept_weight != 1
    warnings = [w for s in sources for w in s.warnings]
    warnings += _allocation_warnings(leaves, alloc, available, n, renormalised)

    lines: list[dict[str, Any]] = []
    reports: list[LeafReport] = []
    for leaf, source, quota, asked, k in zip(leaves, sources, alloc.quotas, alloc.asked, alloc.drawn):
        effective = leaf.exact_weight / kept_weight if k and kept_weight else Fraction(0)
        picked = random.Random(f"{seed}:{leaf.path}").sample(source.records, k)
        weight = float(effective / k) if k else 0.0
        drawn_subsets: dict[str, int] = {}
        for record in picked:
            drawn_subsets[record.subset] = drawn_subsets.get(record.subset, 0) + 1
            lines.append({
                "index": len(lines),
                "prompt": to_sample(record, leaf.info.subset_fields),
                "tags": list(leaf.info.tags),
                "categories": leaf.hierarchy,
                "task_type": leaf.info.task_type,
                "weight": weight,
                "dataset_name": leaf.name,
                "subset_name": record.subset,
            })
        reports.append(LeafReport(leaf, source, quota, asked, k, effective, drawn_subsets))
    return MixedSample(schema, strategy, seed, n, lines, reports, renormalised, warnings)


def _allocation_warnings(
    leaves: Sequence[FlatLeaf], alloc: Allocation, available: Sequence[int], n: int, renormalised: bool
) -> list[str]:
    warnings = []
    for leaf, asked, m, _drawn in zip(leaves, alloc.asked, available, alloc.drawn):
        if m == 0:
            warnings.append(f"leaf {leaf.path}: no samples in its source (after subset_list); it draws nothing")
        elif m < asked:
            warnings.append(f"leaf {leaf.path}: asked for {asked} samples but its source has only {m}; "
                            "the shortfall goes to leaves that still have samples")
    drawn = sum(alloc.drawn)
    if drawn < n:
        warnings.append(f"only {drawn} of the {n} requested samples exist in the sources; the file has {drawn} lines")
    non_empty = sum(1 for m in available if m)
    if n < non_empty:
        warnings.append(f"-n {n} is smaller than the number of non-empty leaves ({non_empty}); some leaves draw nothing")
    if renormalised:
        empty = [leaf.path for leaf, k in zip(leaves, alloc.drawn) if k == 0]
        warnings.append(f"weights renormalised over the leaves that drew samples (left out: {', '.join(empty)})")
    return warnings


def write_mixed(path: Path, lines: Sequence[dict[str, Any]]) -> None:
    """Write lines as EvalScope does (jsonlines defaults: ``", "``/``": "`` separators, non-ASCII kept)."""
    with path.open("w", encoding="utf-8", newline="\n") as fp:
        writer = jsonlines.Writer(fp)
        writer.write_all(lines)
        writer.close()


def sidecar_path(output: Path) -> Path:
    """Where the metadata of a sampled file lives: ``<output>.meta.json``."""
    return output.with_name(output.name + SIDECAR_SUFFIX)


def sidecar(result: MixedSample, *, schema_path: str, output: Path, version: str) -> dict[str, Any]:
    """The sidecar content: schema hash, seed, strategy, counts and the per-leaf allocation table."""
    return {
        "format": SIDECAR_FORMAT,
        "tool": "pytest-evalindex",
        "version": version,
        "schema": {"name": result.schema.name, "path": schema_path, "sha256": schema_hash(result.schema)},
        "strategy": result.strategy,
        "seed": result.seed,
        "n_requested": result.n_requested,
        "n_drawn": len(result.lines),
        "weights_renormalised": result.renormalised,
        "output": {"file": output.name, "sha256": "sha256:" + hashlib.sha256(output.read_bytes()).hexdigest()},
        "leaves": [
            {
                "path": r.leaf.path,
                "dataset_name": r.leaf.name,
                "categories": r.leaf.hierarchy,
                "subset_list": r.leaf.info.subset_list,
                "weight": r.leaf.weight,
                "effective_weight": float(r.effective_weight),
                "quota": float(r.quota),
                "available": r.available,
                "asked": r.asked,
                "drawn": r.drawn,
                "line_weight": r.line_weight,
                "drawn_subsets": r.drawn_subsets,
                "source_sha256": r.source.sha256,
            }
            for r in result.leaves
        ],
        "warnings": result.warnings,
    }


def read_sidecar(collection: Path, fingerprint: str | None = None) -> dict[str, Any] | None:
    """The sidecar of a sampled collection file, or ``None`` if it is missing, unreadable or (when
    ``fingerprint`` — :func:`pytest_evalindex.core.hashing.fingerprint` of the file — is given) stale."""
    try:
        meta = json.loads(sidecar_path(collection).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != SIDECAR_FORMAT:
        return None
    if fingerprint is not None and meta.get("output", {}).get("sha256") != fingerprint:
        return None
    return meta


def write_sidecar(result: MixedSample, *, schema_path: str, output: Path, version: str) -> Path:
    """Write the sidecar next to ``output`` (which must already be written) and return its path."""
    path = sidecar_path(output)
    content = sidecar(result, schema_path=schema_path, output=output, version=version)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
