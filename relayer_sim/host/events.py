"""The SDK events a transaction's message emits, with ibc-go's types and attribute keys.

They are read off what the message did (its result and the state it left), only for a
transaction that succeeded and changed something: a failed one's events are discarded with its
writes, and ibc-go's no-ops (a packet received or acknowledged before) emit none, as the message
servers drop their cached context. Attribute values are text, as CometBFT carries them: heights
``{revision}-{height}``, checksums in hex, packet data in hex.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from relayer_sim.formats.ics04 import Order
from relayer_sim.host.clients import Migration, UpdateOutcome
from relayer_sim.host.messages import (
    ChannelStep,
    ConnectionStep,
    Msg,
    MsgAcknowledgement,
    MsgChannelCloseConfirm,
    MsgChannelCloseInit,
    MsgChannelOpenAck,
    MsgChannelOpenConfirm,
    MsgChannelOpenInit,
    MsgChannelOpenTry,
    MsgConnectionOpenAck,
    MsgConnectionOpenConfirm,
    MsgConnectionOpenInit,
    MsgConnectionOpenTry,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgStoreCode,
    MsgTimeout,
    MsgTimeoutOnClose,
    MsgUpdateClient,
    MsgUpgradeClient,
)
from relayer_sim.host.packets import PacketOutcome
from relayer_sim.lightclient.packets import SUCCESS_ACKNOWLEDGEMENT, Packet

if TYPE_CHECKING:
    from relayer_sim.host.app import Keepers


#: Every event type a message emits here, ibc-go's name → what one tells (its attributes carry
#: ibc-go's keys).
SDK_EVENT_TYPES: Final[Mapping[str, str]] = {
    "store_wasm_code": "08-wasm stored a contract: its checksum.",
    "migrate_contract": "08-wasm moved a client to new code: the old and new checksums.",
    "create_client": "02-client created a client: its id, type and consensus height.",
    "update_client": "A client took a header: the consensus heights it added.",
    "client_misbehaviour": "A client took evidence of misbehaviour and froze.",
    "upgrade_client": "A client followed its counterparty's planned upgrade.",
    "recover_client": "Governance recovered a client from a substitute.",
    **{
        f"connection_open_{step}": f"03-connection: the handshake's Open{step.title()} step."
        for step in ("init", "try", "ack", "confirm")
    },
    **{
        f"channel_open_{step}": f"04-channel: the handshake's Open{step.title()} step."
        for step in ("init", "try", "ack", "confirm")
    },
    "channel_close_init": "04-channel: the host closed its end.",
    "channel_close_confirm": "04-channel: the host closed its end, as the counterparty had.",
    "channel_close": "04-channel: a timeout closed an ordered channel.",
    "send_packet": "The host sent a packet: its sequence, ends, timeouts and data.",
    "recv_packet": "The host received a packet.",
    "write_acknowledgement": "The host wrote a received packet's acknowledgement.",
    "acknowledge_packet": "The counterparty's acknowledgement of a host packet was proven.",
    "timeout_packet": "A host packet was proven never received (a timeout, or on close).",
}


@dataclass(frozen=True)
class SdkEvent:
    """One event: its type and its attributes, in ibc-go's order."""

    type: str
    attributes: tuple[tuple[str, str], ...]

    def as_data(self) -> dict[str, str]:
        return dict(self.attributes)


def _client_type(client_id: str) -> str:
    return client_id.rpartition("-")[0]


def message_events(
    msg: Msg, result: object, keepers: Callable[[], Keepers]
) -> tuple[SdkEvent, ...]:
    """The events of ``msg``, which succeeded with ``result``; ``keepers`` gives the modules
    over the state it left, asked for only by events that read it (an update's do not)."""
    match msg:
        case MsgStoreCode():
            assert isinstance(result, bytes)
            return (SdkEvent("store_wasm_code", (("wasm_checksum", result.hex()),)),)
        case MsgMigrateContract(_, client_id):
            assert isinstance(result, Migration)
            attributes = (
                ("client_id", client_id),
                ("wasm_checksum", result.old_checksum.hex()),
                ("new_checksum", result.new_checksum.hex()),
            )
            return (SdkEvent("migrate_contract", attributes),)
        case MsgCreateClient():
            assert isinstance(result, str)
            return (_client_event("create_client", result, keepers()),)
        case MsgUpgradeClient(_, upgraded):
            return (_client_event("upgrade_client", upgraded, keepers()),)
        case MsgUpdateClient(_, client_id):
            assert isinstance(result, UpdateOutcome)
            return (_update_event(client_id, result),)
        case MsgRecoverClient(_, subject):
            recovered = (("subject_client_id", subject), ("client_type", _client_type(subject)))
            return (SdkEvent("recover_client", recovered),)
        case (
            MsgConnectionOpenInit()
            | MsgConnectionOpenTry()
            | MsgConnectionOpenAck()
            | MsgConnectionOpenConfirm()
        ):
            return (_connection_event(msg, result, keepers()),)
        case (
            MsgChannelOpenInit()
            | MsgChannelOpenTry()
            | MsgChannelOpenAck()
            | MsgChannelOpenConfirm()
            | MsgChannelCloseInit()
            | MsgChannelCloseConfirm()
        ):
            return (_channel_event(msg, result, keepers()),)
        case MsgRecvPacket() | MsgAcknowledgement() | MsgTimeout() | MsgTimeoutOnClose():
            assert isinstance(result, PacketOutcome)
            if not result.done:
                return ()
            return _packet_events(msg, keepers())
    if isinstance(result, Packet):  # MsgSendPacket
        port, channel = result.source_port, result.source_channel
        return (_packet_event("send_packet", result, keepers(), port, channel),)
    return ()


def _client_event(kind: str, client_id: str, keepers: Keepers) -> SdkEvent:
    height = keepers.clients.latest_height(client_id)
    attributes = (
        ("client_id", client_id),
        ("client_type", _client_type(client_id)),
        ("consensus_height", str(height)),
    )
    return SdkEvent(kind, attributes)


def _update_event(client_id: str, outcome: UpdateOutcome) -> SdkEvent:
    client_type = _client_type(client_id)
    if outcome.misbehaviour:
        return SdkEvent(
            "client_misbehaviour", (("client_id", client_id), ("client_type", client_type))
        )
    heights = [str(height) for height in outcome.heights]
    attributes = (
        ("client_id", client_id),
        ("client_type", client_type),
        ("consensus_height", heights[0] if heights else ""),
        ("consensus_heights", ",".join(heights)),
    )
    return SdkEvent("update_client", attributes)


def event_type(msg: Msg) -> str:
    """ibc-go's event type of a handshake message: ``MsgChannelOpenTry`` →
    ``channel_open_try``."""
    name = type(msg).__name__.removeprefix("Msg")
    words: list[str] = []
    for character in name:
        if character.isupper() and words:
            words.append("_")
        words.append(character.lower())
    return "".join(words)


def _connection_event(
    msg: ConnectionStep,
    result: object,
    keepers: Keepers,
) -> SdkEvent:
    connection_id = result if isinstance(result, str) else getattr(msg, "connection_id", "")
    end = keepers.connections.connection(connection_id)
    attributes = [
        ("connection_id", connection_id),
        ("client_id", end.client_id),
        ("counterparty_client_id", end.counterparty.client_id),
    ]
    if not isinstance(msg, MsgConnectionOpenInit):
        attributes.append(("counterparty_connection_id", end.counterparty.connection_id))
    return SdkEvent(event_type(msg), tuple(attributes))


def _channel_event(
    msg: ChannelStep,
    result: object,
    keepers: Keepers,
) -> SdkEvent:
    channel_id = result if isinstance(result, str) else getattr(msg, "channel_id", "")
    end = keepers.channels.channel(msg.port_id, channel_id)
    attributes = [
        ("port_id", msg.port_id),
        ("channel_id", channel_id),
        ("counterparty_port_id", end.counterparty.port_id),
    ]
    if not isinstance(msg, MsgChannelOpenInit):
        attributes.append(("counterparty_channel_id", end.counterparty.channel_id))
    attributes.append(("connection_id", end.connection_hops[0]))
    if isinstance(msg, MsgChannelOpenInit | MsgChannelOpenTry):
        attributes.append(("version", end.version))
    return SdkEvent(event_type(msg), tuple(attributes))


def _packet_attributes(packet: Packet, data: bool) -> list[tuple[str, str]]:
    """The packet's own attributes (its data too, for ``data``: the raw bytes as text, kept
    for older clients, and in hex)."""
    attributes = []
    if data:
        raw = packet.data.decode("latin-1")
        attributes += [("packet_data", raw), ("packet_data_hex", packet.data.hex())]
    return [
        *attributes,
        ("packet_timeout_height", str(packet.timeout_height)),
        ("packet_timeout_timestamp", str(packet.timeout_timestamp_ns)),
        ("packet_sequence", str(packet.sequence)),
        ("packet_src_port", packet.source_port),
        ("packet_src_channel", packet.source_channel),
        ("packet_dst_port", packet.destination_port),
        ("packet_dst_channel", packet.destination_channel),
    ]


def _packet_event(kind: str, packet: Packet, keepers: Keepers, port: str, channel: str) -> SdkEvent:
    """``send_packet`` or ``recv_packet``: the packet, its data, the channel's ordering and
    connection."""
    end = keepers.channels.channel(port, channel)
    connection = end.connection_hops[0]
    attributes = [
        *_packet_attributes(packet, data=True),
        ("packet_channel_ordering", str(end.ordering)),
        ("packet_connection", connection),
        ("connection_id", connection),
    ]
    return SdkEvent(kind, tuple(attributes))


def _packet_events(
    msg: MsgRecvPacket | MsgAcknowledgement | MsgTimeout | MsgTimeoutOnClose, keepers: Keepers
) -> tuple[SdkEvent, ...]:
    packet = msg.packet
    if isinstance(msg, MsgRecvPacket):
        port, channel = packet.destination_port, packet.destination_channel
        received = _packet_event("recv_packet", packet, keepers, port, channel)
        end = keepers.channels.channel(port, channel)
        connection = end.connection_hops[0]
        ack = SUCCESS_ACKNOWLEDGEMENT
        written = [
            *_packet_attributes(packet, data=True),
            ("packet_ack", ack.decode("latin-1")),
            ("packet_ack_hex", ack.hex()),
            ("packet_connection", connection),
            ("connection_id", connection),
        ]
        return (received, SdkEvent("write_acknowledgement", tuple(written)))
    port, channel = packet.source_port, packet.source_channel
    end = keepers.channels.channel(port, channel)
    connection = end.connection_hops[0]
    ordering = ("packet_channel_ordering", str(end.ordering))
    if isinstance(msg, MsgAcknowledgement):
        attributes = [
            *_packet_attributes(packet, data=False),
            ordering,
            ("packet_connection", connection),
            ("connection_id", connection),
        ]
        return (SdkEvent("acknowledge_packet", tuple(attributes)),)
    attributes = [*_packet_attributes(packet, data=False), ("connection_id", connection), ordering]
    events = [SdkEvent("timeout_packet", tuple(attributes))]
    if end.ordering == Order.ORDERED:  # its timeout closed the channel
        closed = (
            ("port_id", port),
            ("channel_id", channel),
            ("counterparty_port_id", end.counterparty.port_id),
            ("counterparty_channel_id", end.counterparty.channel_id),
            ("connection_id", connection),
            ordering,
        )
        events.insert(0, SdkEvent("channel_close", closed))
    return tuple(events)
