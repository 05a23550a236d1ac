"""The schema-driven generator: every generated value validates against its schema."""

from __future__ import annotations

import random
from enum import Enum
from typing import Any, Literal, Optional

import pydantic
import pytest
from _helpers import schema_errors
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_compat_chat.testing._generate import (
    count_tokens,
    generate_from_schema,
    split_tokens,
)


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class Address(pydantic.BaseModel):
    street: str
    zip_code: str = pydantic.Field(min_length=5, max_length=5)
    country: Optional[str] = None  # noqa: UP045


class Person(pydantic.BaseModel):
    name: str = pydantic.Field(description="full name")
    age: int = pydantic.Field(ge=0, le=130)
    height_m: float = pydantic.Field(gt=0.3, lt=2.5)
    favourite: Color
    kind: Literal["a", "b"]
    addresses: list[Address] = pydantic.Field(min_length=1, max_length=3)
    scores: dict[str, int]
    nickname: str | None = None
    tags: set[str] = set()


SCHEMAS: dict[str, dict[str, Any]] = {
    "pydantic nested with $defs": Person.model_json_schema(),
    "formats": {
        "type": "object",
        "properties": {
            f: {"type": "string", "format": f}
            for f in ("date-time", "date", "time", "email", "uri", "uuid", "ipv4")
        },
        "required": ["date-time", "date", "time", "email", "uri", "uuid", "ipv4"],
    },
    "numbers": {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 13},
            "b": {"type": "number", "minimum": -1.5, "maximum": -1.25},
            "c": {"type": "integer", "multipleOf": 5, "minimum": 7, "maximum": 40},
            "d": {"type": "number", "minimum": 1000},
        },
        "required": ["a", "b", "c", "d"],
    },
    "arrays": {
        "type": "object",
        "properties": {
            "tuple": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "minItems": 2,
                "maxItems": 2,
            },
            "matrix": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "number"}, "minItems": 2},
                "minItems": 1,
                "maxItems": 2,
            },
            "unique": {
                "type": "array",
                "items": {"enum": [1, 2, 3, 4, 5]},
                "uniqueItems": True,
                "minItems": 3,
            },
        },
        "required": ["tuple", "matrix", "unique"],
    },
    "unions and consts": {
        "type": "object",
        "properties": {
            "x": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "y": {"oneOf": [{"type": "integer"}, {"type": "boolean"}]},
            "z": {"const": "fixed"},
            "w": {"type": ["number", "null"]},
            "v": {
                "allOf": [
                    {"type": "object", "properties": {"p": {"type": "integer"}}, "required": ["p"]}
                ]
            },
        },
        "required": ["x", "y", "z", "w", "v"],
    },
    "free-form object": {"type": "object", "additionalProperties": {"type": "integer"}},
    "empty parameters": {"type": "object", "properties": {}},
    "recursive": {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["value", "children"],
            }
        },
        "$ref": "#/$defs/node",
    },
}


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_generated_values_validate(name: str) -> None:
    schema = SCHEMAS[name]
    for seed in range(200):
        value = generate_from_schema(schema, random.Random(seed))
        assert schema_errors(value, schema) == [], (seed, value)


def test_pydantic_model_accepts_generated_arguments() -> None:
    for seed in range(50):
        Person.model_validate(generate_from_schema(Person.model_json_schema(), random.Random(seed)))


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {}},
        {"type": "object"},
        {"properties": {}, "type": "object"},
    ],
)
def test_object_without_properties_is_empty(schema: dict[str, Any]) -> None:
    # A tool without arguments must be called with {} (what real models send).
    assert all(generate_from_schema(schema, random.Random(s)) == {} for s in range(20))


def test_generation_is_deterministic() -> None:
    schema = Person.model_json_schema()
    assert generate_from_schema(schema, random.Random(1)) == generate_from_schema(
        schema, random.Random(1)
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_split_tokens_is_lossless(text: str) -> None:
    assert "".join(split_tokens(text)) == text
    assert count_tokens(text) == len(split_tokens(text))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=10_000),
)
def test_integer_bounds(lo: int, span: int, seed: int) -> None:
    schema = {"type": "integer", "minimum": lo, "maximum": lo + span}
    value = generate_from_schema(schema, random.Random(seed))
    assert lo <= value <= lo + span
