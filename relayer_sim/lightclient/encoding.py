"""Canonical msgpack: every light-client value has exactly one byte encoding.

msgpack can write one value in several ways (5 as ``05`` or ``cc 05``; 300 as a uint16 or an
int16). A light client must not accept two byte strings for one message, or a relayer could
alter "signed" data without changing what it means, and a changed byte would go unnoticed. So
decoders accept only the encoding ``msgpack.packb`` produces (the minimal one), and the Zig
contracts apply the same rule.
"""

from __future__ import annotations

from typing import Any, TypeGuard

import msgpack


class NotCanonical(ValueError):
    """Bytes that are not the canonical msgpack encoding of one value."""


def unpack_canonical(data: bytes) -> Any:
    """The value ``data`` encodes, if ``data`` is its canonical encoding."""
    try:
        document = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except (ValueError, msgpack.UnpackException) as error:
        raise NotCanonical(f"not valid msgpack: {error}") from None
    if msgpack.packb(document) != data:
        raise NotCanonical("not the canonical (minimal) msgpack encoding")
    return document


def is_uint(value: object) -> TypeGuard[int]:
    """An unsigned 64-bit integer: never a bool or a float, which Python compares equal to one
    (``True == 1``, ``0.0 == 0``) but which are other values with other encodings."""
    return type(value) is int and 0 <= value < 2**64


def is_tag(value: object, tag: int) -> bool:
    """Whether ``value`` is the integer ``tag`` that opens a tagged array."""
    return is_uint(value) and value == tag
