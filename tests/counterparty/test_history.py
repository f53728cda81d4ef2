"""Old blocks kept as facts come back sealed to the bytes the chain first produced, in either wire
and scheme, across a consensus switch, an offline validator and a revision change."""

from __future__ import annotations

import pytest

from relayer_sim.counterparty import (
    Block,
    ChainConfig,
    ChainError,
    CounterpartyChain,
    UpgradePlan,
    ValidatorSpec,
)
from relayer_sim.counterparty.chain import SECOND
from relayer_sim.counterparty.history import CHECKPOINT, DROP_BATCH, RECENT
from relayer_sim.lightclient.headers import HeaderMessage, Height

VALIDATORS = (
    ValidatorSpec("alice", 40),
    ValidatorSpec("bob", 30),
    ValidatorSpec("carol", 20),
    ValidatorSpec("dave", 10),
)


def _produce(chain: CounterpartyChain, count: int) -> list[Block]:
    blocks = []
    for _ in range(count):
        block = chain.produce_block(chain.next_block_time())
        assert isinstance(block, Block)
        blocks.append(block)
    return blocks


def _wire_bytes(chain: CounterpartyChain, block: Block) -> bytes:
    """What a relayer would send for ``block``: every byte a client sees of it."""
    message = HeaderMessage(block.signed, block.height, block.next_validator_set)
    return chain.wire.header_message(message)


@pytest.mark.parametrize(
    ("wire", "consensus", "switch_to"),
    [
        ("sim-tendermint", "tm-ed25519", "tm-secp256k1"),
        ("tendermint", "tm-secp256k1", "tm-ed25519"),
    ],
)
def test_re_sealed_blocks_are_the_blocks_produced(
    wire: str, consensus: str, switch_to: str
) -> None:
    chain = CounterpartyChain(
        ChainConfig(
            name="c",
            validators=VALIDATORS,
            consensus=consensus,
            format=wire,
            block_time_ns=6 * SECOND,
            block_jitter_ns=SECOND,
        )
    )
    produced = _produce(chain, 40)
    chain.schedule_consensus_switch(Height(1, 60), switch_to)
    chain.set_online("dave", False)
    produced += _produce(chain, 30)
    chain.set_online("dave", True)
    chain.schedule_upgrade(UpgradePlan("v2", height=100))
    produced += _produce(chain, 30)
    chain.restart_after_upgrade()
    produced += _produce(chain, RECENT + 2 * CHECKPOINT)
    assert produced[-1].height == Height(2, RECENT + 2 * CHECKPOINT)
    for block in produced:
        again = chain.block(block.height)
        assert again == block
        assert again.next_validator_set is block.next_validator_set
        assert _wire_bytes(chain, again) == _wire_bytes(chain, block)
    old = produced[69]  # dave was offline: re-sealed without his signature
    assert old is not chain.block(old.height) and old.signed.commit.signatures[-1] is None


def test_forgotten_blocks_stay_forgotten_while_their_records_wait_for_a_batch() -> None:
    config = ChainConfig(
        name="c", validators=VALIDATORS, block_time_ns=6 * SECOND, state_retention_ns=600 * SECOND
    )
    chain = CounterpartyChain(config)
    produced = _produce(chain, DROP_BATCH + RECENT)
    kept = len(produced) - 1 - 100  # 600 s back from the newest block
    for index in (0, CHECKPOINT, kept - 1):
        with pytest.raises(ChainError):
            chain.block(produced[index].height)
    for index in (kept, kept + 1, len(produced) - 1):
        assert chain.block(produced[index].height) == produced[index]
    assert chain._blocks.oldest == produced[kept].height


def test_old_blocks_asked_in_order_are_sealed_once_each() -> None:
    chain = CounterpartyChain(ChainConfig(name="c", validators=VALIDATORS))
    produced = _produce(chain, RECENT + 3 * CHECKPOINT)
    sealed = 0
    seal = chain._blocks._seal

    def counting(*args: object) -> Block:
        nonlocal sealed
        sealed += 1
        return seal(*args)  # type: ignore[arg-type]

    chain._blocks._seal = counting
    for block in produced[CHECKPOINT + 1 : 2 * CHECKPOINT]:
        assert chain.block(block.height) == block
    assert sealed == CHECKPOINT - 1
