"""The encoder built once writes exactly what ``JSONEncoder.encode`` writes, and refuses what it refuses."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from pytest_evalindex.core.hashing import canonical_json
from pytest_evalindex.core.jsonsafe import prebuilt_encoder

STRICT = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # the writer's
CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)  # hashing's

VALUES: list[Any] = [
    "é\u2028\x00\"/", 7, -0.0, 1e-7, 2 / 3, None, True, [],
    {"b": [1.5, {"z": None, "a": "答"}], "a": (1, 2), "3": "int key"},
]


@pytest.mark.parametrize("encoder", [STRICT, CANONICAL], ids=["strict", "canonical"])
def test_same_text_as_the_stdlib_encoder(encoder: json.JSONEncoder) -> None:
    encode = prebuilt_encoder(encoder)
    for value in VALUES:
        assert encode(value) == encoder.encode(value)
    for _ in range(2):  # nothing carried over from one call (or a failed one) to the next
        with pytest.raises(ValueError):
            prebuilt_encoder(STRICT)({"x": [math.nan]})
        assert encode(VALUES[-1]) == encoder.encode(VALUES[-1])


def test_non_string_keys_as_the_stdlib_writes_them() -> None:
    value = {3: "int key", 2.5: "float key", None: "null key", True: "bool key"}
    assert prebuilt_encoder(STRICT)(value) == STRICT.encode(value)


def test_canonical_json_names_what_json_cannot_hold_and_refuses_nothing() -> None:
    assert canonical_json({"b": {1, 2}, "a": math.inf}) == '{"a":Infinity,"b":"{1, 2}"}'
    with pytest.raises(TypeError):
        prebuilt_encoder(STRICT)({"x": {1}})
