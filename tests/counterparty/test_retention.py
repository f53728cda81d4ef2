"""A long-lived counterparty keeps what relayers can still ask for, and forgets the rest."""

from __future__ import annotations

import pytest

from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import SECOND, Block, ChainError
from relayer_sim.counterparty.roster import Roster
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from tests.lightclient.chains import commit_packet

VALIDATORS = (ValidatorSpec("alice", 40), ValidatorSpec("bob", 30), ValidatorSpec("carol", 30))


def _packet(sequence: int) -> Packet:
    return Packet(sequence, "transfer", "channel-0", "transfer", "channel-0", b"x")


def test_blocks_and_states_beyond_the_retention_are_forgotten() -> None:
    config = ChainConfig(
        name="c", validators=VALIDATORS, block_time_ns=6 * SECOND, state_retention_ns=60 * SECOND
    )
    chain = CounterpartyChain(config)
    time_ns = chain.latest_time_ns
    for sequence in range(1, 41):
        commit_packet(chain, _packet(sequence))
        time_ns += config.block_time_ns
        assert isinstance(chain.produce_block(time_ns), Block)
    latest = chain.latest_height
    assert latest == Height(1, 40)
    path = (b"ibc", _packet(3).commitment_key())
    kept = Height(1, 30)  # 60 s back from block 40's time
    assert chain.block(kept).height == kept
    assert chain.value(path, kept) is not None
    chain.prove(path, kept)
    for gone in (Height(1, 1), Height(1, 29)):
        with pytest.raises(ChainError):
            chain.block(gone)
    assert chain._blocks.oldest == kept


def test_blocks_share_validator_sets_and_names_are_looked_up() -> None:
    roster = Roster(b"seed", VALIDATORS)
    first = roster.validator_set(Height(1, 1), "ed25519")
    assert roster.validator_set(Height(1, 9), "ed25519") is first
    for validator in first:
        name = roster.name_of(validator.public_key, "ed25519", Height(1, 1))
        assert name is not None
        assert roster.key(name, "ed25519").public_key == validator.public_key
    assert roster.name_of(b"\x00" * 32, "ed25519", Height(1, 1)) is None
