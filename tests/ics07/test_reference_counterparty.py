"""The reference follows the simulated counterparty when it speaks the ``tendermint`` format:
the client and consensus states, header messages and proofs its wire writes are what a real
CometBFT chain with the Cosmos SDK and ibc-go would send."""

from __future__ import annotations

from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import Block
from relayer_sim.counterparty.upgrade import UpgradePlan
from relayer_sim.counterparty.wire import ClientParams
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2, TendermintClient
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.states import DEFAULT_TRUST_LEVEL, DEFAULT_UPGRADE_PATH
from relayer_sim.vm import MemoryStorage
from tests.ics07 import DRIFT, SECOND, TRUSTING, env
from tests.ics07.test_reference_updates import CHECKSUM

VALIDATORS = (
    ValidatorSpec("alice", 40),
    ValidatorSpec("bob", 30),
    ValidatorSpec("carol", 20),
    ValidatorSpec("dave", 10),
)
PATH = (b"ibc", b"commitments/ports/transfer/channels/channel-0/sequences/1")


def produce(chain: CounterpartyChain, blocks: int) -> Height:
    for _ in range(blocks):
        block = chain.produce_block(chain.next_block_time())
        assert isinstance(block, Block)
    height = chain.latest_height
    assert height is not None
    return height


def test_the_reference_follows_a_tendermint_counterparty() -> None:
    chain = CounterpartyChain(ChainConfig(name="gaia", validators=VALIDATORS, format="tendermint"))
    first = produce(chain, 1)
    params = ClientParams(TRUSTING, DRIFT, DEFAULT_TRUST_LEVEL)
    client = TendermintClient(MemoryStorage(), TENDERMINT_V1)
    client.instantiate(*chain.client_states(first, params), CHECKSUM, env(chain.latest_time_ns))
    chain.state.write(PATH, b"\x01" * 32)
    trusted = first
    for blocks in (1, 4):  # an adjacent update, then a skipping one
        height = produce(chain, blocks)
        now = env(chain.latest_time_ns + SECOND)
        message = chain.wire.header_message(chain.header_message(height, trusted))
        client.verify_client_message(message, now)
        assert not client.check_for_misbehaviour(message, now)
        assert client.update_state(message, now) == [height]
        trusted = height
    proof = chain.prove(PATH, trusted)
    client.verify_membership(trusted, 0, 0, proof, list(PATH), b"\x01" * 32, now)
    absent = (b"ibc", b"receipts/ports/transfer/channels/channel-0/sequences/1")
    client.verify_non_membership(trusted, 0, 0, chain.prove(absent, trusted), list(absent), now)
    assert client.status(now) == "Active"


def test_the_reference_follows_the_counterparty_through_a_planned_upgrade() -> None:
    chain = CounterpartyChain(ChainConfig(name="gaia", validators=VALIDATORS, format="tendermint"))
    first = produce(chain, 1)
    params = ClientParams(TRUSTING, DRIFT, DEFAULT_TRUST_LEVEL)
    client = TendermintClient(MemoryStorage(), TENDERMINT_V2)
    client.instantiate(*chain.client_states(first, params), CHECKSUM, env(chain.latest_time_ns))
    chain.schedule_upgrade(UpgradePlan("v2", 6))
    while not chain.halted:
        chain.produce_block(chain.next_block_time())
    last = Height(1, 6)
    now = env(chain.latest_time_ns + SECOND)
    client.update_state(chain.wire.header_message(chain.header_message(last, first)), now)
    client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, last.revision_height)
    client.verify_upgrade_and_update_state(
        chain.value(tuple(client_path), last) or b"",
        chain.value(tuple(consensus_path), last) or b"",
        chain.prove(tuple(client_path), last),
        chain.prove(tuple(consensus_path), last),
        now,
    )
    chain.restart_after_upgrade()
    anchor = Height(2, 1)
    assert client.timestamp_at_height(anchor, now) > 0
    height = produce(chain, 2)
    now = env(chain.latest_time_ns + SECOND)
    message = chain.wire.header_message(chain.header_message(height, anchor))
    client.verify_client_message(message, now)
    assert client.update_state(message, now) == [height]
    assert client.status(now) == "Active"
