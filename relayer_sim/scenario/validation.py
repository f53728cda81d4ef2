"""pydantic's verdict on a scenario, told in the file's terms: every error, each a ``Fault``.

pydantic lists errors in the order of the models' fields and of the file's entries, so the list
is the same on every run. An error's location names union members the file never writes
(``('timeline', 2, 'fork', 'height')``); following it through the parsed TOML keeps only what the
file has (``timeline[2].height``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from relayer_sim.scenario.base import MISMATCH
from relayer_sim.scenario.errors import Fault, show

#: Expectations of pydantic's own errors that need no context, as a TOML user would say them.
_EXPECTED: Final = {
    "missing": "a value",
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "tuple_type": "a list",
    "model_type": "a table",
    "model_attributes_type": "a table",
}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ABSENT: Final = object()


def faults_of(error: ValidationError, data: Mapping[str, Any]) -> list[Fault]:
    """``error``'s faults in ``data``, the TOML it was validated from, each once. An error
    about a value whose parts have errors of their own (a list too short because its one
    entry failed) is their echo, and left out."""
    details = error.errors(include_url=False)
    locations = [tuple(detail["loc"]) for detail in details]
    causes = [
        detail
        for detail, location in zip(details, locations, strict=True)
        if not any(
            len(other) > len(location) and other[: len(location)] == location for other in locations
        )
    ]
    return list(dict.fromkeys(_fault(detail, data) for detail in causes))


def _fault(detail: ErrorDetails, data: Mapping[str, Any]) -> Fault:
    context = detail.get("ctx", {})
    location = tuple(detail["loc"])
    names_a_field = detail["type"] == "missing" or "field" in context
    if "field" in context:
        location += (context["field"],)
    path, value = _follow(location, data, keep_last=names_a_field)
    if "got" in context:
        got = context["got"]
    elif names_a_field:
        got = "nothing" if value is _ABSENT else show(value)
    else:
        got = show(detail["input"])
    return Fault(format_path(path), _expected(detail), got)


def format_path(path: Sequence[str | int]) -> str:
    """``('timeline', 2, 'action')`` → ``timeline[2].action``."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            key = segment if _BARE_KEY.fullmatch(segment) else show(segment)
            text += f".{key}" if text else key
    return text


def _follow(
    location: tuple[str | int, ...], data: Mapping[str, Any], keep_last: bool
) -> tuple[list[str | int], object]:
    """The segments of ``location`` that exist in ``data``, and the value they lead to.

    A segment the data lacks is a union member's tag, except a last one that names a field
    (a missing field, or one a check pointed at): that one is kept, leading to no value.
    """
    path: list[str | int] = []
    current: object = data
    for index, segment in enumerate(location):
        child = _child(current, segment)
        if child is _ABSENT and not (keep_last and index == len(location) - 1):
            continue
        path.append(segment)
        current = child
    return path, current


def _child(value: object, segment: str | int) -> object:
    if isinstance(value, Mapping):
        return value.get(segment, _ABSENT)
    if isinstance(value, list) and isinstance(segment, int) and 0 <= segment < len(value):
        return value[segment]
    return _ABSENT


def _expected(detail: ErrorDetails) -> str:
    kind, context = detail["type"], detail.get("ctx", {})
    if kind == MISMATCH:
        return str(context["expected"])
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", context["expected"])
        return f"one of {', '.join(choices)}"
    if kind == "greater_than":
        return f"a number greater than {context['gt']}"
    if kind == "greater_than_equal":
        return f"a number of at least {context['ge']}"
    if kind == "less_than_equal":
        return f"a number of at most {context['le']}"
    if kind == "too_short":
        count = context["min_length"]
        return f"at least {count} {'entry' if count == 1 else 'entries'}"
    return detail["msg"].removeprefix("Input should be ")
