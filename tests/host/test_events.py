"""The SDK events of each message, with ibc-go's types and attributes: only transactions that
succeeded and changed something emit any."""

from __future__ import annotations

import hashlib

from relayer_sim.contracts import load_contract
from relayer_sim.formats.ics04 import Order
from relayer_sim.formats.ics24 import next_sequence_recv_key
from relayer_sim.host.app import HostApp, HostConfig, TxResult
from relayer_sim.host.events import SdkEvent
from relayer_sim.host.governance import GOV_AUTHORITY, GovParams
from relayer_sim.host.messages import (
    MsgAcknowledgement,
    MsgMigrateContract,
    MsgRecvPacket,
    MsgSendPacket,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgTimeout,
    MsgUpdateClient,
    MsgVote,
)
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import SUCCESS_ACKNOWLEDGEMENT, Packet
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import WasmVM
from tests.host.ibc_pair import PORT, Pair, make_pair
from tests.host.test_app import RELAYER
from tests.lightclient.chains import advance

NEVER = Height(0, 0)
HOUR = 3600 * 10**9


def _events(result: TxResult) -> list[tuple[str, dict[str, str]]]:
    assert result.ok, result.error
    return [(event.type, event.as_data()) for event in result.events]


def _deliver(pair: Pair, msg: object) -> TxResult:
    return pair.deliver(msg)  # type: ignore[arg-type]


def test_client_and_code_events(vm: WasmVM) -> None:
    pair = make_pair(vm)
    result = pair.host.app.deliver(
        MsgStoreCode(GOV_AUTHORITY, load_contract("sim-tendermint-v2")), pair.env, None
    )
    v2 = result.result
    assert isinstance(v2, bytes)
    assert _events(result) == [("store_wasm_code", {"wasm_checksum": v2.hex()})]
    v1 = pair.host.app.query().clients.client_state(pair.client_id).checksum
    migrate = MsgMigrateContract(GOV_AUTHORITY, pair.client_id, v2, b"{}")
    assert _events(pair.host.app.deliver(migrate, pair.env, None)) == [
        (
            "migrate_contract",
            {"client_id": pair.client_id, "wasm_checksum": v1.hex(), "new_checksum": v2.hex()},
        )
    ]


def test_update_client_names_its_heights(vm: WasmVM) -> None:
    pair = make_pair(vm)
    advance(pair.chain, 2)
    pair.time_ns = pair.chain.latest_time_ns + 10**9
    header = pair.chain.wire.header_message(pair.chain.header_message(Height(1, 3), Height(1, 1)))
    update = MsgUpdateClient(RELAYER, pair.client_id, header)
    expected = SdkEvent(
        "update_client",
        (
            ("client_id", pair.client_id),
            ("client_type", "08-wasm"),
            ("consensus_height", "1-3"),
            ("consensus_heights", "1-3"),
        ),
    )
    assert _deliver(pair, update).events == (expected,)
    bad = MsgUpdateClient(RELAYER, pair.client_id, b"garbage")
    result = _deliver(pair, bad)
    assert not result.ok and result.events == ()  # a failed transaction emits nothing


def test_packet_events_follow_ibc_go(vm: WasmVM) -> None:
    pair = make_pair(vm)
    connections = pair.open_connection()
    mine, theirs = pair.open_channel(connections, Order.UNORDERED)
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"\x01in", NEVER, pair.time_ns + HOUR)
    at = pair.commit()
    recv = MsgRecvPacket(RELAYER, sent, pair.prove(sent.commitment_key(), at), at)
    (received, written) = _events(_deliver(pair, recv))
    common = {
        "packet_timeout_height": "0-0",
        "packet_timeout_timestamp": str(sent.timeout_timestamp_ns),
        "packet_sequence": "1",
        "packet_src_port": PORT,
        "packet_src_channel": theirs,
        "packet_dst_port": PORT,
        "packet_dst_channel": mine,
    }
    assert received == (
        "recv_packet",
        {
            "packet_data": "\x01in",
            "packet_data_hex": "01696e",
            **common,
            "packet_channel_ordering": "ORDER_UNORDERED",
            "packet_connection": connections[0],
            "connection_id": connections[0],
        },
    )
    assert written[0] == "write_acknowledgement"
    assert written[1]["packet_ack_hex"] == SUCCESS_ACKNOWLEDGEMENT.hex()
    assert _deliver(pair, recv).events == ()  # a repeat: ibc-go's no-op drops its events
    out = _deliver(pair, MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, b"o"))
    [(kind, attributes)] = _events(out)
    assert (kind, attributes["packet_data_hex"], attributes["packet_sequence"]) == (
        "send_packet",
        "6f",
        "1",
    )
    packet = out.result
    assert isinstance(packet, Packet)
    assert pair.chain.receive_from_host(packet)
    at = pair.commit()
    proof = pair.prove(packet.acknowledgement_key(), at)
    ack = MsgAcknowledgement(RELAYER, packet, SUCCESS_ACKNOWLEDGEMENT, proof, at)
    [(kind, attributes)] = _events(_deliver(pair, ack))
    assert kind == "acknowledge_packet" and "packet_data_hex" not in attributes


def test_an_ordered_timeout_closes_the_channel_in_its_events(vm: WasmVM) -> None:
    pair = make_pair(vm)
    mine, theirs = pair.open_channel(pair.open_connection(), Order.ORDERED)
    out = _deliver(pair, MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + 10**10, b"x"))
    packet = out.result
    assert isinstance(packet, Packet)
    at = pair.commit(4)
    timeout = MsgTimeout(
        RELAYER, packet, 1, pair.prove(next_sequence_recv_key(PORT, theirs), at), at
    )
    events = _events(_deliver(pair, timeout))
    assert [kind for kind, _ in events] == ["channel_close", "timeout_packet"]
    assert events[0][1]["packet_channel_ordering"] == "ORDER_ORDERED"


def test_a_proposal_that_ran_carries_its_events(vm: WasmVM) -> None:
    config = HostConfig(validators={"val": 1}, gov=GovParams(voting_period_ns=10**9))
    app = HostApp(vm, config)
    env = HostEnv(1, 10**9, "host-1")
    code = load_contract("sim-tendermint-v1")
    store = MsgStoreCode(GOV_AUTHORITY, code)
    for title, messages in (("store", (store,)), ("store twice", (store, store))):
        assert app.deliver(MsgSubmitProposal("cosmos1me", title, messages), env, None).ok
    for proposal in (1, 2):
        assert app.deliver(MsgVote("val", proposal, "Yes"), env, None).ok
    passed, failed = app.end_block(HostEnv(2, 3 * 10**9, "host-1"))
    checksum = hashlib.sha256(code).digest().hex()
    assert passed.events == (SdkEvent("store_wasm_code", (("wasm_checksum", checksum),)),)
    # the second proposal's second message fails (the code exists): nothing of it is emitted
    assert failed.error is not None and failed.events == ()
