"""The host end to end with the real VM and the real contracts: code storage by governance's
authority, client creation, updates, membership proofs, migration, checksum removal, contract
misbehaviour and out-of-gas, each failing transaction leaving the committed state unchanged."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.host.app import HostApp, HostConfig, TxResult
from relayer_sim.host.clients import Status, UpdateOutcome
from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.errors import (
    AlreadyExists,
    ClientStatusError,
    ContractError,
    HostError,
    InvalidContractModification,
    InvalidHeight,
    InvalidMessage,
    NotFound,
    OutOfGas,
    Unauthorized,
)
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import (
    Msg,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRemoveChecksum,
    MsgStoreCode,
    MsgUpdateClient,
)
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import WasmVM
from tests.lightclient.chains import advance, genesis, make_chain, soon_after

RELAYER = "cosmos1relayer"
GAS = 50_000_000
PACKET_PATH = [b"ibc", b"commitments/ports/transfer/channels/channel-0/sequences/1"]


@dataclass
class Host:
    app: HostApp

    def items(self) -> dict[bytes, bytes]:
        """The host's state as transactions see it (committed blocks and this block's)."""
        return dict(self.app.state.scan(None, None, True))

    def deliver(self, msg: Msg, chain: CounterpartyChain, gas: int | None = GAS) -> TxResult:
        return self.app.deliver(msg, soon_after(chain), gas)

    def expect(
        self, error: type[HostError], msg: Msg, chain: CounterpartyChain, gas: int | None = GAS
    ) -> str:
        """The message fails with ``error`` and the committed state does not change."""
        before = self.items()
        result = self.deliver(msg, chain, gas)
        assert not result.ok and isinstance(result.error, error), result
        assert self.items() == before
        return str(result.error)

    def ok(self, msg: Msg, chain: CounterpartyChain) -> object:
        result = self.deliver(msg, chain)
        assert result.ok, result.error
        return result.result

    def status(self, client_id: str, chain: CounterpartyChain) -> Status:
        clients = self.app.query().clients
        return clients.status(client_id, soon_after(chain), GasMeter(None))


def make_host(vm: WasmVM, dialect: Dialect = Dialect.V10) -> Host:
    return Host(HostApp(vm, HostConfig(dialect=dialect)))


def stored(host: Host, chain: CounterpartyChain, name: str) -> bytes:
    checksum = host.ok(MsgStoreCode(GOV_AUTHORITY, load_contract(name)), chain)
    assert isinstance(checksum, bytes)
    return checksum


def create_client(host: Host, chain: CounterpartyChain, checksum: bytes, format: int = 1) -> str:
    client, consensus = genesis(chain, Height(1, 1), format=format)
    msg = MsgCreateClient(
        RELAYER,
        WasmClientState(client, checksum, Height(1, 1)).encode(),
        WasmConsensusState(consensus).encode(),
    )
    client_id = host.ok(msg, chain)
    assert isinstance(client_id, str)
    return client_id


@pytest.fixture
def chain() -> CounterpartyChain:
    chain = make_chain()
    advance(chain, 1)
    chain.state.write(tuple(PACKET_PATH), b"commitment")
    advance(chain, 3)
    return chain


# -- MsgStoreCode ------------------------------------------------------------------------------


def test_code_is_stored_by_the_authority_only(vm: WasmVM, chain: CounterpartyChain) -> None:
    host = make_host(vm)
    code = load_contract("sim-tendermint-v1")
    host.expect(Unauthorized, MsgStoreCode(RELAYER, code), chain)
    checksum = stored(host, chain, "sim-tendermint-v1")
    assert host.app.query().codes.has(checksum)
    text = host.expect(AlreadyExists, MsgStoreCode(GOV_AUTHORITY, code), chain)
    assert checksum.hex() in text
    assert host.ok(MsgStoreCode(GOV_AUTHORITY, gzip.compress(load_contract("probe"))), chain)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (b"", "wasm code cannot be empty"),
        (b"\0asm\x01\0\0\0" + bytes(3 * 1024 * 1024), "wasm code too large"),
        (b"\x7fELF not wasm", "failed to store contract"),
        (gzip.compress(b"\0asm garbage"), "failed to store contract"),
    ],
    ids=["empty", "oversized", "not wasm", "gzip of garbage"],
)
def test_bad_code_is_refused(
    vm: WasmVM, chain: CounterpartyChain, code: bytes, reason: str
) -> None:
    host = make_host(vm)
    assert host.expect(InvalidMessage, MsgStoreCode(GOV_AUTHORITY, code), chain).startswith(reason)


def test_code_using_floats_is_refused(vm: WasmVM, chain: CounterpartyChain) -> None:
    # The smallest module with a float instruction: (func (result f32) f32.const 1)
    code = bytes.fromhex(
        "0061736d01000000010501600001" + "7d" + "030201000a09010700" + "430000803f" + "0b"
    )
    host = make_host(vm)
    assert "float" in host.expect(InvalidMessage, MsgStoreCode(GOV_AUTHORITY, code), chain)


# -- clients -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [Dialect.V10, Dialect.V0_1])
def test_create_update_and_prove(vm: WasmVM, chain: CounterpartyChain, dialect: Dialect) -> None:
    host = make_host(vm, dialect)
    checksum = stored(host, chain, "sim-tendermint-v1")
    client_id = create_client(host, chain, checksum)
    assert client_id == "08-wasm-0"
    assert host.status(client_id, chain) == Status.ACTIVE
    header = chain.header_message(Height(1, 4), Height(1, 1)).to_bytes()
    outcome = host.ok(MsgUpdateClient(RELAYER, client_id, header), chain)
    assert outcome == UpdateOutcome((Height(1, 4),), misbehaviour=False)
    clients = host.app.query().clients
    assert clients.latest_height(client_id) == Height(1, 4)
    consensus = clients.consensus_state(client_id, Height(1, 4))
    assert decode.consensus_state(consensus.data).root == chain.block(Height(1, 4)).header.app_hash
    with pytest.raises(NotFound):
        clients.consensus_state(client_id, Height(1, 3))
    proof = chain.prove(tuple(PACKET_PATH), Height(1, 4))
    env = soon_after(chain)
    clients.verify_membership(
        client_id, Height(1, 4), proof, PACKET_PATH, b"commitment", env, GasMeter(None)
    )
    with pytest.raises(ContractError, match="the proven value differs"):
        clients.verify_membership(
            client_id, Height(1, 4), proof, PACKET_PATH, b"forged", env, GasMeter(None)
        )
    with pytest.raises(InvalidHeight, match="please ensure the client has been updated"):
        clients.verify_membership(
            client_id, Height(1, 9), proof, PACKET_PATH, b"commitment", env, GasMeter(None)
        )
    # A bad header is the contract's refusal, and the transaction leaves nothing behind.
    stale = chain.header_message(Height(1, 2), Height(1, 4)).to_bytes()
    assert "not above the trusted height" in host.expect(
        ContractError, MsgUpdateClient(RELAYER, client_id, stale), chain
    )


def test_creation_needs_an_allowed_checksum(vm: WasmVM, chain: CounterpartyChain) -> None:
    host = make_host(vm)
    client, consensus = genesis(chain, Height(1, 1))
    msg = MsgCreateClient(
        RELAYER,
        WasmClientState(client, bytes(32), Height(1, 1)).encode(),
        WasmConsensusState(consensus).encode(),
    )
    host.expect(NotFound, msg, chain)
    host.expect(InvalidMessage, MsgCreateClient(RELAYER, b"junk", b"junk"), chain)


def test_out_of_gas_leaves_the_state_unchanged(vm: WasmVM, chain: CounterpartyChain) -> None:
    host = make_host(vm)
    client_id = create_client(host, chain, stored(host, chain, "sim-tendermint-v1"))
    header = chain.header_message(Height(1, 4), Height(1, 1)).to_bytes()
    for limit in (1_000, 20_000, 60_000):
        host.expect(OutOfGas, MsgUpdateClient(RELAYER, client_id, header), chain, gas=limit)
    used = host.ok(MsgUpdateClient(RELAYER, client_id, header), chain)
    assert used is not None


def test_removed_checksum_makes_clients_unauthorized(vm: WasmVM, chain: CounterpartyChain) -> None:
    host = make_host(vm)
    checksum = stored(host, chain, "sim-tendermint-v1")
    client_id = create_client(host, chain, checksum)
    host.expect(Unauthorized, MsgRemoveChecksum(RELAYER, checksum), chain)
    host.expect(NotFound, MsgRemoveChecksum(GOV_AUTHORITY, bytes(32)), chain)
    host.ok(MsgRemoveChecksum(GOV_AUTHORITY, checksum), chain)
    assert host.status(client_id, chain) == Status.UNAUTHORIZED
    header = chain.header_message(Height(1, 4), Height(1, 1)).to_bytes()
    assert "with status Unauthorized" in host.expect(
        ClientStatusError, MsgUpdateClient(RELAYER, client_id, header), chain
    )


# -- MsgMigrateContract ------------------------------------------------------------------------


def test_migration_to_v2_follows_the_consensus_switch(vm: WasmVM) -> None:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_consensus_switch(Height(1, 4), "tm-secp256k1")
    advance(chain, 4)
    host = make_host(vm)
    v1 = stored(host, chain, "sim-tendermint-v1")
    v2 = stored(host, chain, "sim-tendermint-v2")
    client_id = create_client(host, chain, v1)
    host.ok(
        MsgUpdateClient(
            RELAYER, client_id, chain.header_message(Height(1, 3), Height(1, 1)).to_bytes()
        ),
        chain,
    )
    switch = chain.header_message(Height(1, 4), Height(1, 3)).to_bytes()
    assert "unsupported header version" in host.expect(
        ContractError, MsgUpdateClient(RELAYER, client_id, switch), chain
    )
    host.expect(Unauthorized, MsgMigrateContract(RELAYER, client_id, v2, b"{}"), chain)
    host.expect(AlreadyExists, MsgMigrateContract(GOV_AUTHORITY, client_id, v1, b"{}"), chain)
    host.expect(NotFound, MsgMigrateContract(GOV_AUTHORITY, client_id, bytes(32), b"{}"), chain)
    host.expect(NotFound, MsgMigrateContract(GOV_AUTHORITY, "08-wasm-9", v2, b"{}"), chain)
    host.ok(MsgMigrateContract(GOV_AUTHORITY, client_id, v2, b"{}"), chain)
    assert host.app.query().clients.client_state(client_id).checksum == v2
    host.ok(MsgUpdateClient(RELAYER, client_id, switch), chain)
    assert host.status(client_id, chain) == Status.ACTIVE


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ({"db_remove": {"key": "clientState"}}, "the client state is missing"),
        (
            {"db_write": {"key": "clientState", "value": "not protobuf"}},
            "the client state is unreadable",
        ),
    ],
    ids=["deletes the client state", "corrupts the client state"],
)
def test_a_contract_that_breaks_the_client_state_is_refused(
    vm: WasmVM, chain: CounterpartyChain, command: dict[str, dict[str, str]], problem: str
) -> None:
    """The probe contract, migrated to, does what the migrate message says to the store."""
    host = make_host(vm)
    client_id = create_client(host, chain, stored(host, chain, "sim-tendermint-v1"))
    probe = stored(host, chain, "probe")
    name, args = next(iter(command.items()))
    encoded = {key: base64.b64encode(value.encode()).decode() for key, value in args.items()}
    msg = MsgMigrateContract(GOV_AUTHORITY, client_id, probe, json.dumps({name: encoded}).encode())
    assert problem in host.expect(InvalidContractModification, msg, chain)
