"""The built tendermint contracts follow the simulated counterparty speaking the ``tendermint``
format, in step with the reference: client creation, adjacent and skipping updates, proofs of
its multistore, and a planned upgrade to the next revision."""

from __future__ import annotations

import pytest

from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import Block
from relayer_sim.counterparty.upgrade import UpgradePlan
from relayer_sim.counterparty.wire import ClientParams
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.states import DEFAULT_TRUST_LEVEL, DEFAULT_UPGRADE_PATH
from relayer_sim.vm import WasmVM
from tests.ics07 import DRIFT, SECOND, TRUSTING, env
from tests.ics07.twin import CHECKSUM, Twin, store_contracts

VALIDATORS = (
    ValidatorSpec("alice", 40),
    ValidatorSpec("bob", 30),
    ValidatorSpec("carol", 20),
    ValidatorSpec("dave", 10),
)
PATH = (b"ibc", b"commitments/ports/transfer/channels/channel-0/sequences/1")
PARAMS = ClientParams(TRUSTING, DRIFT, DEFAULT_TRUST_LEVEL)


@pytest.fixture(scope="module")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return store_contracts(vm)


def produce(chain: CounterpartyChain, blocks: int) -> Height:
    for _ in range(blocks):
        assert isinstance(chain.produce_block(chain.next_block_time()), Block)
    height = chain.latest_height
    assert height is not None
    return height


@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
def test_the_contract_follows_a_tendermint_counterparty(
    vm: WasmVM, checksums: dict[str, bytes], dialect: str
) -> None:
    chain = CounterpartyChain(ChainConfig(name="gaia", validators=VALIDATORS, format="tendermint"))
    first = produce(chain, 1)
    twin = Twin(vm, checksums, TENDERMINT_V1, dialect)
    twin.instantiate(*chain.client_states(first, PARAMS), CHECKSUM, env(chain.latest_time_ns))
    chain.state.write(PATH, b"\x01" * 32)
    trusted = first
    for blocks in (1, 4):  # an adjacent update, then a skipping one
        height = produce(chain, blocks)
        now = env(chain.latest_time_ns + SECOND)
        message = chain.wire.header_message(chain.header_message(height, trusted))
        assert twin.update(message, now) == [height]
        trusted = height
    twin.verify_membership(trusted, chain.prove(PATH, trusted), list(PATH), b"\x01" * 32, now)
    absent = (b"ibc", b"receipts/ports/transfer/channels/channel-0/sequences/1")
    twin.verify_non_membership(trusted, chain.prove(absent, trusted), list(absent), now)
    assert twin.status(now) == "Active"


def test_the_contract_follows_the_counterparty_through_a_planned_upgrade(
    vm: WasmVM, checksums: dict[str, bytes]
) -> None:
    chain = CounterpartyChain(ChainConfig(name="gaia", validators=VALIDATORS, format="tendermint"))
    first = produce(chain, 1)
    twin = Twin(vm, checksums, TENDERMINT_V2)
    twin.instantiate(*chain.client_states(first, PARAMS), CHECKSUM, env(chain.latest_time_ns))
    chain.schedule_upgrade(UpgradePlan("v2", 6))
    while not chain.halted:
        chain.produce_block(chain.next_block_time())
    last = Height(1, 6)
    now = env(chain.latest_time_ns + SECOND)
    twin.update(chain.wire.header_message(chain.header_message(last, first)), now)
    client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, last.revision_height)
    twin.verify_upgrade_and_update_state(
        chain.value(tuple(client_path), last) or b"",
        chain.value(tuple(consensus_path), last) or b"",
        chain.prove(tuple(client_path), last),
        chain.prove(tuple(consensus_path), last),
        now,
    )
    chain.restart_after_upgrade()
    anchor = Height(2, 1)
    height = produce(chain, 2)
    now = env(chain.latest_time_ns + SECOND)
    message = chain.wire.header_message(chain.header_message(height, anchor))
    assert twin.update(message, now) == [height]
    assert twin.status(now) == "Active"
