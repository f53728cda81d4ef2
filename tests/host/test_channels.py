"""ICS-04 channel handshakes on the host, from either side, and closing: each step proves the
counterparty's channel end through the connection's client; a bad step is refused with ibc-go's
error and changes nothing."""

from __future__ import annotations

import pytest

from relayer_sim.formats.ics03 import ConnectionCounterparty, Version
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import channel_key, next_sequence_send_key
from relayer_sim.host.errors import (
    ChannelNotFound,
    ContractError,
    InvalidChannelCounterparty,
    InvalidChannelIdentifier,
    InvalidChannelOrdering,
    InvalidChannelState,
    InvalidConnectionState,
    InvalidConnectionVersion,
    TooManyConnectionHops,
)
from relayer_sim.host.messages import (
    MsgChannelCloseConfirm,
    MsgChannelCloseInit,
    MsgChannelOpenAck,
    MsgChannelOpenConfirm,
    MsgChannelOpenInit,
    MsgChannelOpenTry,
    MsgConnectionOpenInit,
)
from relayer_sim.vm import WasmVM
from tests.host.ibc_pair import PORT, VERSION, make_pair
from tests.host.test_app import RELAYER


@pytest.mark.parametrize("ordering", [Order.UNORDERED, Order.ORDERED])
def test_channels_opened_from_either_side(vm: WasmVM, ordering: Order) -> None:
    pair = make_pair(vm)
    connections = pair.open_connection()
    mine, theirs = pair.open_channel(connections, ordering)
    host = pair.host.app.query()
    assert host.channels.channel(PORT, mine) == ChannelEnd(
        ChannelState.OPEN, ordering, ChannelCounterparty(PORT, theirs), (connections[0],), VERSION
    )
    assert pair.chain.ibc.channel(PORT, theirs) == ChannelEnd(
        ChannelState.OPEN, ordering, ChannelCounterparty(PORT, mine), (connections[1],), VERSION
    )
    assert host.channels.store.get(next_sequence_send_key(PORT, mine)) == (1).to_bytes(8, "big")
    second, other = pair.open_channel_from_host(connections, ordering)
    assert (second, other) == ("channel-1", "channel-1")
    assert host.channels.channel(PORT, second).state == ChannelState.OPEN


def test_bad_channel_steps_are_refused(vm: WasmVM) -> None:
    pair = make_pair(vm)
    mine_connection, theirs_connection = pair.open_connection()
    ibc = pair.chain.ibc
    theirs = ibc.chan_open_init(PORT, Order.UNORDERED, theirs_connection, PORT, VERSION)
    at = pair.commit()
    proof = pair.prove(channel_key(PORT, theirs), at)

    def try_(
        ordering: Order = Order.UNORDERED,
        hops: tuple[str, ...] = (mine_connection,),
        version: str = VERSION,
        counterparty_port: str = PORT,
        state: ChannelState = ChannelState.TRYOPEN,
    ) -> MsgChannelOpenTry:
        counterparty = ChannelCounterparty(counterparty_port, theirs)
        end = ChannelEnd(state, ordering, counterparty, hops, VERSION)
        return MsgChannelOpenTry(RELAYER, PORT, end, version, proof, at)

    assert pair.expect(ContractError, try_(Order.ORDERED)).startswith(
        "channel handshake open try failed: failed channel state verification for client"
    )
    pair.expect(ContractError, try_(version="other-1"))
    pair.expect(ContractError, try_(counterparty_port="other"))
    assert pair.expect(TooManyConnectionHops, try_(hops=("connection-0", "connection-1"))) == (
        "current IBC version only supports one connection hop: too many connection hops"
    )
    pair.expect(InvalidChannelOrdering, try_(Order.NONE))
    assert "channel state must be TRYOPEN in MsgChannelOpenTry" in pair.expect(
        InvalidChannelState, try_(state=ChannelState.INIT)
    )
    # A connection not yet open cannot carry a channel's Try.
    half_open = pair.ok(
        MsgConnectionOpenInit(
            RELAYER, pair.client_id, ConnectionCounterparty("07-tendermint-0", "", b"ibc"), None, 0
        )
    )
    assert isinstance(half_open, str)
    assert "connection state is not OPEN (got STATE_INIT)" in pair.expect(
        InvalidConnectionState, try_(hops=(half_open,))
    )
    mine = pair.ok(try_())
    assert isinstance(mine, str)
    assert "channel state should be INIT (got STATE_TRYOPEN)" in pair.expect(
        InvalidChannelState, MsgChannelOpenAck(RELAYER, PORT, mine, theirs, VERSION, proof, at)
    )
    # The counterparty's end is still INIT: no proof of it OPEN.
    pair.expect(ContractError, MsgChannelOpenConfirm(RELAYER, PORT, mine, proof, at))
    assert pair.expect(
        ChannelNotFound, MsgChannelOpenConfirm(RELAYER, PORT, "channel-7", proof, at)
    ) == (
        "channel handshake open confirm failed: port ID (transfer) channel ID (channel-7): "
        "channel not found"
    )
    assert (
        pair.expect(
            InvalidChannelIdentifier, MsgChannelOpenConfirm(RELAYER, PORT, "chan-0", proof, at)
        )
        == "invalid channel identifier"
    )


def test_bad_inits_are_refused(vm: WasmVM) -> None:
    pair = make_pair(vm)
    mine_connection, _ = pair.open_connection_from_host(version=Version("1", ("ORDER_ORDERED",)))

    def init(ordering: Order = Order.UNORDERED, channel_id: str = "") -> MsgChannelOpenInit:
        end = ChannelEnd(
            ChannelState.INIT,
            ordering,
            ChannelCounterparty(PORT, channel_id),
            (mine_connection,),
            VERSION,
        )
        return MsgChannelOpenInit(RELAYER, PORT, end)

    assert "counterparty channel identifier must be empty" in pair.expect(
        InvalidChannelCounterparty, init(channel_id="channel-3")
    )
    # The connection agreed on ORDER_ORDERED only: an unordered channel is not allowed.
    assert "does not support channel ordering: ORDER_UNORDERED" in pair.expect(
        InvalidConnectionVersion, init()
    )
    assert pair.ok(init(Order.ORDERED)) == "channel-0"


def test_closing_a_channel(vm: WasmVM) -> None:
    pair = make_pair(vm)
    connections = pair.open_connection()
    mine, theirs = pair.open_channel(connections, Order.UNORDERED)
    # The counterparty has not closed: a proof of its end open is no proof of it closed.
    at = pair.commit()
    proof = pair.prove(channel_key(PORT, theirs), at)
    close = MsgChannelCloseConfirm(RELAYER, PORT, mine, proof, at)
    pair.expect(ContractError, close)
    pair.chain.ibc.chan_close(PORT, theirs)
    at = pair.commit()
    pair.ok(
        MsgChannelCloseConfirm(RELAYER, PORT, mine, pair.prove(channel_key(PORT, theirs), at), at)
    )
    assert pair.host.app.query().channels.channel(PORT, mine).state == ChannelState.CLOSED
    assert pair.expect(InvalidChannelState, MsgChannelCloseInit(RELAYER, PORT, mine)) == (
        "channel handshake close init failed: channel is already CLOSED: invalid channel state"
    )
    # The host closes its other channel first.
    second, _ = pair.open_channel_from_host(connections, Order.UNORDERED)
    pair.ok(MsgChannelCloseInit(RELAYER, PORT, second))
    assert pair.host.app.query().channels.channel(PORT, second).state == ChannelState.CLOSED
