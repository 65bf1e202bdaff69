"""The judge's reply format: one JSON object checked against a small schema (EvalScope 1.14.1's contract).

The reply is scanned for top-level ``{...}`` objects with string-aware brace matching, so prose,
code fences or a ``<think>`` block around the object are tolerated; exactly one object must be
found, it must decode to a JSON object, and it must validate against the schema (extra keys are
allowed, pydantic's usual coercion applies). There is no regex fallback: anything else is a
parse error, which excludes the case instead of scoring it zero.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

REQUIRED: Any = ...
"""The ``default`` of a field the judge must give."""


@dataclass(frozen=True)
class VerdictField:
    """One key of the judge's reply: a label out of ``labels``, a number/integer in ``[low, high]``, or text.

    A field with a ``default`` may be left out (the default stands in); one given must still fit.
    """

    name: str
    labels: tuple[str, ...] = ()
    kind: str = "label"  # label | int_label (integer labels, also given as their digits) | int | float | text | list
    # | bool (pydantic's lax booleans: true/false, also "yes"/"no", 1/0 and the like)
    # | model (any pydantic type in ``annotation``, e.g. a list of objects; ``description`` names it)
    low: float | None = None
    high: float | None = None
    default: Any = REQUIRED
    annotation: Any = None
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe(self) -> str:
        """How the instruction sentence names the allowed values."""
        if self.kind == "label":
            return "one of " + ", ".join(json.dumps(label, ensure_ascii=False) for label in self.labels)
        if self.kind == "int_label":
            return "one of " + ", ".join(self.labels)
        if self.kind == "text":
            return "text"
        if self.kind == "list":
            return "a list of strings"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "model":
            return self.description
        what = "an integer" if self.kind == "int" else "a number"
        bounds = [f"at least {_plain(self.low)}" if self.low is not None else "",
                  f"at most {_plain(self.high)}" if self.high is not None else ""]
        bounds = [b for b in bounds if b]
        return what + (" " + " and ".join(bounds) if bounds else "")


def _digits(value: Any, labels: tuple[str, ...]) -> Any:
    """An integer label given as exactly its digits (``"1"``, spaces around allowed) is that integer."""
    return int(value.strip()) if isinstance(value, str) and value.strip() in labels else value


def _optional(spec: VerdictField) -> str:
    return "" if spec.required else f" (may be left out; default {json.dumps(spec.default)})"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@dataclass(frozen=True)
class VerdictSchema:
    """The keys of a verdict: an optional free-text ``reason_key`` and the required ``fields``."""

    name: str
    fields: tuple[VerdictField, ...]
    reason_key: str | None = "reasoning"
    # A whole-verdict check after validation: a one-line problem (the verdict is unusable) or None.
    check: Callable[[BaseModel], str | None] | None = field(default=None, compare=False)
    _model: Any = field(default=None, init=False, repr=False, compare=False)

    def identity(self) -> dict[str, Any]:
        """What the cache key records of the schema."""
        return {"name": self.name, "reason": self.reason_key,
                "fields": [[f.name, f.kind, list(f.labels), f.low, f.high] + ([] if f.required else [f.default])
                           + ([f.description] if f.kind == "model" else []) for f in self.fields]}

    @property
    def model(self) -> type[BaseModel]:
        if self._model is None:
            definitions: dict[str, Any] = {self.reason_key: (str, "")} if self.reason_key else {}
            for spec in self.fields:
                if spec.kind == "label":
                    definitions[spec.name] = (Literal[spec.labels], spec.default)
                elif spec.kind == "int_label":
                    choices = Literal[tuple(int(label) for label in spec.labels)]  # type: ignore[valid-type]
                    digits = BeforeValidator(lambda value, labels=spec.labels: _digits(value, labels))
                    definitions[spec.name] = (Annotated[choices, digits], spec.default)
                elif spec.kind == "text":
                    definitions[spec.name] = (str, spec.default)
                elif spec.kind == "bool":
                    definitions[spec.name] = (bool, spec.default)
                elif spec.kind == "model":
                    definitions[spec.name] = (spec.annotation, spec.default)
                elif spec.kind == "list":
                    definitions[spec.name] = (list[str], Field(default_factory=list) if spec.default == [] else
                                              spec.default)
                else:
                    number: type = int if spec.kind == "int" else float
                    definitions[spec.name] = (number, Field(spec.default, ge=spec.low, le=spec.high))
            model = create_model(self.name, __config__=ConfigDict(extra="allow"), **definitions)
            object.__setattr__(self, "_model", model)
        return self._model  # type: ignore[no-any-return]

    def instruction(self) -> str:
        """The sentence appended to every judge prompt that uses this schema (our wording)."""
        lines = [f'- "{self.reason_key}" (text): your reasoning, briefly'] if self.reason_key else []
        lines += [f'- "{f.name}": {f.describe()}' + _optional(f) for f in self.fields]
        return ("\n\nAnswer with one JSON object and nothing else. It must have these keys (other keys are "
                "ignored):\n" + "\n".join(lines))

    def parse(self, reply: str) -> Verdict | str:
        """The verdict in ``reply``, or a one-line reason it is unusable."""
        if not reply:
            return "the judge's reply is empty"
        objects = top_level_objects(reply)
        if not objects:
            return "no JSON object in the judge's reply"
        if len(objects) > 1:
            return f"{len(objects)} JSON objects in the judge's reply; exactly one is allowed"
        try:
            data = json.loads(objects[0])
        except json.JSONDecodeError as exc:
            return f"the judge's JSON does not decode: {exc}"
        if not isinstance(data, dict):
            return f"the judge's reply is a JSON {type(data).__name__}, not an object"
        try:
            validated = self.model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "<root>"
            return f"the judge's verdict does not fit {self.name}: {where}: {first['msg']}"
        problem = self.check(validated) if self.check is not None else None
        if problem is not None:
            return f"the judge's verdict does not fit {self.name}: {problem}"
        parsed = validated.model_dump()
        values = {f.name: parsed[f.name] for f in self.fields}  # nested verdicts as plain JSON data
        reasoning = getattr(validated, self.reason_key or "reasoning", "")
        return Verdict(values=values, reasoning=reasoning if isinstance(reasoning, str) else "", parsed=parsed)


@dataclass(frozen=True)
class Verdict:
    """A usable verdict: the schema's field values, the judge's reasoning, and the whole object as parsed."""

    values: dict[str, Any]
    reasoning: str = ""
    parsed: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def top_level_objects(text: str) -> list[str]:
    """Every outermost ``{...}`` span of ``text``; braces inside JSON strings do not count."""
    spans: list[str] = []
    depth = 0
    begin = 0
    quoted = False
    escape = False
    for position, char in enumerate(text):
        if quoted:
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            if depth == 0:
                begin = position
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[begin:position + 1])
    return spans


def label_schema(name: str, labels: tuple[str, ...], key: str = "verdict",
                 reason_key: str | None = "reasoning") -> VerdictSchema:
    """A schema whose one required key is a label out of ``labels``."""
    return VerdictSchema(name=name, fields=(VerdictField(key, labels=labels),), reason_key=reason_key)
