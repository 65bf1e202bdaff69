"""EvalScope's collection schema: nested groups of weighted datasets, read, written and flattened.

A schema file is EvalScope's ``CollectionSchema`` JSON: a group ``{name, weight, datasets}`` whose
``datasets`` hold leaves ``{name, weight, task_type, tags, args, hierarchy}`` or further groups (an entry
with a ``datasets`` key is a group). :func:`dump_schema_text` writes it back exactly as EvalScope does.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    Tag,
    ValidationError,
    field_validator,
)

Weight = StrictInt | StrictFloat

LEAF_KEYS = ("name", "weight", "task_type", "tags", "args", "hierarchy")
GROUP_KEYS = ("name", "weight", "datasets")
DEFAULT_SUBSET_FIELDS = ("subset_name", "subset_key")


class SchemaError(Exception):
    """A problem with a schema file, as one line naming the file, the tree path and the fix."""


def _check_weight(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, got {json.dumps(value)}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a finite number > 0, got {value}")
    return value


def _check_name(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty")
    return value


class DatasetInfo(BaseModel):
    """A leaf: one benchmark (``name`` selects its scorer) with its weight among its siblings."""

    model_config = ConfigDict(extra="forbid")

    name: str
    weight: Weight = 1.0
    task_type: str = ""
    tags: list[str] = Field(default_factory=list)
    args: dict[str, Any] = Field(default_factory=dict)
    hierarchy: list[str] = Field(default_factory=list)

    _weight = field_validator("weight", mode="before")(_check_weight)
    _name = field_validator("name", mode="before")(_check_name)

    @field_validator("args")
    @classmethod
    def _known_args_typed(cls, args: dict[str, Any]) -> dict[str, Any]:
        for key in ("local_path", "subset_field", "subset_key"):
            if key in args and not (isinstance(args[key], str) and args[key]):
                raise ValueError(f"{key} must be a non-empty string")
        subsets = args.get("subset_list")
        if subsets is not None and not (
            isinstance(subsets, list) and all(isinstance(s, str) for s in subsets)
        ):
            raise ValueError("subset_list must be a list of subset names (strings)")
        return args

    @property
    def local_path(self) -> str | None:
        """``args.local_path``: a JSONL file or a folder of JSONL files."""
        value = self.args.get("local_path")
        return value if isinstance(value, str) else None

    @property
    def subset_list(self) -> list[str] | None:
        """``args.subset_list``: the subsets to keep (``None`` keeps all)."""
        value = self.args.get("subset_list")
        return list(value) if isinstance(value, list) else None

    @property
    def subset_fields(self) -> tuple[str, ...]:
        """Source-line fields that may name the subset, in order of preference."""
        named = self.args.get("subset_field") or self.args.get("subset_key")
        return (named,) if isinstance(named, str) else DEFAULT_SUBSET_FIELDS


def _node_kind(value: Any) -> str:
    if isinstance(value, CollectionSchema) or (isinstance(value, dict) and "datasets" in value):
        return "group"
    return "leaf"


Node = Annotated[
    Annotated["CollectionSchema", Tag("group")] | Annotated[DatasetInfo, Tag("leaf")],
    Discriminator(_node_kind),
]


class CollectionSchema(BaseModel):
    """A group of datasets and nested groups; the root's own weight does not matter."""

    model_config = ConfigDict(extra="forbid")

    name: str
    weight: Weight = 1.0
    datasets: list[Node]

    _weight = field_validator("weight", mode="before")(_check_weight)
    _name = field_validator("name", mode="before")(_check_name)

    @field_validator("datasets")
    @classmethod
    def _not_empty(cls, value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError("a group needs at least one dataset or group")
        return value

    def to_dict(self) -> dict[str, Any]:
        """EvalScope's ``CollectionSchema.to_dict()``: every leaf field, in EvalScope's key order."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class FlatLeaf:
    """A leaf after flattening: its path in the tree and its normalised weight."""

    info: DatasetInfo
    path: str
    """``root/group/…/name``; a repeated path gets ``#2``, ``#3`` … so it stays unique."""
    tree_path: str
    """Where the leaf sits in the JSON, e.g. ``datasets[1].datasets[0]`` (for error messages)."""
    exact_weight: Fraction
    """Product of the sibling-normalised weights along the path, computed exactly."""

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def hierarchy(self) -> list[str]:
        """Group names from the root down to the leaf's parent (EvalScope's ``categories``)."""
        return list(self.info.hierarchy)

    @property
    def weight(self) -> float:
        """The normalised weight; all leaves' weights sum to 1."""
        return float(self.exact_weight)


def _exact(weight: int | float) -> Fraction:
    # The shortest repr of a float parsed from JSON is the decimal the user wrote, so 0.29 stays 29/100.
    return Fraction(weight) if isinstance(weight, int) else Fraction(repr(weight))


def flatten(schema: CollectionSchema) -> list[FlatLeaf]:
    """Leaves in depth-first declaration order with weights multiplied along the path and normalised."""
    leaves: list[FlatLeaf] = []
    seen: dict[str, int] = {}

    def walk(group: CollectionSchema, base: Fraction, names: list[str], where: str) -> None:
        total = sum((_exact(child.weight) for child in group.datasets), Fraction(0))
        for i, child in enumerate(group.datasets):
            share = base * _exact(child.weight) / total
            child_where = f"{where}datasets[{i}]"
            if isinstance(child, CollectionSchema):
                walk(child, share, names + [child.name], child_where + ".")
                continue
            path = "/".join(names + [child.name])
            seen[path] = seen.get(path, 0) + 1
            if seen[path] > 1:
                path = f"{path}#{seen[path]}"
            info = child.model_copy(update={"hierarchy": list(names)}, deep=True)
            leaves.append(FlatLeaf(info=info, path=path, tree_path=child_where, exact_weight=share))

    walk(schema, Fraction(1), [schema.name], "")
    return leaves


def schema_hash(schema: CollectionSchema) -> str:
    """``sha256:<hex>`` of the canonical schema JSON (sorted keys, compact): the schema's version."""
    canonical = json.dumps(schema.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dump_schema_text(schema: CollectionSchema) -> str:
    """The schema as EvalScope's ``dump_json`` writes it (indent 4, non-ASCII kept, no final newline)."""
    return json.dumps(schema.to_dict(), ensure_ascii=False, indent=4)


def dump_schema(schema: CollectionSchema, path: Path) -> None:
    """Write ``schema`` to ``path`` in EvalScope's format."""
    path.write_text(dump_schema_text(schema), encoding="utf-8")


def parse_schema(data: Any, source: str = "<schema>") -> CollectionSchema:
    """Validate a decoded schema JSON object; errors name ``source`` and the path in the tree."""
    if not isinstance(data, dict) or "datasets" not in data:
        raise SchemaError(
            f"{source}: the top level must be a group object with \"name\" and \"datasets\" "
            "(EvalScope's CollectionSchema JSON)"
        )
    try:
        return CollectionSchema.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(f"{source}: {_describe(exc, data)}") from None


def load_schema(path: Path) -> CollectionSchema:
    """Read and validate a schema JSON file, or raise :class:`SchemaError` with one clear line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such schema file; pass the path of a schema JSON file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path}: cannot read the schema ({exc}); save it as UTF-8 JSON") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    return parse_schema(data, str(path))


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    first = exc.errors()[0]
    parts: list[str] = []
    kind = "group"
    node: Any = data
    names = [str(data.get("name", "?"))]
    for item in first["loc"]:
        if item in ("group", "leaf"):
            kind = str(item)
            continue
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and "name" in node:
                names.append(str(node["name"]))
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    where = ".".join(parts) or "(top level)"
    msg = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "missing":
        msg = "is required"
    elif first["type"] == "extra_forbidden":
        keys = GROUP_KEYS if kind == "group" else LEAF_KEYS
        hint = "" if kind == "group" else " (benchmark options go under args)"
        msg = f"unknown key; a {'group' if kind == 'group' else 'dataset'} takes {', '.join(keys)}{hint}"
    elif first["type"].startswith(("int_", "float_")) and parts and parts[-1] == "weight":
        msg = f"must be a number, got {json.dumps(first.get('input'))}"
    return f"{where} ({'/'.join(names)}): {msg}"
