"""The counterparty's IBC core on its own: the ends it keeps in ibc-go's bytes and stages, the
packets it sends, receives, acknowledges and times out, and the steps it refuses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.counterparty.ibc import IbcStepError
from relayer_sim.formats.ics03 import DEFAULT_VERSION, ConnectionCounterparty, ConnectionState
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import channel_key, next_sequence_recv_key
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from tests.lightclient.chains import advance, make_chain

NEVER = Height(0, 0)
LATER = 2**62


def _open(ordering: Order) -> tuple[CounterpartyChain, str]:
    """A chain with a channel open on ``transfer``, the host having gone first (as given)."""
    chain = make_chain(commitment_prefix=b"ibc-x")
    ibc = chain.ibc
    connection = ibc.conn_open_try(
        ConnectionCounterparty("08-wasm-0", "connection-4", b"ibc"), DEFAULT_VERSION, 0
    )
    with pytest.raises(IbcStepError, match="connection state is not INIT"):
        ibc.conn_open_ack(connection, "connection-4", DEFAULT_VERSION)
    with pytest.raises(IbcStepError, match="is not open"):
        ibc.chan_open_try(
            "transfer", ordering, connection, ChannelCounterparty("transfer", "channel-2"), "v"
        )
    ibc.conn_open_confirm(connection)
    assert ibc.connection(connection).state == ConnectionState.OPEN
    channel = ibc.chan_open_try(
        "transfer", ordering, connection, ChannelCounterparty("transfer", "channel-2"), "v"
    )
    ibc.chan_open_confirm("transfer", channel)
    advance(chain, 1)
    return chain, channel


def test_ends_are_kept_under_the_commitment_prefix() -> None:
    chain, channel = _open(Order.UNORDERED)
    height = chain.latest_height
    assert height is not None
    stored = chain.value((b"ibc-x", channel_key("transfer", channel)), height)
    assert stored is not None and ChannelEnd.decode(stored) == ChannelEnd(
        ChannelState.OPEN,
        Order.UNORDERED,
        ChannelCounterparty("transfer", "channel-2"),
        ("connection-0",),
        "v",
    )


def test_a_packet_sent_is_acknowledged_once() -> None:
    chain, channel = _open(Order.UNORDERED)
    packet = chain.ibc.send_packet("transfer", channel, b"data", NEVER, LATER)
    assert packet == Packet(1, "transfer", channel, "transfer", "channel-2", b"data", NEVER, LATER)
    (sent,) = advance(chain, 1)
    path = (b"ibc-x", packet.commitment_key())
    assert not chain.ibc.acknowledge_packet(replace(packet, data=b"other"))  # not what it sent
    assert chain.ibc.acknowledge_packet(packet)
    assert not chain.ibc.acknowledge_packet(packet)  # a second relayer's: a no-op
    (acknowledged,) = advance(chain, 1)
    assert chain.value(path, sent.height) == packet.commitment()
    assert chain.value(path, acknowledged.height) is None


def test_an_ordered_channel_receives_in_order_and_closes_on_a_timeout() -> None:
    chain, channel = _open(Order.ORDERED)
    incoming = [
        Packet(n, "transfer", "channel-2", "transfer", channel, b"x", NEVER, LATER) for n in (1, 2)
    ]
    with pytest.raises(IbcStepError, match="next receive sequence 1"):
        chain.receive_from_host(incoming[1])
    assert chain.receive_from_host(incoming[0])
    assert not chain.receive_from_host(incoming[0])
    assert chain.receive_from_host(incoming[1])
    assert chain.ibc.get(next_sequence_recv_key("transfer", channel)) == (3).to_bytes(8, "big")
    late = Packet(3, "transfer", "channel-2", "transfer", channel, b"x", NEVER, 1)
    with pytest.raises(IbcStepError, match="timed out"):
        chain.receive_from_host(late)
    sent = chain.ibc.send_packet("transfer", channel, b"out", NEVER, LATER)
    assert chain.ibc.timeout_packet(sent)
    assert chain.ibc.channel("transfer", channel).state == ChannelState.CLOSED
    with pytest.raises(IbcStepError, match="channel state is not OPEN"):
        chain.ibc.send_packet("transfer", channel, b"more", NEVER, LATER)
    with pytest.raises(IbcStepError, match="already closed"):
        chain.ibc.chan_close("transfer", channel)
