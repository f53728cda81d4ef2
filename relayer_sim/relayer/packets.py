"""A relayer's packet work on the channels over its client, in both directions.

Counterparty to host: every packet sent and not yet settled is delivered with ``MsgRecvPacket``,
proven at a height the client trusts; once the host has received it, its acknowledgement is
carried back, and the counterparty forgets the packet. A packet the host can no longer receive
(past its timeout there) is timed out on the counterparty. Host to counterparty: a packet the
host sent is delivered to the counterparty, and the counterparty's acknowledgement proven back
with ``MsgAcknowledgement``; one that timed out unreceived is proven so with ``MsgTimeout``
(the receipt's absence, or the next receive sequence on an ordered channel) at a height whose
time is past the timeout, and one the counterparty can no longer receive because it closed
its end, with ``MsgTimeoutOnClose`` (the same proof, and the closed end's). A channel closed at
one end is closed at the other.

The counterparty runs no client of the host: what the host shows of itself is taken as given
there. Proofs on the host wait out the connection's delay period: the relayer proves at the
newest height it has seen the client hold for the delay's time and blocks. It learns only from
the chains' state, so a crash loses nothing but time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from relayer_sim.counterparty.ibc import IbcStepError
from relayer_sim.counterparty.wire import KeyPath
from relayer_sim.formats.ics04 import ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import channel_key, decode_sequence, next_sequence_recv_key
from relayer_sim.host.connections import block_delay
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import (
    Msg,
    MsgAcknowledgement,
    MsgChannelCloseConfirm,
    MsgRecvPacket,
    MsgTimeout,
    MsgTimeoutOnClose,
)
from relayer_sim.host.params import ConnectionParams
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import SUCCESS_ACKNOWLEDGEMENT, Packet
from relayer_sim.world import OpenChannel, SentPacket, SentPackets, World

#: How many of the client's latest heights a relayer remembers seeing (for the delay period).
SEEN_HEIGHTS: Final = 512


class Outbox(Protocol):
    """Where the relayer's messages go, and its memory of what it sent."""

    def due(self, key: tuple[str, ...]) -> bool: ...

    def settled(self, key: tuple[str, ...]) -> None: ...

    def submit(self, msg: Msg, key: tuple[str, ...], kind: str = "", **data: object) -> None: ...


@dataclass(frozen=True)
class _Seen:
    """A height the client held, and the host when the relayer first saw it held."""

    height: Height
    time_ns: int
    host_height: int


def _key(step: str, packet: Packet) -> tuple[str, ...]:
    return (step, packet.source_port, packet.source_channel, str(packet.sequence))


class PacketRelay:
    """The packet half of one relayer."""

    def __init__(self, world: World, name: str, address: str, client: str, outbox: Outbox) -> None:
        self.world, self.name, self.address = world, name, address
        self.client, self.outbox = client, outbox
        #: The counterparty the client follows, and the logs of the packets to and from it.
        self.chain = world.chain_of(client)
        self._to_host_log = world.sent[world.followed[client]]
        self._from_host_log = world.host_sent[world.followed[client]]
        #: The height the relayer's own update of this look moves the client to.
        self._proven: Height | None = None
        #: 03-connection's params as this look found them (delay periods in blocks).
        self._params = ConnectionParams()
        self._seen: deque[_Seen] = deque(maxlen=SEEN_HEIGHTS)
        #: Indices before which every packet of the two logs is settled or on another
        #: client's channel.
        self._first_to_host = 0
        self._first_to_counterparty = 0

    def forget(self) -> None:
        """A restart: nothing remembered but what the chains show."""
        self._seen.clear()
        self._first_to_host = self._first_to_counterparty = 0

    def observe(self, trusted: Height) -> None:
        """The client holds ``trusted`` now."""
        if not self._seen or self._seen[-1].height != trusted:
            host = self.world.host
            self._seen.append(_Seen(trusted, self.world.now_ns, host.height))

    def _channels(self) -> list[OpenChannel]:
        return [c for c in self.world.channels.values() if c.client == self.client]

    def _proof_height(self, channel: OpenChannel, at_least: Height) -> Height | None:
        """The newest height the client has held for the channel's delay, at or above
        ``at_least`` in its revision; without a delay, the height this look's update brings
        (its transaction goes first in the same block)."""
        delay = channel.delay_period_ns
        proven = self._proven
        if delay == 0 and proven is not None:
            same = proven.revision_number == at_least.revision_number
            return proven if same and proven >= at_least else None
        blocks = block_delay(delay, self._params)
        now, host_height = self.world.now_ns, self.world.host.height
        for seen in reversed(self._seen):
            if seen.height.revision_number != at_least.revision_number or seen.height < at_least:
                return None
            if seen.time_ns + delay <= now and seen.host_height + blocks <= host_height:
                return seen.height
        return None

    def relay(self, proven: Height) -> None:
        """One look at the channels over the client, ``proven`` the height it will hold when
        this look's messages run."""
        self._proven = proven
        self._params = self.world.host.app.query().params.connection()
        channels = self._channels()
        if not channels:
            return
        self._close_closed(channels)
        self._to_host({(c.counterparty_port, c.counterparty_channel): c for c in channels})
        self._to_counterparty({(c.host_port, c.host_channel): c for c in channels})

    @staticmethod
    def _unsettled(
        log: SentPackets,
        first: int,
        mine: dict[tuple[str, str], OpenChannel],
        settled: Callable[[Packet], bool],
    ) -> tuple[list[tuple[SentPacket, OpenChannel]], int]:
        """The packets of ``log`` from index ``first`` on that ride the relayer's channels and
        are not ``settled`` yet, with their channel; and the index before which every packet
        is settled or another relayer's (what the log may forget)."""
        first = max(first, log.first_kept())
        pending: list[tuple[SentPacket, OpenChannel]] = []
        for sent in log.since(first):
            packet = sent.packet
            channel = mine.get((packet.source_port, packet.source_channel))
            if channel is None or settled(packet):
                if not pending:
                    first += 1
                continue
            pending.append((sent, channel))
        return pending, first

    # -- counterparty to host -----------------------------------------------------------------

    def _to_host(self, mine: dict[tuple[str, str], OpenChannel]) -> None:
        world, chain = self.world, self.chain
        packets = world.host.app.query().packets
        pending, first = self._unsettled(
            self._to_host_log,
            self._first_to_host,
            mine,
            lambda packet: chain.ibc.get(packet.commitment_key()) != packet.commitment(),
        )
        host = world.host_env()
        for sent, channel in pending:
            packet = sent.packet
            if packets.received(packet):
                self.outbox.settled(_key("recv", packet))
                if packets.acknowledgement_commitment(packet) is not None:
                    chain.ibc.acknowledge_packet(packet)
                    world.record(self.name, "packet_acknowledged", sequence=packet.sequence)
                continue
            if packet.timed_out(host.self_height, world.host.time_ns):
                if chain.ibc.timeout_packet(packet):
                    world.record(self.name, "packet_timed_out", sequence=packet.sequence)
                continue
            key = _key("recv", packet)
            at = self._proof_height(channel, sent.height)
            if at is None or not self.outbox.due(key):
                continue
            proof = chain.prove((chain.config.commitment_prefix, packet.commitment_key()), at)
            self.outbox.submit(MsgRecvPacket(self.address, packet, proof, at), key)
        self._first_to_host = first
        self._to_host_log.read_up_to(self.name, first)

    # -- host to counterparty -----------------------------------------------------------------

    def _to_counterparty(self, mine: dict[tuple[str, str], OpenChannel]) -> None:
        world = self.world
        packets = world.host.app.query().packets
        pending, first = self._unsettled(
            self._from_host_log,
            self._first_to_counterparty,
            mine,
            lambda packet: packets.commitment(packet) is None,
        )
        for sent, channel in pending:
            self._settle_on_host(channel, sent.packet)
        self._first_to_counterparty = first
        self._from_host_log.read_up_to(self.name, first)

    def _settle_on_host(self, channel: OpenChannel, packet: Packet) -> None:
        """Deliver ``packet`` to the counterparty, or prove on the host that it was received
        (its acknowledgement) or never will be (its timeout)."""
        world, chain = self.world, self.chain
        prefix = chain.config.commitment_prefix
        at = None if not self._seen else self._proof_height(channel, self._seen[0].height)
        ack_path = (prefix, packet.acknowledgement_key())
        if chain.ibc.get(packet.acknowledgement_key()) is None:
            if at is not None and packet.timed_out(at, chain.block(at).header.time_ns):
                self._prove_timeout(channel, packet, at)
                return
            if at is not None and self._closed_there(channel, at):
                self._prove_timeout(channel, packet, at, on_close=True)
                return
            try:
                if chain.receive_from_host(packet):
                    world.record(self.name, "packet_relayed", sequence=packet.sequence)
            except IbcStepError:
                pass  # past its timeout there, or the channel closed: to be timed out
            return
        if at is None or chain.value(ack_path, at) is None:
            return
        key = _key("ack", packet)
        if self.outbox.due(key):
            proof = chain.prove(ack_path, at)
            msg = MsgAcknowledgement(self.address, packet, SUCCESS_ACKNOWLEDGEMENT, proof, at)
            self.outbox.submit(msg, key)

    def _closed_there(self, channel: OpenChannel, at: Height) -> bool:
        """Whether the counterparty's end of ``channel`` is closed in its state at ``at``."""
        raw = self.chain.value(self._their_end_path(channel), at)
        return raw is not None and ChannelEnd.decode(raw).state == ChannelState.CLOSED

    def _their_end_path(self, channel: OpenChannel) -> KeyPath:
        key = channel_key(channel.counterparty_port, channel.counterparty_channel)
        return (self.chain.config.commitment_prefix, key)

    def _prove_timeout(
        self, channel: OpenChannel, packet: Packet, at: Height, on_close: bool = False
    ) -> None:
        """Prove on the host that ``packet`` was never received, at ``at``: past its timeout
        (``MsgTimeout``), or, ``on_close``, on a channel the counterparty closed
        (``MsgTimeoutOnClose``, with the closed end's proof too)."""
        chain = self.chain
        prefix = chain.config.commitment_prefix
        key = _key("timeout", packet)
        if not self.outbox.due(key):
            return
        if channel.ordering == Order.ORDERED:
            path = (
                prefix,
                next_sequence_recv_key(packet.destination_port, packet.destination_channel),
            )
            raw = chain.value(path, at)
            next_recv = 1 if raw is None else decode_sequence(raw)
        else:
            path = (prefix, packet.receipt_key())
            next_recv = 1
        unreceived = chain.prove(path, at)
        if on_close:
            closed = chain.prove(self._their_end_path(channel), at)
            msg: Msg = MsgTimeoutOnClose(self.address, packet, next_recv, unreceived, closed, at)
        else:
            msg = MsgTimeout(self.address, packet, next_recv, unreceived, at)
        self.outbox.submit(msg, key, "timeout_sent", sequence=packet.sequence)

    # -- closing ------------------------------------------------------------------------------

    def _close_closed(self, channels: list[OpenChannel]) -> None:
        """A channel closed at one end (an ordered channel's timeout) is closed at the other:
        on the counterparty as given, on the host by proof of the counterparty's end."""
        world, chain = self.world, self.chain
        host_channels = world.host.app.query().channels
        for channel in channels:
            try:
                host_end = host_channels.channel(channel.host_port, channel.host_channel)
                theirs = chain.ibc.channel(channel.counterparty_port, channel.counterparty_channel)
            except (HostError, IbcStepError):
                continue
            host_closed = host_end.state == ChannelState.CLOSED
            their_closed = theirs.state == ChannelState.CLOSED
            if host_closed and not their_closed:
                chain.ibc.chan_close(channel.counterparty_port, channel.counterparty_channel)
                world.record(self.name, "channel_closed", channel=channel.name, end="counterparty")
            elif their_closed and not host_closed:
                self._confirm_close(channel)

    def _confirm_close(self, channel: OpenChannel) -> None:
        chain = self.chain
        path = self._their_end_path(channel)
        at = self._seen[-1].height if self._seen else None
        raw = None if at is None else chain.value(path, at)
        if at is None or raw is None or ChannelEnd.decode(raw).state != ChannelState.CLOSED:
            return
        key = ("close", channel.host_port, channel.host_channel)
        if self.outbox.due(key):
            msg = MsgChannelCloseConfirm(
                self.address, channel.host_port, channel.host_channel, chain.prove(path, at), at
            )
            self.outbox.submit(msg, key, "close_sent", channel=channel.name)
