"""Genesis as ibc-go has it: a host's state exported in ibc-go's sections (clients with their
states and contract metadata, connections, channels, sequences, packet states, 08-wasm
contracts) and a host started from the file holding the same state, carrying on as the first
would; a file that is wrong anywhere is refused naming the field."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from relayer_sim.formats.ics04 import Order
from relayer_sim.host import genesis
from relayer_sim.host.app import HostApp
from relayer_sim.host.genesis import GenesisError
from relayer_sim.host.messages import MsgRecvPacket, MsgSendPacket
from relayer_sim.host.packets import SUCCESS, PacketOutcome
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.vm import WasmVM
from tests.host.ibc_pair import PORT, Pair, make_pair
from tests.host.test_app import RELAYER, create_client

HOUR = 3600 * 10**9
NEVER = Height(0, 0)


def _busy_pair(vm: WasmVM) -> tuple[Pair, str, str]:
    """A host with a client, a connection, an ordered and an unordered channel, a packet
    received, one sent and one acknowledged: every section of a genesis has something."""
    pair = make_pair(vm)
    connections = pair.open_connection()
    mine, theirs = pair.open_channel(connections, Order.UNORDERED)
    pair.open_channel(connections, Order.ORDERED)
    incoming = pair.chain.ibc.send_packet(PORT, theirs, b"in", NEVER, pair.time_ns + HOUR)
    at = pair.commit()
    proof = pair.prove(incoming.commitment_key(), at)
    assert pair.ok(MsgRecvPacket(RELAYER, incoming, proof, at)) == PacketOutcome(SUCCESS)
    for data in (b"out-1", b"out-2"):
        pair.ok(MsgSendPacket(RELAYER, PORT, mine, NEVER, pair.time_ns + HOUR, data))
    pair.host.app.commit()
    return pair, mine, theirs


def _state(app: HostApp) -> dict[bytes, bytes]:
    return dict(app.committed.scan(None, None, True))


def test_a_host_started_from_its_genesis_holds_the_same_state(vm: WasmVM) -> None:
    pair, mine, _ = _busy_pair(vm)
    app = pair.host.app
    data = genesis.to_json(app.export_genesis(pair.env))
    twin = HostApp.from_genesis(vm, data, app.config)
    assert _state(twin) == _state(app)
    assert (twin.height, twin.app_hash) == (app.height, app.app_hash)
    assert genesis.to_json(twin.export_genesis(pair.env)) == data
    # ibc-go's sections and names.
    document = json.loads(data)
    ibc = document["app_state"]["ibc"]
    assert sorted(ibc) == ["channel_genesis", "client_genesis", "connection_genesis"]
    assert [c["client_id"] for c in ibc["client_genesis"]["clients"]] == ["08-wasm-0"]
    metadata = ibc["client_genesis"]["clients_metadata"][0]["client_metadata"]
    keys = [base64.b64decode(entry["key"]) for entry in metadata]
    # ibc-go's ``IterateConsensusMetadata``: processed times and heights, the iteration keys.
    assert any(key.endswith(b"/processedTime") for key in keys)
    assert any(key.startswith(b"iterateConsensusStates") for key in keys)
    channels = ibc["channel_genesis"]
    assert [(c["channel_id"], c["ordering"]) for c in channels["channels"]] == [
        ("channel-0", "ORDER_UNORDERED"),
        ("channel-1", "ORDER_ORDERED"),
    ]
    assert [len(channels[kind]) for kind in ("commitments", "receipts", "acknowledgements")] == [
        2,
        1,
        1,
    ]
    assert channels["send_sequences"][0] == {
        "port_id": PORT,
        "channel_id": mine,
        "sequence": "3",
    }
    assert len(document["app_state"]["08-wasm"]["contracts"]) == 1


def test_the_started_host_carries_on(vm: WasmVM) -> None:
    """It verifies the next packet through the imported client (its delay metadata and all)
    and numbers new clients after the old ones."""
    pair, _, theirs = _busy_pair(vm)
    data = genesis.to_json(pair.host.app.export_genesis(pair.env))
    pair.host.app = HostApp.from_genesis(vm, data, pair.host.app.config)
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"after", NEVER, pair.time_ns + HOUR)
    at = pair.commit()
    proof = pair.prove(sent.commitment_key(), at)
    assert pair.ok(MsgRecvPacket(RELAYER, sent, proof, at)) == PacketOutcome(SUCCESS)
    assert isinstance(
        pair.ok(MsgSendPacket(RELAYER, PORT, "channel-1", NEVER, pair.time_ns + HOUR, b"x")),
        Packet,
    )
    checksum = next(iter(pair.host.app.query().codes.checksums()))
    assert create_client(pair.host, pair.chain, checksum) == "08-wasm-1"


def _document(vm: WasmVM) -> dict[str, Any]:
    pair = make_pair(vm)
    pair.open_channel(pair.open_connection(), Order.UNORDERED)
    pair.host.app.commit()
    exported: dict[str, Any] = pair.host.app.export_genesis(pair.env)
    return exported


def _broken(document: dict[str, Any], path: str, value: object) -> bytes:
    """``document`` with the value at ``path`` (dots, list indices) replaced, or removed
    when ``value`` is ``...``."""
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("initial_height", "0", "genesis.initial_height: expected at least 1"),
        ("initial_height", "-1", "genesis.initial_height: expected a uint64 as a decimal string"),
        ("app_hash", "zz", "genesis.app_hash: expected hex"),
        ("app_state.ibc", ..., "genesis.app_state.ibc: missing"),
        (
            "app_state.ibc.client_genesis.clients.0.client_state",
            "not base64!",
            "genesis.app_state.ibc.client_genesis.clients[0].client_state: expected base64",
        ),
        (
            "app_state.ibc.connection_genesis.connections.0.state",
            "STATE_HALF_OPEN",
            "genesis.app_state.ibc.connection_genesis.connections[0].state: unknown value "
            "'STATE_HALF_OPEN'",
        ),
        (
            "app_state.ibc.channel_genesis.send_sequences",
            {},
            "genesis.app_state.ibc.channel_genesis.send_sequences: expected a list",
        ),
        (
            "app_state.ibc.channel_genesis.next_channel_sequence",
            str(2**64),
            "genesis.app_state.ibc.channel_genesis.next_channel_sequence: expected a uint64",
        ),
        (
            "app_state.08-wasm.contracts.0.code_bytes",
            "AGFzbQ==",
            "genesis.app_state.08-wasm.contracts[0].code_bytes: ",
        ),
    ],
)
def test_a_bad_genesis_is_refused_naming_the_field(
    vm: WasmVM, path: str, value: object, message: str
) -> None:
    data = _broken(_document(vm), path, value)
    with pytest.raises(GenesisError) as refused:
        HostApp.from_genesis(vm, data)
    assert str(refused.value).startswith(message)


def test_a_genesis_that_is_no_json_is_refused(vm: WasmVM) -> None:
    for data in (b"", b"{", b"\xff", b"[" * 100_000):
        with pytest.raises(GenesisError, match=r"^genesis"):
            HostApp.from_genesis(vm, data)
