"""04-channel's packet lifecycle on the host, in ibc-go v10's order of checks: packets sent
(``SendPacket``), received (``RecvPacket``, then the application's synchronous acknowledgement,
``WriteAcknowledgement``), acknowledged (``AcknowledgePacket``) and timed out (``TimeoutPacket``,
``TimeoutOnClose``).

Every counterparty state a step relies on is proven through the channel's connection: the
commitment of a packet received, the acknowledgement of one sent, and for a timeout the absence
of its receipt (unordered) or the counterparty's next receive sequence (ordered), at a height
whose time the client gives (``timestamp_at_height``). A step already done (a packet received or
acknowledged before) is ibc-go's no-op: the transaction succeeds and changes nothing, after the
proof, as in ibc-go. A timeout on an ordered channel closes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from relayer_sim.formats.ics03 import ConnectionEnd
from relayer_sim.formats.ics04 import ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import (
    RECEIPT,
    channel_key,
    decode_sequence,
    encode_sequence,
    next_sequence_ack_key,
    next_sequence_recv_key,
    next_sequence_send_key,
)
from relayer_sim.host.channels import ChannelKeeper
from relayer_sim.host.clients import ClientKeeper, Status
from relayer_sim.host.connections import ConnectionKeeper
from relayer_sim.host.errors import (
    AcknowledgementExists,
    ClientStatusError,
    HostError,
    InvalidChannelState,
    InvalidClientHeight,
    InvalidPacket,
    PacketReceived,
    PacketSequenceOutOfOrder,
    SequenceAckNotFound,
    SequenceReceiveNotFound,
    SequenceSendNotFound,
    TimeoutElapsed,
    TimeoutNotReached,
    wrap,
)
from relayer_sim.host.store import GasMeter
from relayer_sim.host.validation import validate_packet
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import (
    NO_TIMEOUT_HEIGHT,
    SUCCESS_ACKNOWLEDGEMENT,
    Packet,
    acknowledgement_commitment,
)
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage

#: What a step already done answers (ibc-go's ``ErrNoOpMsg``, turned into a ``NOOP`` result).
NOOP: Final = "NOOP"
SUCCESS: Final = "SUCCESS"


@dataclass(frozen=True)
class PacketOutcome:
    """``SUCCESS``, or ``NOOP`` when the step had been done before (not an error)."""

    result: str

    @property
    def done(self) -> bool:
        return self.result == SUCCESS


def _timeout_error(
    packet: Packet, height: Height, time_ns: int, kind: type[HostError]
) -> HostError:
    """Go's ``ErrTimeoutElapsed``/``ErrTimeoutNotReached`` text for ``packet`` at ``height``
    and ``time_ns``."""
    if kind is TimeoutElapsed:
        if packet.timeout_height != NO_TIMEOUT_HEIGHT and height >= packet.timeout_height:
            return TimeoutElapsed(
                f"current height: {height}, timeout height {packet.timeout_height}"
            )
        return TimeoutElapsed(
            f"current timestamp: {time_ns}, timeout timestamp {packet.timeout_timestamp_ns}"
        )
    return TimeoutNotReached(
        f"current height: {height}, timeout height: {packet.timeout_height}; current "
        f"timestamp: {time_ns}, timeout timestamp: {packet.timeout_timestamp_ns}"
    )


def _go_bytes(data: bytes) -> str:
    """Bytes as Go's ``%v`` prints a byte slice: ``[1 2 3]``."""
    return "[" + " ".join(str(byte) for byte in data) + "]"


class PacketKeeper:
    """Packets through the host's channels."""

    def __init__(
        self, store: Storage, connections: ConnectionKeeper, channels: ChannelKeeper
    ) -> None:
        self.store, self.connections, self.channels = store, connections, channels

    @property
    def clients(self) -> ClientKeeper:
        return self.connections.clients

    def _sequence(self, key: bytes) -> int | None:
        raw = self.store.get(key)
        return None if raw is None else decode_sequence(raw)

    def _from_counterparty(self, end: ChannelEnd, port_id: str, channel_id: str, side: str) -> None:
        """The packet's ``side`` (source or destination) is the channel's counterparty."""
        counterparty = end.counterparty
        if port_id != counterparty.port_id:
            raise InvalidPacket(
                f"packet {side} port doesn't match the counterparty's port ({port_id} ≠ "
                f"{counterparty.port_id})"
            )
        if channel_id != counterparty.channel_id:
            raise InvalidPacket(
                f"packet {side} channel doesn't match the counterparty's channel ({channel_id} "
                f"≠ {counterparty.channel_id})"
            )

    # -- sending ------------------------------------------------------------------------------

    def send_packet(
        self,
        port_id: str,
        channel_id: str,
        timeout_height: Height,
        timeout_timestamp_ns: int,
        data: bytes,
        env: HostEnv,
        gas: GasMeter,
    ) -> Packet:
        """``SendPacket``: commit to a new packet on an open channel, refused when the client
        could not be updated to prove its fate or it has already timed out on the other end
        by what the client knows."""
        end = self.channels.channel(port_id, channel_id)
        if end.state != ChannelState.OPEN:
            raise InvalidChannelState(f"channel is not OPEN (got {end.state})")
        sequence = self._sequence(next_sequence_send_key(port_id, channel_id))
        if sequence is None:
            raise SequenceSendNotFound(f"source port: {port_id}, source channel: {channel_id}")
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
        connection = self.connections.connection(end.connection_hops[0])
        client_id = connection.client_id
        status = self.clients.status(client_id, env, gas)
        if status != Status.ACTIVE:
            raise ClientStatusError(
                f"cannot send packet using client ({client_id}) with status {status}"
            )
        latest = self.clients.latest_height(client_id)
        if latest == NO_TIMEOUT_HEIGHT:
            raise InvalidClientHeight(
                f"cannot send packet using client ({client_id}) with zero height"
            )
        latest_time = self.clients.timestamp_at_height(client_id, latest, env, gas)
        if packet.timed_out(latest, latest_time):
            raise wrap(
                _timeout_error(packet, latest, latest_time, TimeoutElapsed),
                "invalid packet timeout",
            )
        self.store.set(next_sequence_send_key(port_id, channel_id), encode_sequence(sequence + 1))
        self.store.set(packet.commitment_key(), packet.commitment())
        return packet

    def commitment(self, packet: Packet) -> bytes | None:
        """The host's commitment to a packet it sent, until acknowledged or timed out."""
        return self.store.get(validate_packet(packet).commitment_key())

    # -- receiving ----------------------------------------------------------------------------

    def recv_packet(
        self, packet: Packet, proof: bytes, proof_height: Height, env: HostEnv, gas: GasMeter
    ) -> PacketOutcome:
        """``RecvPacket``: the counterparty committed to ``packet``; record it (a receipt, or
        the next sequence on an ordered channel) and write its acknowledgement."""
        port, channel = packet.destination_port, packet.destination_channel
        end = self.channels.channel(port, channel)
        if end.state != ChannelState.OPEN:
            raise InvalidChannelState(f"channel is not OPEN (got {end.state})")
        self._from_counterparty(end, packet.source_port, packet.source_channel, "source")
        connection = self.connections.open_connection(end.connection_hops[0])
        if packet.timed_out(env.self_height, env.time_ns):
            raise wrap(
                _timeout_error(packet, env.self_height, env.time_ns, TimeoutElapsed),
                "packet timeout elapsed",
            )
        try:
            self.connections.verify_packet_commitment(
                connection,
                proof_height,
                proof,
                packet.source_port,
                packet.source_channel,
                packet.sequence,
                packet.commitment(),
                env,
                gas,
            )
        except HostError as error:
            raise wrap(error, "couldn't verify counterparty packet commitment") from None
        if end.ordering == Order.UNORDERED:
            if self.store.get(packet.receipt_key()) is not None:
                return PacketOutcome(NOOP)
            self.store.set(packet.receipt_key(), RECEIPT)
        else:
            key = next_sequence_recv_key(port, channel)
            expected = self._sequence(key)
            if expected is None:
                raise SequenceReceiveNotFound(
                    f"destination port: {port}, destination channel: {channel}"
                )
            if packet.sequence < expected:
                return PacketOutcome(NOOP)
            if packet.sequence != expected:
                raise PacketSequenceOutOfOrder(
                    f"packet sequence ≠ next receive sequence ({packet.sequence} ≠ {expected})"
                )
            self.store.set(key, encode_sequence(expected + 1))
        self._write_acknowledgement(packet, SUCCESS_ACKNOWLEDGEMENT)
        return PacketOutcome(SUCCESS)

    def _write_acknowledgement(self, packet: Packet, acknowledgement: bytes) -> None:
        """``WriteAcknowledgement``: commit to the application's acknowledgement, once."""
        if self.store.get(packet.acknowledgement_key()) is not None:
            raise AcknowledgementExists()
        self.store.set(packet.acknowledgement_key(), acknowledgement_commitment(acknowledgement))

    def received(self, packet: Packet) -> bool:
        """Whether the host has received ``packet``: its receipt, or on an ordered channel
        its place below the next receive sequence (a query: the packet is checked first)."""
        validate_packet(packet)
        if self.store.get(packet.receipt_key()) is not None:
            return True
        port, channel = packet.destination_port, packet.destination_channel
        raw = self.store.get(channel_key(port, channel))
        if raw is None or ChannelEnd.decode(raw).ordering != Order.ORDERED:
            return False
        expected = self._sequence(next_sequence_recv_key(port, channel))
        return expected is not None and packet.sequence < expected

    def acknowledgement_commitment(self, packet: Packet) -> bytes | None:
        """The commitment to ``packet``'s acknowledgement, once it was received."""
        return self.store.get(validate_packet(packet).acknowledgement_key())

    # -- acknowledgements and timeouts of packets sent ----------------------------------------

    def _sent_packet(
        self, packet: Packet, acknowledging: bool
    ) -> tuple[ChannelEnd, ConnectionEnd, bytes | None]:
        """The channel and connection of a packet the host sent, and its commitment (None
        once acknowledged or timed out). Acknowledging needs an open channel and connection;
        a timeout, whatever their state."""
        end = self.channels.channel(packet.source_port, packet.source_channel)
        if acknowledging and end.state != ChannelState.OPEN:
            raise InvalidChannelState(
                f"packets cannot be acknowledged on channel with state ({end.state})"
            )
        self._from_counterparty(
            end, packet.destination_port, packet.destination_channel, "destination"
        )
        hop = end.connection_hops[0]
        if acknowledging:
            connection = self.connections.open_connection(hop)
        else:
            connection = self.connections.connection(hop)
        return end, connection, self.store.get(packet.commitment_key())

    def _check_commitment(self, packet: Packet, stored: bytes, timing_out: bool) -> None:
        """The packet is the one committed to (ibc-go words the two cases differently)."""
        computed = packet.commitment()
        if stored == computed:
            return
        if timing_out:
            raise InvalidPacket(
                f"packet commitment bytes are not equal: got ({_go_bytes(stored)}), expected "
                f"({_go_bytes(computed)})"
            )
        raise InvalidPacket(
            f"commitment bytes are not equal: got ({_go_bytes(computed)}), expected "
            f"({_go_bytes(stored)})"
        )

    def acknowledge_packet(
        self,
        packet: Packet,
        acknowledgement: bytes,
        proof: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> PacketOutcome:
        """``AcknowledgePacket``: the counterparty committed to ``acknowledgement`` of a
        packet the host sent; forget the packet's commitment."""
        end, connection, stored = self._sent_packet(packet, acknowledging=True)
        if stored is None:
            return PacketOutcome(NOOP)
        self._check_commitment(packet, stored, timing_out=False)
        self.connections.verify_packet_acknowledgement(
            connection,
            proof_height,
            proof,
            packet.destination_port,
            packet.destination_channel,
            packet.sequence,
            acknowledgement,
            env,
            gas,
        )
        if end.ordering == Order.ORDERED:
            key = next_sequence_ack_key(packet.source_port, packet.source_channel)
            expected = self._sequence(key)
            if expected is None:
                raise SequenceAckNotFound(
                    f"source port: {packet.source_port}, source channel: {packet.source_channel}"
                )
            if packet.sequence != expected:
                raise PacketSequenceOutOfOrder(
                    f"packet sequence ≠ next ack sequence ({packet.sequence} ≠ {expected})"
                )
            self.store.set(key, encode_sequence(expected + 1))
        self.store.delete(packet.commitment_key())
        return PacketOutcome(SUCCESS)

    def timeout_packet(
        self,
        packet: Packet,
        next_sequence_recv: int,
        proof: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> PacketOutcome:
        """``TimeoutPacket``: the counterparty passed the packet's timeout, by the height and
        time of ``proof_height``, without receiving it."""
        end, connection, stored = self._sent_packet(packet, acknowledging=False)
        proof_time = self.clients.timestamp_at_height(connection.client_id, proof_height, env, gas)
        if not packet.timed_out(proof_height, proof_time):
            raise wrap(
                _timeout_error(packet, proof_height, proof_time, TimeoutNotReached),
                "packet timeout not reached",
            )
        return self._time_out(
            packet, end, connection, stored, next_sequence_recv, proof, proof_height, env, gas
        )

    def timeout_on_close(
        self,
        packet: Packet,
        next_sequence_recv: int,
        proof: bytes,
        proof_close: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> PacketOutcome:
        """``TimeoutOnClose``: the counterparty closed its end without receiving the packet."""
        end, connection, stored = self._sent_packet(packet, acknowledging=False)
        if stored is None:
            return PacketOutcome(NOOP)
        self._check_commitment(packet, stored, timing_out=True)
        self.channels.prove_counterparty_closed(
            end,
            connection,
            packet.source_port,
            packet.source_channel,
            proof_close,
            proof_height,
            env,
            gas,
        )
        return self._time_out(
            packet,
            end,
            connection,
            stored,
            next_sequence_recv,
            proof,
            proof_height,
            env,
            gas,
            on_close=True,
        )

    def _time_out(
        self,
        packet: Packet,
        end: ChannelEnd,
        connection: ConnectionEnd,
        stored: bytes | None,
        next_sequence_recv: int,
        proof: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
        on_close: bool = False,
    ) -> PacketOutcome:
        """Prove the packet unreceived, then forget it; an ordered channel closes."""
        if stored is None:
            return PacketOutcome(NOOP)
        self._check_commitment(packet, stored, timing_out=True)
        port, channel = packet.destination_port, packet.destination_channel
        if end.ordering == Order.ORDERED:
            if next_sequence_recv > packet.sequence:
                # ibc-go's two paths differ in kind, and one drops the closing parenthesis.
                if on_close:
                    raise InvalidPacket(
                        "packet already received, next sequence receive > packet sequence "
                        f"({next_sequence_recv} > {packet.sequence}"
                    )
                raise PacketReceived(
                    "packet already received, next sequence receive > packet sequence "
                    f"({next_sequence_recv} > {packet.sequence})"
                )
            self.connections.verify_next_sequence_recv(
                connection, proof_height, proof, port, channel, next_sequence_recv, env, gas
            )
        else:
            self.connections.verify_packet_receipt_absence(
                connection, proof_height, proof, port, channel, packet.sequence, env, gas
            )
        self.store.delete(packet.commitment_key())
        if end.ordering == Order.ORDERED:
            self.channels.set_channel(
                packet.source_port, packet.source_channel, replace(end, state=ChannelState.CLOSED)
            )
        return PacketOutcome(SUCCESS)
