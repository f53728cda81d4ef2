"""Protobuf's base-128 varints, the length prefix of every Go encoding these formats copy.

CometBFT's delimited messages, the SDK's ``KVPair``, ICS-23's ``VAR_PROTO`` lengths and iavl's
node prefixes all write integers this way: one encoder, so the four formats cannot drift apart.
"""

from __future__ import annotations


def uvarint(number: int) -> bytes:
    """Go's ``binary.PutUvarint``: seven bits a byte, low bits first, high bit set on all but
    the last byte."""
    if number < 0:
        raise ValueError(f"an unsigned varint cannot hold {number}")
    out = bytearray()
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def varint(number: int) -> bytes:
    """Go's ``binary.PutVarint``: the zigzag of ``number`` (0, -1, 1, -2… → 0, 1, 2, 3…) as a
    ``uvarint``."""
    return uvarint(number << 1 if number >= 0 else ((-number) << 1) - 1)


def length_prefixed(data: bytes) -> bytes:
    """``data`` after its length as a ``uvarint``."""
    return uvarint(len(data)) + data
