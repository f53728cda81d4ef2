"""ICS-03 on the host: connections opened by the four-step handshake from either side, each step
proving the counterparty's connection end through the light-client contract, and every bad step
refused with ibc-go's error, the state unchanged."""

from __future__ import annotations

import pytest

from relayer_sim.formats.ics03 import (
    DEFAULT_VERSION,
    ConnectionCounterparty,
    ConnectionEnd,
    ConnectionState,
    Version,
    decode_client_paths,
)
from relayer_sim.formats.ics24 import client_connections_key, connection_key
from relayer_sim.host.connections import ConnectionParams, block_delay
from relayer_sim.host.errors import (
    ClientStatusError,
    ConnectionNotFound,
    ContractError,
    InvalidConnectionCounterparty,
    InvalidConnectionIdentifier,
    InvalidConnectionState,
    InvalidConnectionVersion,
    InvalidHeight,
    InvalidProof,
    InvalidVersion,
    VersionNegotiationFailed,
)
from relayer_sim.host.messages import (
    MsgConnectionOpenAck,
    MsgConnectionOpenConfirm,
    MsgConnectionOpenInit,
    MsgConnectionOpenTry,
)
from relayer_sim.lightclient.headers import Height
from relayer_sim.vm import WasmVM
from tests.host.ibc_pair import Pair, make_pair
from tests.host.test_app import RELAYER
from tests.lightclient.chains import SECOND

FORMATS = [("sim-tendermint-v1", "sim-tendermint"), ("tendermint-v1", "tendermint")]
ORDERED_ONLY = Version("1", ("ORDER_ORDERED",))


def _host_end(pair: Pair, connection_id: str) -> ConnectionEnd:
    return pair.host.app.query().connections.connection(connection_id)


@pytest.mark.parametrize(("contract", "wire"), FORMATS)
def test_a_connection_opened_by_the_counterparty(vm: WasmVM, contract: str, wire: str) -> None:
    pair = make_pair(vm, contract, format=wire, commitment_prefix=b"ibc")
    mine, theirs = pair.open_connection(delay_period_ns=30 * SECOND)
    assert _host_end(pair, mine) == ConnectionEnd(
        pair.client_id,
        (DEFAULT_VERSION,),
        ConnectionState.OPEN,
        ConnectionCounterparty("07-tendermint-0", theirs, b"ibc"),
        30 * SECOND,
    )
    assert pair.chain.ibc.connection(theirs) == ConnectionEnd(
        "07-tendermint-0",
        (DEFAULT_VERSION,),
        ConnectionState.OPEN,
        ConnectionCounterparty(pair.client_id, mine, b"ibc"),
        30 * SECOND,
    )
    store = pair.host.app.query().connections.store
    paths = store.get(client_connections_key(pair.client_id))
    assert paths is not None and decode_client_paths(paths) == (mine,)


@pytest.mark.parametrize(("contract", "wire"), FORMATS)
def test_a_connection_opened_by_the_host(vm: WasmVM, contract: str, wire: str) -> None:
    pair = make_pair(vm, contract, format=wire, commitment_prefix=b"store2")
    mine, theirs = pair.open_connection_from_host()
    end = _host_end(pair, mine)
    assert end.state == ConnectionState.OPEN
    assert end.counterparty == ConnectionCounterparty("07-tendermint-0", theirs, b"store2")
    assert pair.chain.ibc.connection(theirs).state == ConnectionState.OPEN


def test_the_stored_end_is_ibc_gos_bytes(vm: WasmVM) -> None:
    """The gogoproto bytes ibc-go writes for an INIT end: the counterparty and its prefix
    always present, even with an empty connection id."""
    pair = make_pair(vm)
    counterparty = ConnectionCounterparty("07-tendermint-0", "", b"ibc")
    mine = pair.ok(MsgConnectionOpenInit(RELAYER, pair.client_id, counterparty, None, 0))
    assert isinstance(mine, str)
    stored = pair.host.app.query().connections.store.get(connection_key(mine))
    assert stored == bytes.fromhex(
        "0a0930382d7761736d2d30"  # client_id "08-wasm-0"
        "12230a0131120d4f524445525f4f524445524544120f4f524445525f554e4f524445524544"  # version
        "1801"  # STATE_INIT
        "22180a0f30372d74656e6465726d696e742d301a050a03696263"  # counterparty
    )


def test_the_block_delay_rounds_up() -> None:
    params = ConnectionParams()
    assert [block_delay(d * SECOND, params) for d in (0, 1, 30, 31, 60)] == [0, 1, 1, 2, 2]
    assert block_delay(90 * SECOND, ConnectionParams(0)) == 0


def test_bad_steps_are_refused_and_change_nothing(vm: WasmVM) -> None:
    pair = make_pair(vm)
    ibc = pair.chain.ibc
    prefix = pair.chain.config.commitment_prefix
    theirs = ibc.conn_open_init(pair.client_id, b"ibc", 0)
    before_init = pair.trusted[-1]
    at = pair.commit()
    proof = pair.prove(connection_key(theirs), at)
    counterparty = ConnectionCounterparty("07-tendermint-0", theirs, prefix)

    def try_(
        proof: bytes = proof,
        at: Height = at,
        counterparty: ConnectionCounterparty = counterparty,
        versions: tuple[Version, ...] = (DEFAULT_VERSION,),
        delay: int = 0,
    ) -> MsgConnectionOpenTry:
        return MsgConnectionOpenTry(
            RELAYER, pair.client_id, counterparty, delay, versions, proof, at
        )

    # The counterparty's end at a height before it existed: nothing to prove.
    early = pair.prove(connection_key(theirs), before_init)
    text = pair.expect(ContractError, try_(early, before_init))
    assert text.startswith(
        "connection handshake open try failed: failed connection state verification for "
        f"client ({pair.client_id}): "
    )
    # Another delay, another prefix, versions it did not offer: the proven end differs.
    pair.expect(ContractError, try_(delay=5))
    wrong_prefix = ConnectionCounterparty("07-tendermint-0", theirs, b"other")
    pair.expect(ContractError, try_(counterparty=wrong_prefix))
    pair.expect(ContractError, try_(versions=(ORDERED_ONLY,)))
    assert "failed to find a matching counterparty version" in pair.expect(
        VersionNegotiationFailed, try_(versions=(Version("2", ("ORDER_ORDERED",)),))
    )
    assert pair.expect(InvalidHeight, try_(at=Height(1, 99))) == (
        "connection handshake open try failed: failed connection state verification for client "
        f"({pair.client_id}): client state height < proof height ({at} < 1-99), please ensure "
        "the client has been updated: invalid height"
    )
    assert pair.expect(InvalidProof, try_(proof=b"")).endswith(
        "cannot submit an empty proof init: invalid proof"
    )
    assert pair.expect(InvalidVersion, try_(versions=())) == (
        "empty counterparty versions: invalid version"
    )
    assert "invalid counterparty connection" in pair.expect(
        InvalidConnectionCounterparty,
        try_(counterparty=ConnectionCounterparty("07-tendermint-0", theirs, b"")),
    )
    mine = pair.ok(try_())
    assert isinstance(mine, str)
    # Replays and steps out of order.
    assert pair.expect(
        InvalidConnectionState,
        MsgConnectionOpenAck(RELAYER, mine, theirs, DEFAULT_VERSION, proof, at),
    ) == (
        "connection handshake open ack failed: connection state is not INIT (got STATE_TRYOPEN): "
        "invalid connection state"
    )
    # The counterparty has not opened yet: its end is INIT, not OPEN.
    pair.expect(ContractError, MsgConnectionOpenConfirm(RELAYER, mine, proof, at))
    ibc.conn_open_ack(theirs, mine, DEFAULT_VERSION)
    at = pair.commit()
    confirm = MsgConnectionOpenConfirm(RELAYER, mine, pair.prove(connection_key(theirs), at), at)
    pair.ok(confirm)
    assert "connection state is not TRYOPEN (got STATE_OPEN)" in pair.expect(
        InvalidConnectionState, confirm
    )
    assert (
        pair.expect(
            ConnectionNotFound, MsgConnectionOpenConfirm(RELAYER, "connection-9", proof, at)
        )
        == "connection handshake open confirm failed: connection-9: connection not found"
    )
    assert (
        pair.expect(
            InvalidConnectionIdentifier, MsgConnectionOpenConfirm(RELAYER, "conn-0", proof, at)
        )
        == "invalid connection identifier"
    )


def test_bad_inits_and_acks_are_refused(vm: WasmVM) -> None:
    pair = make_pair(vm)
    counterparty = ConnectionCounterparty("07-tendermint-0", "", b"ibc")

    def init(client_id: str = pair.client_id, version: Version | None = None) -> object:
        return MsgConnectionOpenInit(RELAYER, client_id, counterparty, version, 0)

    assert pair.expect(InvalidConnectionVersion, init(version=Version("2", ()))) == (
        "connection handshake open init failed: version is not supported: invalid connection "
        "version"
    )
    assert pair.expect(ClientStatusError, init("08-wasm-9")) == (
        "connection handshake open init failed: client (08-wasm-9) status is Unknown: client "
        "state is not active"
    )
    named = ConnectionCounterparty("07-tendermint-0", "connection-3", b"ibc")
    pair.expect(
        InvalidConnectionCounterparty,
        MsgConnectionOpenInit(RELAYER, pair.client_id, named, None, 0),
    )
    mine = pair.ok(init(version=ORDERED_ONLY))
    assert isinstance(mine, str)
    theirs = pair.chain.ibc.conn_open_try(
        ConnectionCounterparty(pair.client_id, mine, b"ibc"), DEFAULT_VERSION, 0
    )
    at = pair.commit()
    proof = pair.prove(connection_key(theirs), at)
    # INIT offered only ORDER_ORDERED: the counterparty's pick of both is not among them.
    assert "is not supported by versions selected on INIT" in pair.expect(
        InvalidConnectionState,
        MsgConnectionOpenAck(RELAYER, mine, theirs, DEFAULT_VERSION, proof, at),
    )
