"""The counterparty chain produces blocks the reference light-client rules accept, and the
events a scenario needs: validator changes, stalls, consensus switches, upgrades and forks."""

from __future__ import annotations

from itertools import pairwise

import pytest

from relayer_sim.counterparty import (
    ChainConfig,
    ChainError,
    ChainHalted,
    Coalition,
    CounterpartyChain,
    RosterChange,
    Stalled,
    UpgradePlan,
    ValidatorSpec,
)
from relayer_sim.counterparty.chain import SECOND, Block
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import (
    TM_ED25519,
    TM_SECP256K1,
    HeaderMessage,
    Height,
    Misbehaviour,
)
from relayer_sim.lightclient.merkle import decode_proof, verify_membership, verify_non_membership
from relayer_sim.lightclient.paths import merkle_key, upgrade_paths
from relayer_sim.lightclient.states import (
    DEFAULT_TRUST_LEVEL,
    DEFAULT_UPGRADE_PATH,
    SENTINEL_ROOT,
    ClientState,
    ConsensusState,
)
from relayer_sim.lightclient.verify import (
    Rejection,
    Trusted,
    VerificationError,
    is_fork,
    verify_header,
)

HOUR = 3600 * SECOND
VALIDATORS = (
    ValidatorSpec("alice", 40),
    ValidatorSpec("bob", 30),
    ValidatorSpec("carol", 20),
    ValidatorSpec("dave", 10),
)
BOTH_VERSIONS = (TM_ED25519.header_version, TM_SECP256K1.header_version)


def make_chain(**overrides: object) -> CounterpartyChain:
    config = ChainConfig(name="counterparty", validators=VALIDATORS, **overrides)  # type: ignore[arg-type]
    return CounterpartyChain(config)


def advance(chain: CounterpartyChain, blocks: int) -> list[Block]:
    produced = []
    for _ in range(blocks):
        block = chain.produce_block(chain.next_block_time())
        assert isinstance(block, Block), block
        produced.append(block)
    return produced


def client_for(chain: CounterpartyChain, height: Height) -> tuple[ClientState, ConsensusState]:
    header = chain.block(height).header
    client = ClientState(
        chain_id=chain.chain_id,
        trust_level=DEFAULT_TRUST_LEVEL,
        trusting_period_ns=2 * 24 * HOUR,
        max_clock_drift_ns=10 * SECOND,
        latest_height=height,
    )
    state = ConsensusState(header.time_ns, header.app_hash, header.next_validators_hash)
    return client, state


def verify(chain: CounterpartyChain, trusted: Height, target: Height, now_ns: int) -> None:
    client, state = client_for(chain, trusted)
    message = chain.header_message(target, trusted)
    verify_header(client, Trusted(state, trusted.revision_height), message, now_ns, BOTH_VERSIONS)


def test_blocks_verify_adjacent_and_skipping() -> None:
    chain = make_chain(block_jitter_ns=SECOND)
    blocks = advance(chain, 12)
    now = chain.latest_time_ns + SECOND
    verify(chain, Height(1, 1), Height(1, 2), now)
    verify(chain, Height(1, 1), Height(1, 12), now)
    assert [b.height.revision_height for b in blocks] == list(range(1, 13))
    assert all(b.header.last_block_hash == a.header.hash() for a, b in pairwise(blocks))
    times = [b.header.time_ns for b in blocks]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_the_same_seed_gives_the_same_chain() -> None:
    first = [b.header.hash() for b in advance(make_chain(block_jitter_ns=SECOND), 5)]
    again = [b.header.hash() for b in advance(make_chain(block_jitter_ns=SECOND), 5)]
    other = [b.header.hash() for b in advance(make_chain(block_jitter_ns=SECOND, seed=b"x"), 5)]
    assert first == again and first != other


def test_offline_validators_do_not_sign_and_too_few_stall_the_chain() -> None:
    chain = make_chain()
    chain.set_online("dave", False)
    (block,) = advance(chain, 1)
    assert block.signed.commit.signatures.count(None) == 1
    chain.set_online("carol", False)  # 70 of 100 online: still > 2/3
    advance(chain, 1)
    chain.set_online("bob", False)  # 40 of 100: stalled
    stalled = chain.produce_block(chain.next_block_time())
    assert isinstance(stalled, Stalled) and "40 of 100" in str(stalled)
    assert chain.latest_height == Height(1, 2)
    chain.set_online("bob", True)
    assert isinstance(chain.produce_block(chain.next_block_time()), Block)


def test_validator_changes_take_effect_and_skipping_needs_trust() -> None:
    chain = make_chain()
    advance(chain, 1)
    chain.schedule_validator_change(RosterChange(Height(1, 3), "erin", 200))
    chain.schedule_validator_change(RosterChange(Height(1, 3), "alice", 0))
    blocks = advance(chain, 3)
    assert len(blocks[2].signed.validator_set) == 4
    assert blocks[0].next_validator_set != blocks[0].signed.validator_set
    now = chain.latest_time_ns + SECOND
    verify(chain, Height(1, 2), Height(1, 3), now)  # adjacent across the change
    # Skipping from height 1: of the trusted set only bob, carol, dave (60 of 100) signed.
    verify(chain, Height(1, 1), Height(1, 4), now)
    with pytest.raises(ChainError, match="too late"):
        chain.schedule_validator_change(RosterChange(Height(1, 5), "dave", 1))


def test_consensus_switch_changes_scheme_and_breaks_v1_clients() -> None:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_consensus_switch(Height(1, 5), "tm-secp256k1")
    blocks = advance(chain, 4)
    assert [b.header.version for b in blocks] == [
        TM_ED25519,
        TM_ED25519,
        TM_SECP256K1,
        TM_SECP256K1,
    ]
    assert blocks[1].next_validator_set.scheme == "secp256k1"
    now = chain.latest_time_ns + SECOND
    verify(chain, Height(1, 4), Height(1, 5), now)  # v2 rules follow the switch
    client, state = client_for(chain, Height(1, 4))
    message = chain.header_message(Height(1, 5), Height(1, 4))
    with pytest.raises(VerificationError) as rejected:
        verify_header(client, Trusted(state, 4), message, now, (TM_ED25519.header_version,))
    assert rejected.value.rejection is Rejection.UNSUPPORTED_VERSION


def test_proofs_of_presence_and_absence() -> None:
    chain = make_chain()
    path = (b"ibc", b"commitments/ports/transfer/channels/channel-0/sequences/1")
    absent = (b"ibc", path[1] + b"0")
    key = merkle_key(path)
    chain.state.write(path, b"commitment")
    (block,) = advance(chain, 1)
    height = block.height
    root = block.header.app_hash
    verify_membership(root, key, b"commitment", decode_proof(chain.prove(path, height)))
    verify_non_membership(root, key + b"0", decode_proof(chain.prove(absent, height)))
    chain.state.delete(path)
    (later,) = advance(chain, 1)
    verify_non_membership(later.header.app_hash, key, decode_proof(chain.prove(path, later.height)))
    assert chain.value(path, height) == b"commitment" and chain.value(path, later.height) is None


def test_planned_upgrade_publishes_states_halts_and_restarts() -> None:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_upgrade(UpgradePlan("v2", height=5))
    blocks = advance(chain, 3)
    assert chain.halted and blocks[-1].height == Height(1, 5)
    with pytest.raises(ChainHalted):
        chain.produce_block(chain.next_block_time())
    client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, 5)
    last = Height(1, 5)
    root = chain.block(last).header.app_hash
    client_bytes = chain.value(tuple(client_path), last)
    consensus_bytes = chain.value(tuple(consensus_path), last)
    assert client_bytes is not None and consensus_bytes is not None
    for path, value in ((client_path, client_bytes), (consensus_path, consensus_bytes)):
        verify_membership(
            root, merkle_key(path), value, decode_proof(chain.prove(tuple(path), last))
        )
    upgraded = decode.client_state(client_bytes)
    anchor = decode.consensus_state(consensus_bytes)
    assert upgraded.chain_id == "counterparty-2" and upgraded.latest_height == Height(2, 0)
    assert upgraded.trusting_period_ns == 0 and anchor.root == SENTINEL_ROOT

    chain.restart_after_upgrade()
    (first,) = advance(chain, 1)
    assert first.height == Height(2, 1) and first.header.chain_id == "counterparty-2"
    # The first header of the new revision is adjacent to the published anchor.
    client = ClientState(
        "counterparty-2", DEFAULT_TRUST_LEVEL, 2 * 24 * HOUR, 10 * SECOND, Height(2, 0)
    )
    message = chain.header_message(Height(2, 1), Height(2, 0))
    verify_header(client, Trusted(anchor, 0), message, chain.latest_time_ns + SECOND, BOTH_VERSIONS)


def test_forks_are_signed_data_and_the_honest_chain_goes_on() -> None:
    chain = make_chain()
    advance(chain, 3)
    now = chain.latest_time_ns + SECOND
    client, state = client_for(chain, Height(1, 1))
    trusted = chain.block(Height(1, 1)).next_validator_set

    # 1/3+ coalition (bob + dave = 40%) signs a lunatic header at a future height.
    coalition = Coalition.of(["bob", "dave"])
    lunatic = coalition.lunatic(chain, Height(1, 3), time_ns=chain.latest_time_ns)
    forged = HeaderMessage(lunatic, Height(1, 1), trusted)
    verify_header(
        client, Trusted(state, 1), forged, now, BOTH_VERSIONS
    )  # the light client is fooled
    honest = chain.header_message(Height(1, 3), Height(1, 1))
    assert is_fork(Misbehaviour(forged, honest))

    # Equivocation by the same 40% does not reach 2/3 of the set.
    equivocation = coalition.equivocation(chain, Height(1, 3))
    with pytest.raises(VerificationError) as rejected:
        verify_header(
            client,
            Trusted(state, 1),
            HeaderMessage(equivocation, Height(1, 1), trusted),
            now,
            BOTH_VERSIONS,
        )
    assert rejected.value.rejection is Rejection.INSUFFICIENT_POWER
    # With alice, bob and carol (90%) it does, and it is a fork.
    strong = Coalition.of(["alice", "bob", "carol"]).equivocation(chain, Height(1, 3))
    message = HeaderMessage(strong, Height(1, 1), trusted)
    verify_header(client, Trusted(state, 1), message, now, BOTH_VERSIONS)
    assert is_fork(Misbehaviour(message, honest))
    assert chain.block(Height(1, 3)).header.hash() == honest.signed.header.hash()
    assert isinstance(chain.produce_block(chain.next_block_time()), Block)
