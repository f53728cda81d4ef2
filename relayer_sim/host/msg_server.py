"""ibc-go's message servers for IBC core: each connection, channel and packet message to its
keeper, and its error wrapped as the server wraps it (``connection handshake open try failed:
…``, ``receive packet verification failed: …``), the kind kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from relayer_sim.formats.ics04 import ChannelEnd
from relayer_sim.host.channels import ChannelKeeper
from relayer_sim.host.errors import HostError, wrap
from relayer_sim.host.messages import (
    ChannelStep,
    ConnectionStep,
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
    MsgRecvPacket,
    MsgSendPacket,
    MsgTimeout,
    MsgTimeoutOnClose,
)
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv

if TYPE_CHECKING:
    from relayer_sim.host.app import Keepers


#: What ibc-go's message servers put before a handshake step's error.
_HANDSHAKE_FAILED: Final = {
    MsgConnectionOpenInit: "connection handshake open init failed",
    MsgConnectionOpenTry: "connection handshake open try failed",
    MsgConnectionOpenAck: "connection handshake open ack failed",
    MsgConnectionOpenConfirm: "connection handshake open confirm failed",
    MsgChannelOpenInit: "channel handshake open init failed",
    MsgChannelOpenTry: "channel handshake open try failed",
    MsgChannelOpenAck: "channel handshake open ack failed",
    MsgChannelOpenConfirm: "channel handshake open confirm failed",
    MsgChannelCloseInit: "channel handshake close init failed",
    MsgChannelCloseConfirm: "channel handshake close confirm failed",
}


def handshake(
    keepers: Keepers,
    msg: ConnectionStep | ChannelStep,
    env: HostEnv,
    gas: GasMeter,
) -> object:
    """A connection or channel handshake step: the new id for an ``Init`` or ``Try``."""
    connections, channels = keepers.connections, keepers.channels
    try:
        match msg:
            case MsgConnectionOpenInit(_, client_id, counterparty, version, delay):
                return connections.open_init(client_id, counterparty, version, delay, env, gas)
            case MsgConnectionOpenTry(_, client_id, counterparty, delay, versions, proof, at):
                return connections.open_try(
                    client_id, counterparty, versions, delay, proof, at, env, gas
                )
            case MsgConnectionOpenAck(_, connection_id, counterparty_id, version, proof, at):
                connections.open_ack(connection_id, counterparty_id, version, proof, at, env, gas)
                return None
            case MsgConnectionOpenConfirm(_, connection_id, proof, at):
                connections.open_confirm(connection_id, proof, at, env, gas)
                return None
            case MsgChannelOpenInit(_, port_id, channel):
                return channels.open_init(
                    port_id,
                    channel.ordering,
                    channel.connection_hops[0],
                    channel.counterparty.port_id,
                    channel.version,
                    env,
                    gas,
                )
            case MsgChannelOpenTry(_, port_id, channel, version, proof, at):
                return _open_try(channels, port_id, channel, version, proof, at, env, gas)
            case MsgChannelOpenAck(_, port_id, channel_id, counterparty_id, version, proof, at):
                channels.open_ack(
                    port_id, channel_id, counterparty_id, version, proof, at, env, gas
                )
                return None
            case MsgChannelOpenConfirm(_, port_id, channel_id, proof, at):
                channels.open_confirm(port_id, channel_id, proof, at, env, gas)
                return None
            case MsgChannelCloseInit(_, port_id, channel_id):
                channels.close_init(port_id, channel_id, env, gas)
                return None
            case MsgChannelCloseConfirm(_, port_id, channel_id, proof, at):
                channels.close_confirm(port_id, channel_id, proof, at, env, gas)
                return None
    except HostError as error:
        raise wrap(error, _HANDSHAKE_FAILED[type(msg)]) from None


def _open_try(
    channels: ChannelKeeper,
    port_id: str,
    channel: ChannelEnd,
    counterparty_version: str,
    proof: bytes,
    proof_height: Height,
    env: HostEnv,
    gas: GasMeter,
) -> str:
    return channels.open_try(
        port_id,
        channel.ordering,
        channel.connection_hops[0],
        channel.counterparty,
        counterparty_version,
        proof,
        proof_height,
        env,
        gas,
    )


#: What ibc-go's message servers put before a packet step's error.
_PACKET_FAILED: Final = {
    MsgRecvPacket: "receive packet verification failed",
    MsgAcknowledgement: "acknowledge packet verification failed",
    MsgTimeout: "timeout packet verification failed",
    MsgTimeoutOnClose: "timeout on close packet verification failed",
}


def packet_step(
    keepers: Keepers,
    msg: MsgSendPacket | MsgRecvPacket | MsgAcknowledgement | MsgTimeout | MsgTimeoutOnClose,
    env: HostEnv,
    gas: GasMeter,
) -> object:
    """A packet sent, received, acknowledged or timed out."""
    packets = keepers.packets
    if isinstance(msg, MsgSendPacket):
        return packets.send_packet(
            msg.source_port,
            msg.source_channel,
            msg.timeout_height,
            msg.timeout_timestamp,
            msg.data,
            env,
            gas,
        )
    try:
        match msg:
            case MsgRecvPacket(_, packet, proof, at):
                return packets.recv_packet(packet, proof, at, env, gas)
            case MsgAcknowledgement(_, packet, acknowledgement, proof, at):
                return packets.acknowledge_packet(packet, acknowledgement, proof, at, env, gas)
            case MsgTimeout(_, packet, next_sequence_recv, proof, at):
                return packets.timeout_packet(packet, next_sequence_recv, proof, at, env, gas)
            case MsgTimeoutOnClose(_, packet, next_sequence_recv, proof, proof_close, at):
                return packets.timeout_on_close(
                    packet, next_sequence_recv, proof, proof_close, at, env, gas
                )
    except HostError as error:
        raise wrap(error, _PACKET_FAILED[type(msg)]) from None
