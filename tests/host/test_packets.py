"""Packet receipt through the host: a proven packet is received once; a forged, unproven,
timed-out or unknown-client packet is refused and leaves no receipt."""

from __future__ import annotations

from dataclasses import replace

import pytest

from relayer_sim.host.codec import decode_message, encode_message
from relayer_sim.host.errors import ContractError, InvalidMessage, NotFound
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import (
    MsgRecvPacket,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgUpdateClient,
)
from relayer_sim.host.packets import RecvOutcome
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.vm import WasmVM
from tests.host.test_app import RELAYER, create_client, make_host, stored
from tests.lightclient.chains import SECOND, advance, make_chain

PACKET = Packet(1, "transfer", "channel-0", "transfer", "channel-7", b'{"amount":"10"}')
PROOF_HEIGHT = Height(1, 3)


def test_a_proven_packet_is_received_once(vm: WasmVM) -> None:
    chain = make_chain()
    advance(chain, 1)
    chain.send_packet(PACKET)
    late = replace(PACKET, sequence=2, timeout_timestamp_ns=chain.latest_time_ns)
    chain.send_packet(late)
    low = replace(PACKET, sequence=3, timeout_height=Height(1, 100))  # the host is at 1-100
    chain.send_packet(low)
    advance(chain, 2)
    host = make_host(vm)
    client_id = create_client(host, chain, stored(host, chain, "sim-tendermint-v1"))
    header = chain.header_message(Height(1, 3), Height(1, 1)).to_bytes()
    host.ok(MsgUpdateClient(RELAYER, client_id, header), chain)
    proof = chain.prove(tuple(PACKET.commitment_path()), Height(1, 3))

    def recv(packet: Packet, at: Height = PROOF_HEIGHT, client: str = client_id) -> MsgRecvPacket:
        return MsgRecvPacket(RELAYER, client, packet, proof, at)

    forged = replace(PACKET, data=b'{"amount":"1000000"}')
    assert "the proven value differs" in host.expect(ContractError, recv(forged), chain)
    host.expect(InvalidMessage, recv(PACKET, Height(1, 9)), chain)
    host.expect(NotFound, recv(PACKET, client="08-wasm-5"), chain)
    assert host.app.query().packets.acknowledgement_commitment(PACKET) is None
    assert host.ok(recv(PACKET), chain) == RecvOutcome(received=True)
    assert host.app.query().packets.received(PACKET)
    # ibc-go's commitment of the success acknowledgement {"result":"AQ=="}
    assert host.app.query().packets.acknowledgement_commitment(PACKET) == bytes.fromhex(
        "08f7557ed51826fe18d84512bf24ec75001edbaf2123a477df72a0a9f3640a7c"
    )
    assert host.ok(recv(PACKET), chain) == RecvOutcome(received=False)  # a duplicate: no-op
    for expired in (late, low):
        assert "timed out" in host.expect(InvalidMessage, recv(expired), chain)
        assert not host.app.query().packets.received(expired)


@pytest.mark.parametrize(
    "msg",
    [
        MsgRecvPacket(RELAYER, "08-wasm-0", PACKET, b"proof", Height(1, 3)),
        MsgSubmitProposal(
            RELAYER,
            "two messages",
            (MsgStoreCode(GOV_AUTHORITY, b"\0asm"), MsgUpdateClient(RELAYER, "c", b"m")),
        ),
        MsgRecvPacket(
            RELAYER,
            "c",
            replace(PACKET, timeout_height=Height(2, 5), timeout_timestamp_ns=5 * SECOND),
            b"",
            Height(0, 0),
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
