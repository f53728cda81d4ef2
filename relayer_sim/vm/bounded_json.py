"""JSON from an untrusted contract, parsed with the limits a Rust host would apply.

A contract answers in JSON the host must read (result envelopes, ``query_chain`` requests,
query data). Python's ``json`` parses any nesting until the interpreter's recursion limit
breaks (``RecursionError``) and reads ``NaN`` and ``1e999``; serde_json, which cosmwasm-std and
wasmvm use, refuses input nested deeper than 128 levels. ``loads_bounded`` refuses the same,
and every refusal is one ``JSONLimitError`` (a ``ValueError``), never another exception.
Binary fields in that JSON are standard base64, read strictly by ``decode_base64``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any, Final

from relayer_sim.text import is_utf8

#: serde_json's default recursion limit, which cosmwasm-std's JSON decoding inherits.
MAX_DEPTH: Final = 128


class JSONLimitError(ValueError):
    """The bytes are not JSON the host accepts: malformed, too large, too deep, or a number
    out of range (Python's own limit of 4300 digits bounds integers)."""


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise JSONLimitError(f"the number {text[:20]}… is out of range")
    return number


def _refuse_constant(name: str) -> Any:
    raise JSONLimitError(f"{name} is not JSON")


def loads_bounded(data: bytes, what: str, *, max_size: int, max_depth: int = MAX_DEPTH) -> Any:
    """``data`` parsed as JSON, or ``JSONLimitError`` naming ``what`` and the limit it broke."""
    if len(data) > max_size:
        raise JSONLimitError(f"{what} is {len(data)} bytes; the limit is {max_size}")
    try:
        value = json.loads(data, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONLimitError(f"{what} is nested deeper than {max_depth} levels") from None
    except JSONLimitError as error:
        raise JSONLimitError(f"{what}: {error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise JSONLimitError(f"{what} is not valid JSON: {error}") from None
    if _plainly_within_limits(data, max_depth):
        return value
    problem = _tree_problem(value, max_depth)
    if problem is not None:
        raise JSONLimitError(f"{what} {problem}")
    return value


def _plainly_within_limits(data: bytes, max_depth: int) -> bool:
    """Whether the raw bytes alone rule out what ``_tree_problem`` looks for, as they do for
    almost every answer: ASCII with no ``\\u`` escape (``json`` decodes bytes with
    ``surrogatepass``, so a surrogate can come from an escape or from raw non-ASCII bytes), no NUL
    byte (so the text was read as UTF-8, not UTF-16 or 32, where an escape would not show as those
    bytes), and no more brackets than the depth limit (brackets inside strings only make this
    more cautious)."""
    return (
        data.isascii()
        and b"\\u" not in data
        and b"\x00" not in data
        and data.count(b"[") + data.count(b"{") <= max_depth
    )


def _tree_problem(value: Any, max_depth: int) -> str | None:
    """What serde_json would refuse in parsed ``value``: nesting past ``max_depth``, or a string
    holding a lone surrogate (Python decodes the escape ``\\ud800``; Rust and Go text cannot)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not is_utf8(item):
                return "is not valid UTF-8 text: it holds a lone surrogate escape"
            continue
        if isinstance(item, dict):
            children: list[Any] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return f"is nested deeper than {max_depth} levels"
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, str | dict | list)
        )
    return None


def decode_base64(text: object) -> bytes:
    """A JSON ``Binary``: standard, padded base64 in a string, as Go's encoding/json and
    cosmwasm-std read it; anything else (another type, a non-ASCII character, a stray byte) is
    a ``ValueError`` that says which."""
    if not isinstance(text, str):
        raise ValueError(f"must be a base64 string, got {type(text).__name__}")
    if not text.isascii():
        raise ValueError("is not valid base64: a character outside ASCII")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError(f"is not valid base64: {error}") from None
