"""The hard-fork baseline on the host: the binary's native light client follows the same rules
as the contracts, changes only through a software upgrade (a halt, a new binary, an upgrade
handler that migrates its state), and is not a wasm client for MsgMigrateContract."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.host.app import HostApp, HostConfig, UpgradeNeeded
from relayer_sim.host.chain import HostChain, Tx
from relayer_sim.host.clients import Status
from relayer_sim.host.durability import BlockLog
from relayer_sim.host.errors import ContractError, InvalidMessage, Unauthorized
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import (
    MsgMigrateContract,
    MsgSoftwareUpgrade,
    MsgUpdateClient,
)
from relayer_sim.host.native import NATIVE_CHECKSUM, NativeModule
from relayer_sim.host.store import GasMeter
from relayer_sim.host.upgrade import UpgradePlan
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import Height
from relayer_sim.vm import WasmVM
from tests.host.test_app import GAS, RELAYER, Host, create_client, stored
from tests.lightclient.chains import advance, make_chain, soon_after

SECOND = 10**9


def native_client(host: Host, chain: CounterpartyChain) -> str:
    return create_client(host, chain, NATIVE_CHECKSUM)


def update(client_id: str, chain: CounterpartyChain, height: int, trusted: int) -> MsgUpdateClient:
    message = chain.header_message(Height(1, height), Height(1, trusted)).to_bytes()
    return MsgUpdateClient(RELAYER, client_id, message)


@pytest.fixture
def chain() -> CounterpartyChain:
    """Three ed25519 blocks, then tm-secp256k1 from block 4 on."""
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_consensus_switch(Height(1, 4), "tm-secp256k1")
    advance(chain, 4)
    return chain


def test_a_native_client_follows_the_contracts_rules_without_contract_gas(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    host = Host(HostApp(vm, HostConfig(binary="v1")))
    client_id = native_client(host, chain)
    assert client_id.startswith("07-tendermint-")
    result = host.deliver(update(client_id, chain, 3, 1), chain)
    assert result.ok and result.contract_gas == 0 and result.gas_used > 0
    # The v1 binary knows no secp256k1 headers, with the contract's own words.
    text = host.expect(ContractError, update(client_id, chain, 4, 3), chain)
    assert "unsupported header version" in text
    assert host.status(client_id, chain) == Status.ACTIVE


def test_only_the_binary_changes_a_native_client(vm: WasmVM, chain: CounterpartyChain) -> None:
    host = Host(HostApp(vm))
    client_id = native_client(host, chain)
    checksum = stored(host, chain, "sim-tendermint-v2")
    text = host.expect(
        InvalidMessage, MsgMigrateContract(GOV_AUTHORITY, client_id, checksum, b"{}"), chain
    )
    assert "not a wasm client" in text


def test_a_host_without_native_clients_refuses_and_disowns_them(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    host = Host(HostApp(vm))
    client_id = native_client(host, chain)
    host.app.config = HostConfig(allowed_clients=("08-wasm",))  # a later governance decision
    assert host.app.query().clients.status(client_id, soon_after(chain), GasMeter(None)) == (
        Status.UNAUTHORIZED
    )
    with pytest.raises(AssertionError, match="07-tendermint is not registered"):
        native_client(host, chain)


@pytest.mark.parametrize(
    ("plan", "error", "text"),
    [
        (MsgSoftwareUpgrade(RELAYER, "u", 1000, "v2"), Unauthorized, "expected"),
        (MsgSoftwareUpgrade(GOV_AUTHORITY, "u", 100, "v2"), InvalidMessage, "must be above"),
        (MsgSoftwareUpgrade(GOV_AUTHORITY, "u", 1000, "v9"), InvalidMessage, "unknown binary"),
        (MsgSoftwareUpgrade(GOV_AUTHORITY, "", 1000, "v2"), InvalidMessage, "needs a name"),
    ],
    ids=["not the authority", "past height", "unknown binary", "no name"],
)
def test_impossible_upgrade_plans_are_refused(
    vm: WasmVM, chain: CounterpartyChain, plan: MsgSoftwareUpgrade, error: type, text: str
) -> None:
    host = Host(HostApp(vm))
    assert text in host.expect(error, plan, chain)


def test_a_software_upgrade_halts_the_host_then_its_new_binary_follows_the_switch(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    """Halt before the planned height; nothing is made until the validators run the new
    binary; its upgrade handler rewrites the native client in v2's format, and the secp256k1
    header the v1 binary refused is now accepted."""
    host = HostChain(HostApp(vm), "host-1", 5 * SECOND, chain.latest_time_ns)
    now = chain.latest_time_ns

    def block() -> None:
        nonlocal now
        now += 5 * SECOND
        host.produce_block(now)

    client_id = native_client(Host(host.app), chain)
    host.submit(Tx(MsgSoftwareUpgrade(GOV_AUTHORITY, "secp", host.height + 3, "v2"), GAS))
    block()
    assert not host.halted
    block()  # block 2: the plan's height, 3, is next
    assert host.halted and host.upgrade_due() is not None
    host.submit(Tx(update(client_id, chain, 3, 1), GAS))  # sent to a halted chain: lost
    with pytest.raises(UpgradeNeeded, match="needs binary v2"):
        host.produce_block(now + 5 * SECOND)
    host.halt_until(now + 600 * SECOND)
    assert host.next_block_time() == now + 600 * SECOND
    host.restart("v2")
    assert not host.halted and host.mempool == []
    now += 600 * SECOND
    host.produce_block(now)
    state = host.app.query().clients.client_state(client_id)
    assert decode.client_state(state.data).format == 2
    assert host.app.query().upgrade.plan() is None
    host.submit(Tx(update(client_id, chain, 3, 1), GAS))
    host.submit(Tx(update(client_id, chain, 4, 3), GAS))
    now += 5 * SECOND
    records = host.produce_block(now).txs
    assert [record.result.ok for record in records] == [True, True], records


def test_a_restored_host_runs_the_binary_it_upgraded_to(
    vm: WasmVM, chain: CounterpartyChain, tmp_path: Path
) -> None:
    """The block log holds the upgrade done: a host restarted from it comes back on binary v2,
    whatever its configuration says it started with."""
    config = HostConfig(binary="v1")
    host = HostChain(HostApp(vm, config, log=BlockLog(tmp_path)), "host-1", 5 * SECOND)
    host.submit(Tx(MsgSoftwareUpgrade(GOV_AUTHORITY, "secp", 2, "v2"), GAS))
    host.produce_block(5 * SECOND)
    assert host.halted
    host.restart("v2")
    host.produce_block(10 * SECOND)
    restored = HostApp.restore(vm, tmp_path, config)
    assert restored.native.binary == "v2" and restored.height == 2
    assert restored.query().upgrade.last_done() == UpgradePlan("secp", 2, "v2")


def test_the_native_module_names_unknown_binaries_and_formats() -> None:
    with pytest.raises(ValueError, match="unknown host binary 'v7'"):
        NativeModule("v7")
    with pytest.raises(ValueError, match="unknown wire format 'cometbft'"):
        NativeModule("v1", "cometbft")


# -- the tendermint wire format ----------------------------------------------------------------


@pytest.fixture
def tendermint_chain() -> CounterpartyChain:
    """The ``chain`` fixture's blocks in the tendermint wire format: ed25519 up to block 3,
    tm-secp256k1 from block 4 on."""
    chain = make_chain(format="tendermint")
    advance(chain, 2)
    chain.schedule_consensus_switch(Height(1, 4), "tm-secp256k1")
    advance(chain, 4)
    return chain


def tendermint_update(
    client_id: str, chain: CounterpartyChain, height: int, trusted: int
) -> MsgUpdateClient:
    message = chain.header_message(Height(1, height), Height(1, trusted))
    return MsgUpdateClient(RELAYER, client_id, chain.wire.header_message(message))


def test_a_native_client_follows_07_tendermint_in_the_tendermint_format(
    vm: WasmVM, tendermint_chain: CounterpartyChain
) -> None:
    """Created from the tendermint wire's states and updated by its signed headers, with
    07-tendermint's rules: binary v1 refuses a secp256k1 header in its own words, and the same
    header is accepted once the host runs binary v2."""
    chain = tendermint_chain
    host = Host(HostApp(vm, HostConfig(binary="v1", counterparty_format="tendermint")))
    client_id = native_client(host, chain)
    state = host.app.query().clients.client_state(client_id)
    assert state.checksum == NATIVE_CHECKSUM
    assert chain.wire.read_client_state(state.data).chain_id == chain.chain_id
    result = host.deliver(tendermint_update(client_id, chain, 3, 1), chain)
    assert result.ok and result.contract_gas == 0 and result.gas_used > 0
    text = host.expect(ContractError, tendermint_update(client_id, chain, 4, 3), chain)
    assert "unsupported public key: tendermint-v1 cannot verify secp256k1" in text
    # A sim-tendermint header is no header to 07-tendermint.
    sim_chain = make_chain()
    advance(sim_chain, 3)
    sim_header = update(client_id, sim_chain, 3, 1)
    assert "malformed client message" in host.expect(ContractError, sim_header, chain)
    assert host.status(client_id, chain) == Status.ACTIVE

    host.app.install("v2")
    assert host.app.native.profile.name == "tendermint-v2"
    host.ok(tendermint_update(client_id, chain, 4, 3), chain)
    state = host.app.query().clients.client_state(client_id)
    assert state.latest_height == Height(1, 4)
    assert chain.wire.read_client_state(state.data).latest_height == Height(1, 4)
    assert host.status(client_id, chain) == Status.ACTIVE


def test_a_software_upgrade_teaches_the_tendermint_native_client_secp256k1(
    vm: WasmVM, tendermint_chain: CounterpartyChain
) -> None:
    """The hard fork in the tendermint format: the halt, binary v2, an upgrade handler that
    leaves 07-tendermint's state as it was, and the secp256k1 header accepted."""
    chain = tendermint_chain
    config = HostConfig(binary="v1", counterparty_format="tendermint")
    host = HostChain(HostApp(vm, config), "host-1", 5 * SECOND, chain.latest_time_ns)
    now = chain.latest_time_ns
    client_id = native_client(Host(host.app), chain)
    host.submit(Tx(tendermint_update(client_id, chain, 3, 1), GAS))
    host.submit(Tx(MsgSoftwareUpgrade(GOV_AUTHORITY, "secp", host.height + 3, "v2"), GAS))
    now += 5 * SECOND
    host.produce_block(now)
    before = host.app.query().clients.client_state(client_id)
    host.submit(Tx(tendermint_update(client_id, chain, 4, 3), GAS))
    now += 5 * SECOND
    (refused,) = host.produce_block(now).txs
    assert not refused.result.ok and "cannot verify secp256k1" in str(refused.result.error)
    assert host.halted
    host.restart("v2")
    now += 600 * SECOND
    host.produce_block(now)
    assert host.app.query().upgrade.plan() is None
    assert host.app.query().clients.client_state(client_id) == before
    host.submit(Tx(tendermint_update(client_id, chain, 4, 3), GAS))
    now += 5 * SECOND
    records = host.produce_block(now).txs
    assert [record.result.ok for record in records] == [True], records
