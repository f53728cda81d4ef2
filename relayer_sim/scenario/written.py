"""How a kind of scenario value is written in a file, for the two places that tell users: the
reference (``docs/scenarios.md``) and the JSON Schema editors check files against.

A model keeps durations as integer nanoseconds and fractions as ``Fraction``, but a file writes
``"6s"`` and ``"1/3"``: a ``Written`` in a field's ``Annotated`` metadata says so, in words and
as a JSON Schema, and turns a kept value (a default) back into its written form.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from relayer_sim.scenario.durations import format_duration

#: A duration as ``parse_duration`` reads it: whole numbers with units (the order of the units,
#: largest first, is left to the loader, which says so).
DURATION_PATTERN = r"^([0-9]+(ms|s|m|h|d))+$"


def _as_is(value: object) -> object:
    return value


@dataclass(frozen=True, eq=False)  # hashed by identity: typing hashes ``Annotated`` metadata
class Written:
    """How values of one kind are written: ``text`` for a person, ``schema`` (None: what
    pydantic derives from the type and its bounds) for an editor, ``to_file`` for a kept value
    such as a default."""

    text: str
    schema: Mapping[str, Any] | None = None
    to_file: Callable[[Any], object] = field(default=_as_is)

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if self.schema is None:
            return handler(core_schema)
        return dict(self.schema)


def duration_text(value: object) -> object:
    """A kept duration (ns) as a file writes it; ``None`` (``"never"``) as ``"never"``."""
    if value is None:
        return "never"
    return format_duration(value) if isinstance(value, int) else value


def fraction_text(value: object) -> object:
    """A kept fraction (``Fraction`` or ``(n, d)``) as a file writes it: ``"n/d"``."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, tuple) and len(value) == 2:
        return f"{value[0]}/{value[1]}"
    return value


def string(**constraints: object) -> dict[str, object]:
    """The JSON Schema of a string with ``constraints`` (``pattern``, ``maxLength``…)."""
    return {"type": "string", **constraints}


@dataclass(frozen=True, eq=False)
class OneOrMany:
    """A list that a file may write as one table when it has one entry (``[traffic]`` for a
    ``[[traffic]]`` of one): its schema takes either."""

    text = "a table, or a list of tables"

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        many = handler(core_schema)
        return {"anyOf": [many["items"], many]} if "items" in many else many


def toml_inline(value: Any) -> str:
    """A JSON-native value as TOML writes it inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return (
            "{ " + ", ".join(f"{key} = {toml_inline(item)}" for key, item in value.items()) + " }"
        )
    return str(value)
