"""Messages as bytes: what governance stores inside a proposal and what a block log keeps.

A message is msgpack ``[type name, [field values in declaration order]]``. Only the message
types of ``messages.py`` are known; anything else is refused with ``InvalidMessage``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import msgpack

from relayer_sim.host import messages
from relayer_sim.host.errors import InvalidMessage

_TYPES: Final[dict[str, type[Any]]] = {cls.__name__: cls for cls in messages.MESSAGE_TYPES}


def encode_message(msg: object) -> bytes:
    name = type(msg).__name__
    if _TYPES.get(name) is not type(msg):
        raise InvalidMessage(f"not a host message: {name}")
    values = [_encode_field(getattr(msg, field.name)) for field in dataclasses.fields(msg)]  # type: ignore[arg-type]
    return msgpack.packb([name, values])  # type: ignore[no-any-return]


def decode_message(data: bytes) -> messages.Msg:
    try:
        name, values = msgpack.unpackb(data, raw=False)
        cls = _TYPES[name]
        if len(values) != len(dataclasses.fields(cls)):
            raise ValueError(f"{name} needs {len(dataclasses.fields(cls))} fields")
        msg: messages.Msg = cls(*(_decode_field(value) for value in values))
    except (ValueError, TypeError, KeyError, msgpack.UnpackException) as error:
        raise InvalidMessage(f"undecodable message: {error}") from None
    return msg


def _encode_field(value: object) -> object:
    """Scalars as they are; a tuple is a proposal's messages, each encoded in turn."""
    if isinstance(value, tuple):
        return [encode_message(item) for item in value]
    return value


def _decode_field(value: object) -> object:
    if isinstance(value, list):
        return tuple(decode_message(item) for item in value)
    return value
