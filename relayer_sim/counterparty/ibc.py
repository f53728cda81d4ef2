"""The counterparty's IBC core: its connection and channel ends, sequences, packet commitments,
receipts and acknowledgements, kept in its state under its commitment prefix, byte for byte as
ibc-go stores them, so that the host's light clients prove what an ibc-go chain would show.

The chain runs no light client of the host: its client of the host is nominal, and what the
host proves of itself to it (a handshake step, a receipt, an acknowledgement, a timeout) is taken
as given. Relayers bring only what they read in the host's committed state. Each step checks the
stage the chain's own end is in, as ibc-go does, and refuses with ``IbcStepError`` otherwise.
"""

from __future__ import annotations

from dataclasses import replace

from relayer_sim.counterparty.wire.base import ChainState
from relayer_sim.formats.ics03 import (
    DEFAULT_VERSION,
    ConnectionCounterparty,
    ConnectionEnd,
    ConnectionState,
    Version,
    decode_client_paths,
    encode_client_paths,
)
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import (
    NEXT_CHANNEL_SEQUENCE_KEY,
    NEXT_CONNECTION_SEQUENCE_KEY,
    RECEIPT,
    channel_key,
    client_connections_key,
    connection_key,
    decode_sequence,
    encode_sequence,
    next_sequence_ack_key,
    next_sequence_recv_key,
    next_sequence_send_key,
)
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import (
    SUCCESS_ACKNOWLEDGEMENT,
    Packet,
    acknowledgement_commitment,
)

#: The counterparty's (nominal) client of the host, named in its connection ends.
HOST_CLIENT_ID = "07-tendermint-0"


class IbcStepError(ValueError):
    """A step the counterparty's IBC core refuses (wrong stage, unknown end, closed channel)."""


class CounterpartyIbc:
    """IBC core on the counterparty chain, writing into ``state`` under ``prefix``."""

    def __init__(self, state: ChainState, prefix: bytes) -> None:
        self.state, self.prefix = state, prefix

    # -- the store ----------------------------------------------------------------------------

    def _path(self, key: bytes) -> tuple[bytes, bytes]:
        return (self.prefix, key)

    def get(self, key: bytes) -> bytes | None:
        """The value at ``key`` of the IBC store as the next block will commit it."""
        return self.state.get(self._path(key))

    def _set(self, key: bytes, value: bytes) -> None:
        self.state.write(self._path(key), value)

    def _next(self, key: bytes) -> int:
        """Take the sequence stored at ``key`` (from 0 for identifiers): the value before it
        moves on."""
        raw = self.get(key)
        value = 0 if raw is None else decode_sequence(raw)
        self._set(key, encode_sequence(value + 1))
        return value

    # -- connections --------------------------------------------------------------------------

    def connection(self, connection_id: str) -> ConnectionEnd:
        raw = self.get(connection_key(connection_id))
        if raw is None:
            raise IbcStepError(f"connection {connection_id} not found")
        return ConnectionEnd.decode(raw)

    def _new_connection(self, end: ConnectionEnd) -> str:
        connection_id = f"connection-{self._next(NEXT_CONNECTION_SEQUENCE_KEY)}"
        paths_key = client_connections_key(end.client_id)
        raw = self.get(paths_key)
        known = () if raw is None else decode_client_paths(raw)
        self._set(paths_key, encode_client_paths((*known, connection_id)))
        self._set_connection(connection_id, end)
        return connection_id

    def conn_open_init(self, host_client_id: str, host_prefix: bytes, delay_period_ns: int) -> str:
        """Start a connection to the host's client ``host_client_id``: its id."""
        counterparty = ConnectionCounterparty(host_client_id, "", host_prefix)
        return self._new_connection(
            ConnectionEnd(
                HOST_CLIENT_ID,
                (DEFAULT_VERSION,),
                ConnectionState.INIT,
                counterparty,
                delay_period_ns,
            )
        )

    def conn_open_try(
        self, counterparty: ConnectionCounterparty, version: Version, delay_period_ns: int
    ) -> str:
        """Answer the host's ``INIT`` (taken as given): its id."""
        return self._new_connection(
            ConnectionEnd(
                HOST_CLIENT_ID, (version,), ConnectionState.TRYOPEN, counterparty, delay_period_ns
            )
        )

    def conn_open_ack(self, connection_id: str, host_connection_id: str, version: Version) -> None:
        """The host's end is ``TRYOPEN`` (taken as given): open ours."""
        end = self._connection_in(connection_id, ConnectionState.INIT)
        counterparty = ConnectionCounterparty(
            end.counterparty.client_id, host_connection_id, end.counterparty.prefix
        )
        opened = replace(
            end, state=ConnectionState.OPEN, counterparty=counterparty, versions=(version,)
        )
        self._set_connection(connection_id, opened)

    def conn_open_confirm(self, connection_id: str) -> None:
        """The host's end is ``OPEN`` (taken as given): open ours."""
        end = self._connection_in(connection_id, ConnectionState.TRYOPEN)
        self._set_connection(connection_id, replace(end, state=ConnectionState.OPEN))

    def _connection_in(self, connection_id: str, state: ConnectionState) -> ConnectionEnd:
        end = self.connection(connection_id)
        if end.state != state:
            raise IbcStepError(
                f"connection state is not {state.name} (got {end.state}) on {connection_id}"
            )
        return end

    def _set_connection(self, connection_id: str, end: ConnectionEnd) -> None:
        self._set(connection_key(connection_id), end.encode())

    # -- channels -----------------------------------------------------------------------------

    def channel(self, port_id: str, channel_id: str) -> ChannelEnd:
        raw = self.get(channel_key(port_id, channel_id))
        if raw is None:
            raise IbcStepError(f"channel {port_id}/{channel_id} not found")
        return ChannelEnd.decode(raw)

    def _new_channel(self, port_id: str, end: ChannelEnd) -> str:
        if self.connection(end.connection_hops[0]).state != ConnectionState.OPEN:
            raise IbcStepError(f"connection {end.connection_hops[0]} is not open")
        channel_id = f"channel-{self._next(NEXT_CHANNEL_SEQUENCE_KEY)}"
        self._set_channel(port_id, channel_id, end)
        for key in (next_sequence_send_key, next_sequence_recv_key, next_sequence_ack_key):
            self._set(key(port_id, channel_id), encode_sequence(1))
        return channel_id

    def chan_open_init(
        self, port_id: str, ordering: Order, connection_id: str, host_port: str, version: str
    ) -> str:
        """Start a channel to the host's ``host_port`` over ``connection_id``: its id."""
        end = ChannelEnd(
            ChannelState.INIT,
            ordering,
            ChannelCounterparty(host_port, ""),
            (connection_id,),
            version,
        )
        return self._new_channel(port_id, end)

    def chan_open_try(
        self,
        port_id: str,
        ordering: Order,
        connection_id: str,
        counterparty: ChannelCounterparty,
        version: str,
    ) -> str:
        """Answer the host's ``INIT`` (taken as given): its id."""
        end = ChannelEnd(ChannelState.TRYOPEN, ordering, counterparty, (connection_id,), version)
        return self._new_channel(port_id, end)

    def chan_open_ack(
        self, port_id: str, channel_id: str, host_channel_id: str, version: str
    ) -> None:
        end = self._channel_in(port_id, channel_id, ChannelState.INIT)
        counterparty = ChannelCounterparty(end.counterparty.port_id, host_channel_id)
        opened = replace(end, state=ChannelState.OPEN, counterparty=counterparty, version=version)
        self._set_channel(port_id, channel_id, opened)

    def chan_open_confirm(self, port_id: str, channel_id: str) -> None:
        end = self._channel_in(port_id, channel_id, ChannelState.TRYOPEN)
        self._set_channel(port_id, channel_id, replace(end, state=ChannelState.OPEN))

    def chan_close(self, port_id: str, channel_id: str) -> None:
        """Close the channel (``ChanCloseInit``, or ``ChanCloseConfirm`` after the host's)."""
        end = self.channel(port_id, channel_id)
        if end.state == ChannelState.CLOSED:
            raise IbcStepError(f"channel {port_id}/{channel_id} is already closed")
        self._set_channel(port_id, channel_id, replace(end, state=ChannelState.CLOSED))

    def _channel_in(self, port_id: str, channel_id: str, state: ChannelState) -> ChannelEnd:
        end = self.channel(port_id, channel_id)
        if end.state != state:
            raise IbcStepError(
                f"channel state is not {state.name} (got {end.state}) on {port_id}/{channel_id}"
            )
        return end

    def _set_channel(self, port_id: str, channel_id: str, end: ChannelEnd) -> None:
        self._set(channel_key(port_id, channel_id), end.encode())

    # -- packets ------------------------------------------------------------------------------

    def send_packet(
        self,
        port_id: str,
        channel_id: str,
        data: bytes,
        timeout_height: Height,
        timeout_timestamp_ns: int,
    ) -> Packet:
        """Commit to a new packet on an open channel (ibc-go's ``SendPacket``)."""
        end = self._channel_in(port_id, channel_id, ChannelState.OPEN)
        sequence = decode_sequence(self._require(next_sequence_send_key(port_id, channel_id)))
        packet = Packet(
            sequence,
            port_id,
            channel_id,
            end.counterparty.port_id,
            end.counterparty.channel_id,
            data,
            timeout_height,
            timeout_timestamp_ns,
        )
        self._set(next_sequence_send_key(port_id, channel_id), encode_sequence(sequence + 1))
        self._set(packet.commitment_key(), packet.commitment())
        return packet

    def recv_packet(self, packet: Packet, height: Height, time_ns: int) -> bool:
        """Receive a packet the host committed to (taken as given) in the block at ``height``
        and ``time_ns``, and acknowledge it at once; False, changing nothing, when it was
        received before (ibc-go's no-op). A packet past its timeout is refused."""
        port, channel = packet.destination_port, packet.destination_channel
        end = self._channel_in(port, channel, ChannelState.OPEN)
        if packet.timed_out(height, time_ns):
            raise IbcStepError(f"packet {packet.sequence} timed out at {height}, {time_ns}")
        if end.ordering == Order.ORDERED:
            key = next_sequence_recv_key(port, channel)
            expected = decode_sequence(self._require(key))
            if packet.sequence < expected:
                return False
            if packet.sequence > expected:
                raise IbcStepError(
                    f"packet sequence {packet.sequence} != next receive sequence {expected}"
                )
            self._set(key, encode_sequence(expected + 1))
        else:
            if self.get(packet.receipt_key()) is not None:
                return False
            self._set(packet.receipt_key(), RECEIPT)
        self._set(packet.acknowledgement_key(), acknowledgement_commitment(SUCCESS_ACKNOWLEDGEMENT))
        return True

    def acknowledge_packet(self, packet: Packet) -> bool:
        """Delete the commitment of a packet the host acknowledged (taken as given); False,
        changing nothing, when there is none (acknowledged before: ibc-go's no-op)."""
        if not self._forget_commitment(packet):
            return False
        end = self.channel(packet.source_port, packet.source_channel)
        if end.ordering == Order.ORDERED:
            key = next_sequence_ack_key(packet.source_port, packet.source_channel)
            self._set(key, encode_sequence(packet.sequence + 1))
        return True

    def timeout_packet(self, packet: Packet) -> bool:
        """Delete the commitment of a packet the host never received before its timeout (taken
        as given); an ordered channel closes. False, changing nothing, when there is none."""
        if not self._forget_commitment(packet):
            return False
        end = self.channel(packet.source_port, packet.source_channel)
        if end.ordering == Order.ORDERED:
            closed = replace(end, state=ChannelState.CLOSED)
            self._set_channel(packet.source_port, packet.source_channel, closed)
        return True

    def _forget_commitment(self, packet: Packet) -> bool:
        path = self._path(packet.commitment_key())
        if self.state.get(path) != packet.commitment():
            return False
        self.state.delete(path)
        return True

    def _require(self, key: bytes) -> bytes:
        raw = self.get(key)
        if raw is None:
            raise IbcStepError(f"nothing stored at {key.decode()}")
        return raw
