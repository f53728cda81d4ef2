"""Messages as bytes: what governance stores inside a proposal.

A message is msgpack ``[type name, [field values in declaration order]]``; a field holding a
value type (a packet, a height, a connection or channel end) is a map ``{"type": name,
"fields": [...]}``, an enum (a channel's state or ordering) ``{"enum": name, "value": n}``, and
a tuple a list of its items, each encoded the same way except a message (a proposal's), which
is its encoded bytes. Only the types named here are known; anything else is refused with
``InvalidMessage``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import msgpack

from relayer_sim.formats.ics03 import ConnectionCounterparty, Version
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.host import messages
from relayer_sim.host.errors import InvalidMessage
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet

_TYPES: Final[dict[str, type[Any]]] = {cls.__name__: cls for cls in messages.MESSAGE_TYPES}
_VALUE_TYPES: Final[dict[str, type[Any]]] = {
    cls.__name__: cls
    for cls in (
        Packet,
        Height,
        Version,
        ConnectionCounterparty,
        ChannelEnd,
        ChannelCounterparty,
    )
}
_ENUMS: Final[dict[str, type[Any]]] = {cls.__name__: cls for cls in (ChannelState, Order)}


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
    except (ValueError, TypeError, KeyError, AttributeError, msgpack.UnpackException) as error:
        raise InvalidMessage(f"undecodable message: {error}") from None
    return msg


def _encode_field(value: object) -> object:
    """Scalars as they are; the rest as the module's docstring says."""
    if isinstance(value, tuple):
        return [
            encode_message(item) if type(item) in messages.MESSAGE_TYPES else _encode_field(item)
            for item in value
        ]
    name = type(value).__name__
    if _ENUMS.get(name) is type(value):
        return {"enum": name, "value": int(value)}  # type: ignore[call-overload]
    if _VALUE_TYPES.get(name) is type(value):
        fields = dataclasses.fields(value)  # type: ignore[arg-type]
        return {"type": name, "fields": [_encode_field(getattr(value, f.name)) for f in fields]}
    return value


def _decode_field(value: object) -> object:
    if isinstance(value, list):
        return tuple(
            decode_message(item) if isinstance(item, bytes) else _decode_field(item)
            for item in value
        )
    if isinstance(value, dict) and "enum" in value:
        return _ENUMS[value["enum"]](value["value"])
    if isinstance(value, dict):
        cls = _VALUE_TYPES[value["type"]]
        return cls(*(_decode_field(item) for item in value["fields"]))
    return value
