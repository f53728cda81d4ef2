"""ICS-03 connection ends as ibc-go stores and proves them: ``ConnectionEnd`` protobuf bytes.

A connection end is what one chain knows of a connection: the client it proves the other chain
with, the other end (its client of this chain, its connection id, the prefix its IBC store is
proven under), the versions agreed, the handshake stage and the delay period. The bytes are
gogoproto's: ``counterparty`` and its ``prefix`` are always written, even empty, so a value a
light client proves is the one ibc-go would have stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from google.protobuf.message import DecodeError

from relayer_sim.formats.proto.ibc.core.connection.v1 import connection_pb2


class ConnectionState(IntEnum):
    UNINITIALIZED = 0
    INIT = 1
    TRYOPEN = 2
    OPEN = 3

    def __str__(self) -> str:
        """The name Go prints (``STATE_OPEN``), as ibc-go's errors show it."""
        return connection_pb2.State.Name(self.value)


@dataclass(frozen=True)
class Version:
    """A connection version: an identifier and the channel orderings it allows."""

    identifier: str
    features: tuple[str, ...]


#: ibc-go's only compatible version (``DefaultIBCVersion``).
DEFAULT_VERSION: Final = Version("1", ("ORDER_ORDERED", "ORDER_UNORDERED"))


@dataclass(frozen=True)
class ConnectionCounterparty:
    client_id: str
    #: Empty until the other end exists (on ``INIT``).
    connection_id: str
    #: The other chain's commitment prefix: the store its IBC state is proven under.
    prefix: bytes


@dataclass(frozen=True)
class ConnectionEnd:
    client_id: str
    versions: tuple[Version, ...]
    state: ConnectionState
    counterparty: ConnectionCounterparty
    #: Nanoseconds a proven packet state must have been trusted before use (ibc-go's
    #: ``DelayPeriod``).
    delay_period_ns: int

    def encode(self) -> bytes:
        message = connection_pb2.ConnectionEnd(
            client_id=self.client_id,
            versions=[
                connection_pb2.Version(identifier=v.identifier, features=v.features)
                for v in self.versions
            ],
            state=str(self.state),
            delay_period=self.delay_period_ns,
        )
        counterparty = message.counterparty
        counterparty.SetInParent()
        counterparty.client_id = self.counterparty.client_id
        counterparty.connection_id = self.counterparty.connection_id
        counterparty.prefix.SetInParent()
        counterparty.prefix.key_prefix = self.counterparty.prefix
        return message.SerializeToString(deterministic=True)

    @classmethod
    def decode(cls, data: bytes) -> ConnectionEnd:
        """Raises ``ValueError`` on bytes that are no connection end."""
        message = connection_pb2.ConnectionEnd()
        try:
            message.ParseFromString(data)
        except DecodeError as error:
            raise ValueError(f"not a connection end: {error}") from None
        if message.state not in ConnectionState._value2member_map_:
            raise ValueError(f"not a connection end: unknown state {message.state}")
        counterparty = message.counterparty
        return cls(
            message.client_id,
            tuple(Version(v.identifier, tuple(v.features)) for v in message.versions),
            ConnectionState(message.state),
            ConnectionCounterparty(
                counterparty.client_id, counterparty.connection_id, counterparty.prefix.key_prefix
            ),
            message.delay_period,
        )


def encode_client_paths(connection_ids: tuple[str, ...]) -> bytes:
    """The ``ClientPaths`` of a client's connections."""
    return connection_pb2.ClientPaths(paths=connection_ids).SerializeToString(deterministic=True)


def decode_client_paths(data: bytes) -> tuple[str, ...]:
    message = connection_pb2.ClientPaths()
    try:
        message.ParseFromString(data)
    except DecodeError as error:
        raise ValueError(f"not a client's connection paths: {error}") from None
    return tuple(message.paths)
