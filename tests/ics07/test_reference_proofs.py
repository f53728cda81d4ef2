"""Proofs in the 07-tendermint reference: membership and non-membership with real IAVL and
multistore proofs, delay periods at their bounds, a planned upgrade proven at the upgrade keys,
recovery from a substitute, and the metadata a v0.1 host exports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import decode, encode, errors
from relayer_sim.ics07.client import (
    SENTINEL_ROOT,
    TENDERMINT_V1,
    TENDERMINT_V2,
    TendermintClient,
)
from relayer_sim.ics07.errors import ClientError, reason_of
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv, iteration_key, processed_time_key
from relayer_sim.vm import MemoryStorage
from relayer_sim.vm.storage import PrefixStore
from tests.ics07 import (
    HOUR,
    SECOND,
    TRUSTING,
    UNBONDING,
    Block,
    TestChain,
    client_state,
    env,
    genesis,
    update,
)
from tests.ics07.test_reference_updates import CHECKSUM, apply, dump, start

KEY, VALUE = b"commitments/ports/transfer/channels/channel-0/sequences/1", b"\x01" * 32
ABSENT = b"receipts/ports/transfer/channels/channel-0/sequences/9"


def proven_client() -> tuple[TestChain, TendermintClient, Block, int]:
    """A client updated to block 5, whose state holds ``KEY``."""
    chain = TestChain()
    client = start(chain)
    chain.ibc.set(KEY, VALUE)
    fifth = chain.block(5)
    now = fifth.time_ns + SECOND
    apply(client, update(fifth, 1, chain.validators.validators), now)
    return chain, client, fifth, now


def reason(call: object, *args: object) -> str | None:
    try:
        call(*args)  # type: ignore[operator]
    except ClientError as error:
        return reason_of(str(error))
    return None


# --- membership -----------------------------------------------------------------------------------


def test_membership_and_non_membership_with_real_proofs() -> None:
    chain, client, fifth, now = proven_client()
    path = [b"ibc", KEY]
    client.verify_membership(fifth.height, 0, 0, chain.prove(fifth, KEY), path, VALUE, env(now))
    absent = chain.prove(fifth, ABSENT, present=False)
    client.verify_non_membership(fifth.height, 0, 0, absent, [b"ibc", ABSENT], env(now))


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong value", errors.INVALID_PROOF),
        ("wrong key", errors.INVALID_PROOF),
        ("wrong store", errors.INVALID_PROOF),
        ("above the latest height", errors.INVALID_HEIGHT),
        ("no consensus state there", errors.CONSENSUS_STATE_NOT_FOUND),
        ("not a proof", errors.MALFORMED_PROOF),
        ("present key proven absent", errors.INVALID_PROOF),
    ],
)
def test_membership_refusals(case: str, expected: str) -> None:
    chain, client, fifth, now = proven_client()
    height, proof, path, value = fifth.height, chain.prove(fifth, KEY), [b"ibc", KEY], VALUE
    if case == "wrong value":
        value = b"\x02" * 32
    elif case == "wrong key":
        path = [b"ibc", ABSENT]
    elif case == "wrong store":
        path = [b"bank", KEY]
    elif case == "above the latest height":
        height = Height(1, 6)
    elif case == "no consensus state there":
        height = Height(1, 3)
    elif case == "not a proof":
        proof = b"\x0a\x05\x0a"
    if case == "present key proven absent":
        got = reason(client.verify_non_membership, height, 0, 0, proof, path, env(now))
    else:
        got = reason(client.verify_membership, height, 0, 0, proof, path, value, env(now))
    assert got == expected


def test_delay_periods_are_inclusive_bounds() -> None:
    chain, client, fifth, now = proven_client()
    proof, path = chain.prove(fifth, KEY), [b"ibc", KEY]

    def check(delay_time: int, delay_blocks: int, at: HostEnv) -> str | None:
        return reason(
            client.verify_membership, fifth.height, delay_time, delay_blocks, proof, path, VALUE, at
        )

    # stored at host time `now`, host height 100 (revision 1, from host-1)
    assert check(10 * SECOND, 0, env(now + 10 * SECOND - 1)) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(10 * SECOND, 0, env(now + 10 * SECOND)) is None
    assert check(0, 5, env(now, height=104)) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(0, 5, env(now, height=105)) is None
    client.store.delete(processed_time_key(fifth.height))
    assert check(SECOND, 0, env(now + HOUR)) == errors.DELAY_PERIOD_NOT_PASSED
    assert check(0, 0, env(now)) is None


def test_a_frozen_client_proves_nothing() -> None:
    chain, client, fifth, now = proven_client()
    client.update_state_on_misbehaviour(b"", env(now))
    got = reason(
        client.verify_membership,
        fifth.height,
        0,
        0,
        chain.prove(fifth, KEY),
        [b"ibc", KEY],
        VALUE,
        env(now),
    )
    assert got == errors.CLIENT_IS_FROZEN


# --- upgrade --------------------------------------------------------------------------------------


def planned_upgrade(
    unbonding_ns: int = UNBONDING,
) -> tuple[TestChain, TendermintClient, Block, bytes, bytes, int]:
    """A chain that plans an upgrade to ``gaia-2`` after height 20 and a client updated to it:
    the chain, the client, the last block, the upgraded states (Any bytes) and the time."""
    chain = TestChain()
    client = start(chain, TENDERMINT_V2)
    upgraded = client_state(1, chain_id="gaia-2", unbonding_ns=unbonding_ns)
    upgraded_any = encode.client_state_any(upgraded)
    new_validators = lb.set_hash(chain.validators.validators)
    upgraded_consensus = tendermint_pb2.ConsensusState(next_validators_hash=new_validators)
    upgraded_consensus.timestamp.seconds = 1_700_001_000
    consensus_any = encode.consensus_state_any(upgraded_consensus)
    zeroed = tendermint_pb2.ClientState(chain_id="gaia-2", upgrade_path=upgraded.upgrade_path)
    zeroed.unbonding_period.CopyFrom(upgraded.unbonding_period)
    zeroed.latest_height.CopyFrom(upgraded.latest_height)
    zeroed.proof_specs.extend(upgraded.proof_specs)
    chain.upgrade.set(b"upgradedIBCState/20/upgradedClient", encode.client_state_any(zeroed))
    chain.upgrade.set(b"upgradedIBCState/20/upgradedConsState", consensus_any)
    last = chain.block(20)
    now = last.time_ns + SECOND
    apply(client, update(last, 1, chain.validators.validators), now)
    return chain, client, last, upgraded_any, consensus_any, now


def proofs(chain: TestChain, last: Block) -> tuple[bytes, bytes]:
    return (
        chain.prove(last, b"upgradedIBCState/20/upgradedClient", "upgrade"),
        chain.prove(last, b"upgradedIBCState/20/upgradedConsState", "upgrade"),
    )


def test_a_proven_upgrade_moves_the_client_to_the_new_revision() -> None:
    chain, client, last, upgraded, consensus, now = planned_upgrade()
    client.verify_upgrade_and_update_state(upgraded, consensus, *proofs(chain, last), env(now))
    state, checksum = client._client_state()
    assert (state.chain_id, state.latest_height.revision_number) == ("gaia-2", 2)
    assert decode.duration_ns(state.trusting_period) == TRUSTING
    assert checksum == CHECKSUM
    new = client._consensus_state(Height(2, 1))
    assert new.root.hash == SENTINEL_ROOT
    assert client.status(env(now)) == "Active"
    # the new chain's first block verifies against the upgraded validators
    new_chain = TestChain(chain_id="gaia-2")
    first = new_chain.block(2, time_ns=decode.time_ns(new.timestamp) + SECOND)
    message = update(first, 1, chain.validators.validators)
    assert apply(client, message, first.time_ns + SECOND) == [Height(2, 2)]


def test_a_shorter_unbonding_period_shortens_the_trusting_period() -> None:
    chain, client, last, upgraded, consensus, now = planned_upgrade(UNBONDING // 2)
    client.verify_upgrade_and_update_state(upgraded, consensus, *proofs(chain, last), env(now))
    state, _ = client._client_state()
    assert decode.duration_ns(state.trusting_period) == TRUSTING // 2


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not above the latest height", errors.INVALID_UPGRADE),
        ("another client state", errors.INVALID_PROOF),
        ("swapped proofs", errors.INVALID_PROOF),
        ("no upgrade path", errors.INVALID_UPGRADE),
        ("not a client state", errors.MALFORMED_UPGRADED_CLIENT_STATE),
    ],
)
def test_upgrade_refusals_change_nothing(case: str, expected: str) -> None:
    chain, client, last, upgraded, consensus, now = planned_upgrade()
    client_proof, consensus_proof = proofs(chain, last)
    if case == "not above the latest height":
        upgraded = encode.client_state_any(client_state(20))
    elif case == "another client state":
        upgraded = encode.client_state_any(client_state(1, chain_id="gaia-3"))
    elif case == "swapped proofs":
        client_proof, consensus_proof = consensus_proof, client_proof
    elif case == "no upgrade path":
        state, checksum = client._client_state()
        del state.upgrade_path[:]
        client._write_client_state(state, checksum)
    else:
        upgraded = consensus
    before = dump(client)
    got = reason(
        client.verify_upgrade_and_update_state,
        upgraded,
        consensus,
        client_proof,
        consensus_proof,
        env(now),
    )
    assert (got, dump(client)) == (expected, before)


# --- recovery -------------------------------------------------------------------------------------


def test_recovery_copies_the_substitute_into_the_frozen_subject() -> None:
    chain = TestChain()
    store = MemoryStorage()
    first = chain.block(1)
    subject = TendermintClient(PrefixStore(store, b"subject/"), TENDERMINT_V1)
    substitute = TendermintClient(PrefixStore(store, b"substitute/"), TENDERMINT_V1)
    subject.instantiate(*genesis(first), b"subject-code", env(first.time_ns + SECOND))
    subject.update_state_on_misbehaviour(b"", env(first.time_ns + SECOND))
    tenth = chain.block(10)
    substitute.instantiate(
        *genesis(tenth, trusting_ns=TRUSTING - HOUR), b"other", env(tenth.time_ns, 150)
    )
    TendermintClient(store, TENDERMINT_V1).migrate_client_store(env(tenth.time_ns + HOUR, 300))
    state, checksum = subject._client_state()
    assert checksum == b"subject-code"
    assert subject.status(env(tenth.time_ns + HOUR)) == "Active"
    assert state.latest_height.revision_height == 10
    assert decode.duration_ns(state.trusting_period) == TRUSTING - HOUR
    copied = [
        (k, v) for k, v in dump(substitute) if b"1-10" in k or k == iteration_key(Height(1, 10))
    ]
    assert [(k, v) for k, v in dump(subject) if (k, v) in copied] == copied


def test_recovery_refuses_a_substitute_that_does_not_match() -> None:
    chain = TestChain()
    store = MemoryStorage()
    first, tenth = chain.block(1), chain.block(10)
    TendermintClient(PrefixStore(store, b"subject/"), TENDERMINT_V1).instantiate(
        *genesis(first), CHECKSUM, env(first.time_ns)
    )
    TendermintClient(PrefixStore(store, b"substitute/"), TENDERMINT_V1).instantiate(
        *genesis(tenth, trust_level=(1, 2)), CHECKSUM, env(tenth.time_ns)
    )
    before = list(store.scan(None, None, True))
    recovery = TendermintClient(store, TENDERMINT_V1)
    assert reason(recovery.migrate_client_store, env(tenth.time_ns)) == errors.INVALID_SUBSTITUTE
    assert list(store.scan(None, None, True)) == before


# --- metadata and queries -------------------------------------------------------------------------


def test_export_metadata_lists_processed_entries_then_iteration_keys() -> None:
    _, client, fifth, now = proven_client()
    exported = client.export_metadata(env(now))
    keys = [key for key, _ in exported]
    processed = [k for k in keys if k.startswith(b"consensusStates/")]
    assert processed == sorted(
        f"consensusStates/{h}/{name}".encode()
        for h in ("1-1", "1-5")
        for name in ("processedHeight", "processedTime")
    )
    assert keys[len(processed) :] == [iteration_key(Height(1, 1)), iteration_key(fifth.height)]
    assert dict(exported)[iteration_key(fifth.height)] == b"consensusStates/1-5"


def test_timestamp_of_a_missing_height_is_refused() -> None:
    _, client, fifth, now = proven_client()
    assert client.timestamp_at_height(fifth.height, env(now)) == fifth.time_ns
    assert reason(client.timestamp_at_height, Height(1, 4), env(now)) == (
        errors.CONSENSUS_STATE_NOT_FOUND
    )


def test_migrate_changes_nothing() -> None:
    _, client, _, now = proven_client()
    before = dump(client)
    TendermintClient(client.store, TENDERMINT_V2).migrate(env(now))
    assert dump(client) == before
    assert reason(TendermintClient(MemoryStorage(), TENDERMINT_V2).migrate, env(now)) == (
        errors.MALFORMED_CLIENT_STATE
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_mangled_upgrades_are_refused_and_change_nothing(data: st.DataObject) -> None:
    chain, client, last, upgraded, consensus, now = _UPGRADE
    store = MemoryStorage()
    for key, value in dump(client):
        store.set(key, value)
    fresh = TendermintClient(store, TENDERMINT_V2)
    parts = [upgraded, consensus, *proofs(chain, last)]
    which = data.draw(st.integers(0, 3))
    mangled = bytearray(parts[which])
    index = data.draw(st.integers(0, len(mangled) - 1))
    mangled[index] ^= 1 << data.draw(st.integers(0, 7))
    parts[which] = bytes(mangled)
    before = dump(fresh)
    got = reason(fresh.verify_upgrade_and_update_state, *parts, env(now))
    if got is not None:  # (a flip protobuf ignores could leave an equivalent, valid upgrade)
        assert got in errors.REASONS
        assert dump(fresh) == before


_UPGRADE = planned_upgrade()
