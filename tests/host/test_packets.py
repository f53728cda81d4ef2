"""The packet lifecycle through the host's channels, every proof kind through the real contracts
in both wire formats: packets received (membership of the commitment, under the connection's
prefix and after its delay), acknowledgements proven back, timeouts by height and by time
(non-membership of the receipt, or the next receive sequence, at a height whose time the client
gives), ordered channels, and each bad step refused with ibc-go's error, the state unchanged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from relayer_sim.counterparty.forks import Coalition
from relayer_sim.formats.ics03 import DEFAULT_VERSION, ConnectionCounterparty, Version
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import channel_key, next_sequence_recv_key
from relayer_sim.host.clients import UpdateOutcome
from relayer_sim.host.codec import decode_message, encode_message
from relayer_sim.host.errors import (
    ClientStatusError,
    ContractError,
    InvalidAcknowledgement,
    InvalidChannelState,
    InvalidMessage,
    InvalidPacket,
    InvalidSequence,
    PacketReceived,
    PacketSequenceOutOfOrder,
    TimeoutElapsed,
    TimeoutNotReached,
)
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import (
    MsgAcknowledgement,
    MsgChannelCloseInit,
    MsgChannelOpenInit,
    MsgConnectionOpenTry,
    MsgRecvPacket,
    MsgSendPacket,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgTimeout,
    MsgTimeoutOnClose,
    MsgUpdateClient,
    MsgUpdateClientParams,
)
from relayer_sim.host.packets import NOOP, SUCCESS, PacketOutcome
from relayer_sim.lightclient.headers import HeaderMessage, Height
from relayer_sim.lightclient.packets import SUCCESS_ACKNOWLEDGEMENT, Packet
from relayer_sim.vm import WasmVM
from tests.host.ibc_pair import PORT, Pair, make_pair
from tests.host.test_app import RELAYER
from tests.lightclient.chains import SECOND

FORMATS = [("sim-tendermint-v1", "sim-tendermint"), ("tendermint-v1", "tendermint")]
HOUR = 3600 * SECOND
NEVER = Height(0, 0)
DONE = PacketOutcome(SUCCESS)
REPEAT = PacketOutcome(NOOP)


def _channel(
    vm: WasmVM,
    ordering: Order = Order.UNORDERED,
    contract: str = "sim-tendermint-v1",
    wire: str = "sim-tendermint",
    prefix: bytes = b"ibc",
    delay_ns: int = 0,
) -> tuple[Pair, str, str]:
    pair = make_pair(vm, contract, format=wire, commitment_prefix=prefix)
    mine, theirs = pair.open_channel(pair.open_connection(delay_ns), ordering)
    return pair, mine, theirs


def _receive(pair: Pair, packet: Packet, at: Height) -> MsgRecvPacket:
    return MsgRecvPacket(RELAYER, packet, pair.prove(packet.commitment_key(), at), at)


@pytest.mark.parametrize(("contract", "wire"), FORMATS)
def test_a_packet_in_each_direction_with_a_non_default_prefix(
    vm: WasmVM, contract: str, wire: str
) -> None:
    pair, mine, theirs = _channel(vm, contract=contract, wire=wire, prefix=b"ibc-store")
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"in", NEVER, pair.time_ns + HOUR)
    at = pair.commit()
    assert pair.ok(_receive(pair, sent, at)) == DONE
    packets = pair.host.app.query().packets
    assert packets.received(sent)
    # ibc-go's commitment of the success acknowledgement {"result":"AQ=="}
    assert packets.acknowledgement_commitment(sent) == bytes.fromhex(
        "08f7557ed51826fe18d84512bf24ec75001edbaf2123a477df72a0a9f3640a7c"
    )
    assert pair.ok(_receive(pair, sent, at)) == REPEAT

    out = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"out"))
    assert isinstance(out, Packet) and out.destination_channel == theirs
    assert packets.commitment(out) == out.commitment()
    assert pair.chain.receive_from_host(out)
    at = pair.commit()
    proof = pair.prove(out.acknowledgement_key(), at)
    ack = MsgAcknowledgement(RELAYER, out, SUCCESS_ACKNOWLEDGEMENT, proof, at)
    wrong = replace(ack, acknowledgement=b'{"error":"no"}')
    assert pair.expect(ContractError, wrong).startswith(
        "acknowledge packet verification failed: failed packet acknowledgement verification "
        f"for client ({pair.client_id}): "
    )
    assert pair.ok(ack) == DONE
    assert packets.commitment(out) is None
    assert pair.ok(ack) == REPEAT


def test_a_packet_proven_under_another_prefix_is_refused(vm: WasmVM) -> None:
    """The connection says where the counterparty's IBC store is: a proof of the same key in
    another store is no proof."""
    pair, _, theirs = _channel(vm, wire="tendermint", contract="tendermint-v1", prefix=b"other")
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"x", NEVER, pair.time_ns + HOUR)
    pair.chain.state.write((b"upgrade", sent.commitment_key()), sent.commitment())
    at = pair.commit()
    misplaced = pair.chain.prove((b"upgrade", sent.commitment_key()), at)
    text = pair.expect(ContractError, MsgRecvPacket(RELAYER, sent, misplaced, at))
    assert text.startswith(
        "receive packet verification failed: couldn't verify counterparty packet commitment: "
        "failed packet commitment verification for client"
    )
    assert pair.ok(_receive(pair, sent, at)) == DONE


def test_bad_receipts_are_refused_in_ibc_gos_order(vm: WasmVM) -> None:
    pair, mine, theirs = _channel(vm)
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"in", NEVER, pair.time_ns + HOUR)
    at = pair.commit()
    good = _receive(pair, sent, at)
    forged = replace(good, packet=replace(sent, data=b"forged"))
    assert "the proven value differs" in pair.expect(ContractError, forged)
    assert pair.expect(
        InvalidPacket, replace(good, packet=replace(sent, source_channel="channel-9"))
    ) == (
        "receive packet verification failed: packet source channel doesn't match the "
        "counterparty's channel (channel-9 ≠ channel-0): invalid packet"
    )
    assert pair.expect(
        InvalidPacket, replace(good, packet=replace(sent, timeout_timestamp_ns=0))
    ) == ("packet timeout height and packet timeout timestamp cannot both be 0: invalid packet")
    assert pair.ok(good) == DONE
    # A repeat is a no-op only once its proof holds (ibc-go proves first).
    pair.expect(ContractError, replace(good, proof_commitment=pair.prove(b"nothing", at)))
    assert pair.ok(good) == REPEAT
    # Timeouts on the host: by its time, then by its height.
    late = pair.chain.ibc.send_packet(PORT, theirs, b"late", NEVER, pair.time_ns + 30 * SECOND)
    low = pair.chain.ibc.send_packet(PORT, theirs, b"low", Height(1, pair.height + 3), 0)
    at = pair.commit(8)
    pair.tick(3)
    assert pair.expect(TimeoutElapsed, _receive(pair, late, at)) == (
        f"receive packet verification failed: packet timeout elapsed: current timestamp: "
        f"{pair.time_ns}, timeout timestamp {late.timeout_timestamp_ns}: timeout elapsed"
    )
    assert pair.expect(TimeoutElapsed, _receive(pair, low, at)).endswith(
        f"packet timeout elapsed: current height: 1-{pair.height}, timeout height "
        f"{low.timeout_height}: timeout elapsed"
    )
    assert not pair.host.app.query().packets.received(late)
    pair.ok(MsgChannelCloseInit(RELAYER, PORT, mine))
    assert "channel is not OPEN (got STATE_CLOSED)" in pair.expect(
        InvalidChannelState, _receive(pair, late, at)
    )


def test_an_ordered_channel_receives_in_order(vm: WasmVM) -> None:
    pair, mine, theirs = _channel(vm, Order.ORDERED)
    first, second = (
        pair.chain.ibc.send_packet(PORT, theirs, data, NEVER, pair.time_ns + HOUR)
        for data in (b"1", b"2")
    )
    at = pair.commit()
    assert pair.expect(PacketSequenceOutOfOrder, _receive(pair, second, at)).endswith(
        "packet sequence ≠ next receive sequence (2 ≠ 1): packet sequence is out of order"
    )
    assert pair.ok(_receive(pair, first, at)) == DONE
    assert pair.ok(_receive(pair, first, at)) == REPEAT
    assert pair.ok(_receive(pair, second, at)) == DONE
    packets = pair.host.app.query().packets
    assert packets.received(first) and packets.received(second)
    stored = packets.store.get(next_sequence_recv_key(PORT, mine))
    assert stored == (3).to_bytes(8, "big")
    assert packets.store.get(first.receipt_key()) is None  # no receipts on ordered channels


@pytest.mark.parametrize(("contract", "wire"), FORMATS)
def test_timeouts_by_time_and_by_height(vm: WasmVM, contract: str, wire: str) -> None:
    """Non-membership of the receipt, at a height whose time ``timestamp_at_height`` gives."""
    pair, mine, _ = _channel(vm, contract=contract, wire=wire)
    chain_height = pair.chain.latest_height
    assert chain_height is not None
    by_time = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + 20 * SECOND, b"t"))
    by_height = pair.ok(
        MsgSendPacket(RELAYER, PORT, mine, Height(1, chain_height.revision_height + 2), 0, b"h")
    )
    assert isinstance(by_time, Packet) and isinstance(by_height, Packet)
    at = pair.commit()
    for packet in (by_time, by_height):
        early = MsgTimeout(RELAYER, packet, 1, pair.prove(packet.receipt_key(), at), at)
        assert pair.expect(TimeoutNotReached, early).startswith(
            "timeout packet verification failed: packet timeout not reached: current height: "
        )
    at = pair.commit(4)
    for packet in (by_time, by_height):
        timeout = MsgTimeout(RELAYER, packet, 1, pair.prove(packet.receipt_key(), at), at)
        assert pair.ok(timeout) == DONE
        assert pair.ok(timeout) == REPEAT
        assert pair.host.app.query().packets.commitment(packet) is None


def test_a_received_packet_cannot_time_out(vm: WasmVM) -> None:
    pair, mine, _ = _channel(vm)
    out = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + 20 * SECOND, b"x"))
    assert isinstance(out, Packet)
    assert pair.chain.receive_from_host(out)
    at = pair.commit(5)
    timeout = MsgTimeout(RELAYER, out, 1, pair.prove(out.receipt_key(), at), at)
    assert "failed packet receipt absence verification" in pair.expect(ContractError, timeout)
    pair.expect(InvalidSequence, replace(timeout, next_sequence_recv=0))


def test_an_ordered_channel_closes_on_a_timeout(vm: WasmVM) -> None:
    pair, mine, theirs = _channel(vm, Order.ORDERED)
    first = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"1"))
    second = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + 20 * SECOND, b"2"))
    assert isinstance(first, Packet) and isinstance(second, Packet)
    assert pair.chain.receive_from_host(first)
    at = pair.commit(5)
    key = next_sequence_recv_key(PORT, theirs)
    proof = pair.prove(key, at)
    # The first packet has not timed out; the second has, but was it received?
    assert "packet timeout not reached" in pair.expect(
        TimeoutNotReached, MsgTimeout(RELAYER, first, 2, proof, at)
    )
    assert pair.expect(PacketReceived, MsgTimeout(RELAYER, second, 3, proof, at)).endswith(
        "packet already received, next sequence receive > packet sequence (3 > 2): packet "
        "already received"
    )
    # A next receive sequence it does not have is no proof.
    pair.expect(ContractError, MsgTimeout(RELAYER, second, 1, proof, at))
    assert pair.ok(MsgTimeout(RELAYER, second, 2, proof, at)) == DONE
    assert pair.host.app.query().channels.channel(PORT, mine).state == ChannelState.CLOSED


def test_a_timeout_on_close(vm: WasmVM) -> None:
    pair, mine, theirs = _channel(vm)
    out = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"x"))
    assert isinstance(out, Packet)
    at = pair.commit()
    close_proof = pair.prove(channel_key(PORT, theirs), at)
    on_close = MsgTimeoutOnClose(
        RELAYER, out, 1, pair.prove(out.receipt_key(), at), close_proof, at
    )
    assert "failed channel state verification" in pair.expect(ContractError, on_close)
    pair.chain.ibc.chan_close(PORT, theirs)
    at = pair.commit()
    on_close = MsgTimeoutOnClose(
        RELAYER,
        out,
        1,
        pair.prove(out.receipt_key(), at),
        pair.prove(channel_key(PORT, theirs), at),
        at,
    )
    assert pair.ok(on_close) == DONE
    assert pair.ok(on_close) == REPEAT


def test_the_delay_period_holds_packets_back(vm: WasmVM) -> None:
    """A 45 s delay is 45 s and two 30 s blocks after the consensus state was stored."""
    pair, _, theirs = _channel(vm, delay_ns=45 * SECOND)
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"x", NEVER, pair.time_ns + HOUR)
    at = pair.commit()  # stores ``at`` at host block h, then the host makes block h + 1
    assert pair.updated_at is not None
    recv = _receive(pair, sent, at)
    assert "delay time period has not passed" in pair.expect(ContractError, recv)
    pair.time_ns = pair.updated_at.time_ns + 45 * SECOND  # the time has passed, a block of two
    assert "delay block period has not passed" in pair.expect(ContractError, recv)
    pair.tick(1, 0)
    assert pair.ok(recv) == DONE


def test_sending_needs_an_open_channel_and_a_timeout_ahead(vm: WasmVM) -> None:
    pair, mine, _ = _channel(vm)
    client_time = pair.chain.latest_time_ns
    assert pair.expect(
        TimeoutElapsed, MsgSendPacket(RELAYER, PORT, mine, NEVER, client_time, b"x")
    ).endswith(
        f"invalid packet timeout: current timestamp: {client_time}, timeout timestamp "
        f"{client_time}: timeout elapsed"
    )
    pair.ok(MsgChannelCloseInit(RELAYER, PORT, mine))
    assert "channel is not OPEN (got STATE_CLOSED)" in pair.expect(
        InvalidChannelState, MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"x")
    )


def test_a_frozen_client_stops_the_channel(vm: WasmVM) -> None:
    """With the client frozen by a fork, nothing more is proven or sent through it."""
    pair, mine, theirs = _channel(vm)
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"x", NEVER, pair.time_ns + HOUR)
    at = pair.commit()
    trusted = pair.trusted[-2]
    forged = Coalition.of(["alice", "bob", "carol"]).equivocation(pair.chain, at)
    message = HeaderMessage(forged, trusted, pair.chain.trusted_validators(trusted))
    result = pair.ok(MsgUpdateClient(RELAYER, pair.client_id, message.to_bytes()))
    assert isinstance(result, UpdateOutcome) and result.misbehaviour
    assert "cannot call verify membership on client" in pair.expect(
        ClientStatusError, _receive(pair, sent, at)
    )
    assert "cannot send packet using client" in pair.expect(
        ClientStatusError, MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"x")
    )


def test_an_empty_acknowledgement_is_refused(vm: WasmVM) -> None:
    pair, mine, _ = _channel(vm)
    out = pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"x"))
    assert isinstance(out, Packet)
    ack = MsgAcknowledgement(RELAYER, out, b"", b"proof", Height(1, 2))
    assert pair.expect(InvalidAcknowledgement, ack) == (
        "ack bytes cannot be empty: invalid acknowledgement"
    )


PACKET = Packet(
    1, "transfer", "channel-0", "transfer", "channel-7", b'{"amount":"10"}', NEVER, 5 * SECOND
)


@pytest.mark.parametrize(
    "msg",
    [
        MsgRecvPacket(RELAYER, PACKET, b"proof", Height(1, 3)),
        MsgTimeout(RELAYER, replace(PACKET, timeout_height=Height(2, 5)), 4, b"p", Height(1, 3)),
        MsgConnectionOpenTry(
            RELAYER,
            "08-wasm-0",
            ConnectionCounterparty("07-tendermint-0", "connection-2", b"ibc"),
            0,
            (DEFAULT_VERSION, Version("2", ())),
            b"proof",
            Height(1, 3),
        ),
        MsgSubmitProposal(
            RELAYER,
            "channel and params",
            (
                MsgChannelOpenInit(
                    GOV_AUTHORITY,
                    "transfer",
                    ChannelEnd(
                        ChannelState.INIT,
                        Order.ORDERED,
                        ChannelCounterparty("transfer", ""),
                        ("connection-0",),
                        "ics20-1",
                    ),
                ),
                MsgUpdateClientParams(GOV_AUTHORITY, ("08-wasm", "07-tendermint")),
            ),
        ),
        MsgSubmitProposal(
            RELAYER,
            "two messages",
            (MsgStoreCode(GOV_AUTHORITY, b"\0asm"), MsgUpdateClient(RELAYER, "c", b"m")),
        ),
    ],
)
def test_messages_round_trip_through_the_codec(msg: object) -> None:
    assert decode_message(encode_message(msg)) == msg


def test_the_codec_refuses_what_is_not_a_message() -> None:
    with pytest.raises(InvalidMessage):
        encode_message(PACKET)
    for garbage in (b"", b"\x92\xa3Foo\x90", b"\x92\xadMsgStoreCode\x91\x01", b"\xc1"):
        with pytest.raises(InvalidMessage):
            decode_message(garbage)
