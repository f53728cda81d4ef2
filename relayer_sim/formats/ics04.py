"""ICS-04 channel ends as ibc-go stores and proves them: ``Channel`` protobuf bytes.

A channel end is one chain's side of a channel: its handshake stage, its ordering, the other
end's port and channel, the connection it runs over and the application version. The bytes are
gogoproto's: ``counterparty`` is always written, even empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from google.protobuf.message import DecodeError

from relayer_sim.formats.proto.ibc.core.channel.v1 import channel_pb2


class ChannelState(IntEnum):
    UNINITIALIZED = 0
    INIT = 1
    TRYOPEN = 2
    OPEN = 3
    CLOSED = 4

    def __str__(self) -> str:
        """The name Go prints (``STATE_OPEN``), as ibc-go's errors show it."""
        return channel_pb2.State.Name(self.value)


class Order(IntEnum):
    NONE = 0
    UNORDERED = 1
    ORDERED = 2

    def __str__(self) -> str:
        """Go's name (``ORDER_ORDERED``): also the feature a connection version lists."""
        return channel_pb2.Order.Name(self.value)


@dataclass(frozen=True)
class ChannelCounterparty:
    port_id: str
    #: Empty until the other end exists (on ``INIT``).
    channel_id: str


@dataclass(frozen=True)
class ChannelEnd:
    state: ChannelState
    ordering: Order
    counterparty: ChannelCounterparty
    connection_hops: tuple[str, ...]
    version: str

    def encode(self) -> bytes:
        message = channel_pb2.Channel(
            state=str(self.state),
            ordering=str(self.ordering),
            connection_hops=self.connection_hops,
            version=self.version,
        )
        message.counterparty.SetInParent()
        message.counterparty.port_id = self.counterparty.port_id
        message.counterparty.channel_id = self.counterparty.channel_id
        return message.SerializeToString(deterministic=True)

    @classmethod
    def decode(cls, data: bytes) -> ChannelEnd:
        """Raises ``ValueError`` on bytes that are no channel end."""
        message = channel_pb2.Channel()
        try:
            message.ParseFromString(data)
        except DecodeError as error:
            raise ValueError(f"not a channel end: {error}") from None
        if message.state not in ChannelState._value2member_map_:
            raise ValueError(f"not a channel end: unknown state {message.state}")
        if message.ordering not in Order._value2member_map_:
            raise ValueError(f"not a channel end: unknown ordering {message.ordering}")
        return cls(
            ChannelState(message.state),
            Order(message.ordering),
            ChannelCounterparty(message.counterparty.port_id, message.counterparty.channel_id),
            tuple(message.connection_hops),
            message.version,
        )
