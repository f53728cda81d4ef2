"""Updates of the 07-tendermint reference: CometBFT's adjacent and skipping verification with
real signatures, its thresholds and time bounds at their exact boundaries, the key types of each
profile, and what ``update_state`` stores, prunes and leaves alone."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2, TendermintClient
from relayer_sim.ics07.errors import ClientError, reason_of
from relayer_sim.ics07.verify import SECP256K1_ORDER, Profile
from relayer_sim.lightclient.headers import Height
from relayer_sim.vm import MemoryStorage
from tests.ics07 import (
    DRIFT,
    SECOND,
    TRUSTING,
    Block,
    TestChain,
    env,
    genesis,
    header_message,
    keys,
    update,
)

CHECKSUM = bytes(32)


def start(chain: TestChain, profile: Profile = TENDERMINT_V1, **kw: object) -> TendermintClient:
    """A client trusting block 1 of ``chain``."""
    first = chain.blocks.get(1) or chain.block(1)
    client = TendermintClient(MemoryStorage(), profile)
    client.instantiate(*genesis(first, **kw), CHECKSUM, env(first.time_ns + SECOND))  # type: ignore[arg-type]
    return client


def apply(client: TendermintClient, message: bytes, now: int) -> list[Height]:
    """What 02-client does with a header: verify, look for misbehaviour, then update."""
    client.verify_client_message(message, env(now))
    assert not client.check_for_misbehaviour(message, env(now))
    return client.update_state(message, env(now))


def refused(client: TendermintClient, message: bytes, now: int) -> str:
    with pytest.raises(ClientError) as caught:
        client.verify_client_message(message, env(now))
    return reason_of(str(caught.value))


def dump(client: TendermintClient) -> list[tuple[bytes, bytes]]:
    return list(client.store.scan(None, None, True))


def corrupt(block: Block, index: int) -> Block:
    """``block`` with the ``index``-th commit signature's last byte flipped."""
    signed = type(block.signed)()
    signed.CopyFrom(block.signed)
    sig = signed.commit.signatures[index]
    sig.signature = sig.signature[:-1] + bytes([sig.signature[-1] ^ 1])
    return Block(signed, block.validators, block.roots, block.versions)


# --- adjacent and skipping updates ---------------------------------------------------------------


def test_adjacent_then_skipping_updates_raise_the_latest_height() -> None:
    chain = TestChain()
    client = start(chain)
    second, tenth = chain.block(2), chain.block(10)
    now = tenth.time_ns + SECOND
    assert apply(client, update(second, 1, chain.validators.validators), now) == [second.height]
    assert apply(client, update(tenth, 2, chain.validators.validators), now) == [tenth.height]
    assert client.timestamp_at_height(tenth.height, env(now)) == tenth.time_ns
    assert client.status(env(now)) == "Active"


def test_an_update_below_the_latest_height_fills_the_gap_without_lowering_it() -> None:
    chain = TestChain()
    client = start(chain)
    tenth, fifth = chain.block(10), chain.block(5)
    now = tenth.time_ns + SECOND
    apply(client, update(tenth, 1, chain.validators.validators), now)
    apply(client, update(fifth, 1, chain.validators.validators), now)
    latest, _ = client._client_state()
    assert (
        latest.latest_height.revision_height,
        client.timestamp_at_height(fifth.height, env(now)),
    ) == (
        10,
        fifth.time_ns,
    )


def test_adjacent_header_must_come_from_the_trusted_next_validators() -> None:
    chain = TestChain()
    client = start(chain)
    others = keys([40, 30, 20, 10], seed=b"others")
    second = chain.block(2, validators=others)
    # the trusted validators are right (they hash to the trusted next validators hash) ...
    message = update(second, 1, chain.validators.validators)
    assert refused(client, message, second.time_ns + SECOND) == errors.INVALID_HEADER


def test_wrong_trusted_validators_are_refused() -> None:
    chain = TestChain()
    client = start(chain)
    others = keys([40, 30, 20, 10], seed=b"others")
    tenth = chain.block(10, validators=others)
    message = update(tenth, 1, others.validators)
    assert refused(client, message, tenth.time_ns + SECOND) == errors.INVALID_VALIDATOR_SET


def test_a_missing_trusted_consensus_state_is_refused() -> None:
    chain = TestChain()
    client = start(chain)
    tenth = chain.block(10)
    message = update(tenth, 4, chain.validators.validators)
    assert refused(client, message, tenth.time_ns + SECOND) == errors.CONSENSUS_STATE_NOT_FOUND


def test_a_header_of_another_chain_is_refused() -> None:
    chain = TestChain()
    client = start(chain)
    other = chain.block(10, chain_id="osmo-1")
    message = update(other, 1, chain.validators.validators)
    assert refused(client, message, other.time_ns + SECOND) == errors.INVALID_HEADER


# --- thresholds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("powers", "absent", "accepted"),
    [
        ([1, 1, 1], [2], False),  # 2 of 3: exactly 2/3 is not more than 2/3
        ([1, 1, 1], [], True),
        ([1, 1, 1, 1], [3], True),  # 3 of 4
        ([34, 33, 33], [2], True),  # 67 of 100
        ([33, 33, 34], [0], False),  # the 34 (first in set order) absent: 66 of 100
    ],
)
def test_light_verification_needs_more_than_two_thirds(
    powers: list[int], absent: list[int], accepted: bool
) -> None:
    chain = TestChain(validators=keys(powers))
    client = start(chain)
    second = chain.block(2, absent=absent)
    message = update(second, 1, chain.validators.validators)
    now = second.time_ns + SECOND
    if accepted:
        client.verify_client_message(message, env(now))
    else:
        assert refused(client, message, now) == errors.NOT_ENOUGH_VOTING_POWER


def _skip_over(trusted_powers: list[int], trust_level: tuple[int, int], kept: int) -> str | None:
    """Skip from a set of ``trusted_powers`` to a set where only the first ``kept`` trusted
    validators remain (with new validators holding the rest of the power); the refusal reason,
    or None when accepted."""
    trusted = keys(trusted_powers, seed=b"trusted")
    chain = TestChain(validators=trusted)
    client = start(chain, trust_level=trust_level)
    stayers = list(trusted.validators.validators)[:kept]
    newcomers = keys([sum(trusted_powers)], seed=b"newcomer")
    members = [lb.Member(v.pub_key, v.voting_power) for v in stayers] + [
        lb.Member(v.pub_key, v.voting_power) for v in newcomers.validators.validators
    ]
    new = type(trusted)(lb.validator_set(members), {**trusted.keys, **newcomers.keys})
    tenth = chain.block(10, validators=new)
    message = update(tenth, 1, trusted.validators)
    try:
        client.verify_client_message(message, env(tenth.time_ns + SECOND))
    except ClientError as error:
        return reason_of(str(error))
    return None


def test_skipping_needs_more_than_the_trust_level_of_the_trusted_power() -> None:
    # 33 of 99 trusted power is exactly 1/3: not enough; 66 of 99 is.
    assert _skip_over([33, 33, 33], (1, 3), 1) == errors.NOT_ENOUGH_VOTING_POWER
    assert _skip_over([33, 33, 33], (1, 3), 2) is None
    # 34 of 100 is more than 1/3
    assert _skip_over([34, 33, 33], (1, 3), 1) is None
    # at trust level 2/3, 66 of 99 (exactly 2/3) is not enough
    assert _skip_over([33, 33, 33], (2, 3), 2) == errors.NOT_ENOUGH_VOTING_POWER


# --- time bounds ----------------------------------------------------------------------------------


def test_the_trusted_state_expires_at_exactly_the_trusting_period() -> None:
    chain = TestChain()
    client = start(chain)
    first, tenth = chain.blocks[1], chain.block(10)
    message = update(tenth, 1, chain.validators.validators)
    assert refused(client, message, first.time_ns + TRUSTING) == errors.TRUSTING_PERIOD_EXPIRED
    client.verify_client_message(message, env(first.time_ns + TRUSTING - 1))
    assert client.status(env(first.time_ns + TRUSTING)) == "Expired"
    assert client.status(env(first.time_ns + TRUSTING - 1)) == "Active"


def test_a_header_at_now_plus_the_clock_drift_is_from_the_future() -> None:
    chain = TestChain()
    client = start(chain)
    tenth = chain.block(10)
    message = update(tenth, 1, chain.validators.validators)
    assert refused(client, message, tenth.time_ns - DRIFT) == errors.HEADER_FROM_THE_FUTURE
    client.verify_client_message(message, env(tenth.time_ns - DRIFT + 1))


def test_a_header_not_after_the_trusted_time_is_refused() -> None:
    chain = TestChain()
    client = start(chain)
    first = chain.blocks[1]
    stale = chain.block(10, time_ns=first.time_ns)
    message = update(stale, 1, chain.validators.validators)
    assert refused(client, message, first.time_ns + SECOND) == errors.INVALID_HEADER


# --- signatures and key types ---------------------------------------------------------------------


def test_a_bad_signature_past_the_threshold_is_never_looked_at() -> None:
    chain = TestChain()  # 40, 30, 20, 10: 40 + 30 > 66 stops the walk
    client = start(chain)
    second = chain.block(2)
    now = second.time_ns + SECOND
    client.verify_client_message(
        update(corrupt(second, 3), 1, chain.validators.validators), env(now)
    )
    message = update(corrupt(second, 0), 1, chain.validators.validators)
    assert refused(client, message, now) == errors.INVALID_SIGNATURE


def test_batch_verification_tallies_before_it_verifies() -> None:
    """An all-ed25519 set verifies as a batch: too little power is refused as such, before the
    bad signature is seen; a mixed set verifies one by one and meets the bad signature first."""
    chain = TestChain()
    client = start(chain)
    second = chain.block(2, absent=[1, 2])  # 40 + 10 of 100
    message = update(corrupt(second, 0), 1, chain.validators.validators)
    assert refused(client, message, second.time_ns + SECOND) == errors.NOT_ENOUGH_VOTING_POWER

    ed, k1 = keys([40, 20], seed=b"ed"), keys([30, 10], "secp256k1", b"k1")
    members = [
        lb.Member(v.pub_key, v.voting_power)
        for v in (*ed.validators.validators, *k1.validators.validators)
    ]
    mixed = type(ed)(lb.validator_set(members), {**ed.keys, **k1.keys})
    chain = TestChain(validators=mixed)
    client = start(chain, TENDERMINT_V2)
    second = chain.block(2, absent=[1, 2])
    message = update(corrupt(second, 0), 1, mixed.validators)
    assert refused(client, message, second.time_ns + SECOND) == errors.INVALID_SIGNATURE


def test_v1_refuses_secp256k1_validators_and_v2_follows_them() -> None:
    chain = TestChain(validators=keys([40, 30, 20, 10], "secp256k1"))
    second = chain.block(2)
    message = update(second, 1, chain.validators.validators)
    now = second.time_ns + SECOND
    assert refused(start(chain, TENDERMINT_V1), message, now) == errors.UNSUPPORTED_PUBLIC_KEY
    assert apply(start(chain, TENDERMINT_V2), message, now) == [second.height]


def test_v2_follows_a_chain_that_rekeys_to_secp256k1() -> None:
    chain = TestChain()
    secp = keys([40, 30, 20, 10], "secp256k1")
    v1, v2 = start(chain, TENDERMINT_V1), start(chain, TENDERMINT_V2)
    switch = chain.block(2, next_validators=secp)
    after = chain.block(3, validators=secp)
    now = after.time_ns + SECOND
    for client in (v1, v2):
        apply(client, update(switch, 1, chain.validators.validators), now)
    message = update(after, 2, secp.validators)
    assert refused(v1, message, now) == errors.UNSUPPORTED_PUBLIC_KEY
    assert apply(v2, message, now) == [after.height]


def test_a_high_s_secp256k1_signature_is_refused() -> None:
    chain = TestChain(validators=keys([40, 30, 20, 10], "secp256k1"))
    client = start(chain, TENDERMINT_V2)
    second = chain.block(2)
    signed = type(second.signed)()
    signed.CopyFrom(second.signed)
    sig = signed.commit.signatures[0]
    r, s = sig.signature[:32], int.from_bytes(sig.signature[32:], "big")
    sig.signature = r + (SECP256K1_ORDER - s).to_bytes(32, "big")
    high = Block(signed, second.validators)
    now = second.time_ns + SECOND
    assert (
        refused(client, update(high, 1, chain.validators.validators), now)
        == errors.INVALID_SIGNATURE
    )
    client.verify_client_message(update(second, 1, chain.validators.validators), env(now))


# --- what update_state stores ---------------------------------------------------------------------


def test_a_duplicate_update_changes_nothing() -> None:
    chain = TestChain()
    client = start(chain)
    second = chain.block(2)
    message = update(second, 1, chain.validators.validators)
    now = second.time_ns + SECOND
    apply(client, message, now)
    before = dump(client)
    assert client.update_state(message, env(now + SECOND, 200)) == [second.height]
    assert dump(client) == before


def test_one_expired_consensus_state_is_pruned_per_update() -> None:
    chain = TestChain()
    client = start(chain)
    blocks = [chain.block(h) for h in (2, 3)]
    now = blocks[-1].time_ns + SECOND
    for block in blocks:
        apply(client, update(block, 1, chain.validators.validators), now)
    late = chain.block(4, time_ns=chain.blocks[1].time_ns + TRUSTING + 10 * SECOND)
    later = chain.block(5, time_ns=late.time_ns + SECOND)
    # all three stored states are expired by then; each update prunes the oldest one
    when = later.time_ns + SECOND
    for block, gone in ((late, Height(1, 1)), (later, Height(1, 2))):
        client.update_state(update(block, 3, chain.validators.validators), env(when))
        assert client._find_consensus_state(gone) is None
        assert not [key for key, _ in dump(client) if str(gone).encode() in key]
    assert client._find_consensus_state(Height(1, 3)) is not None


def test_misbehaviour_freezes_the_client_and_frozen_clients_refuse_updates() -> None:
    chain = TestChain()
    client = start(chain)
    second = chain.block(2)
    message = update(second, 1, chain.validators.validators)
    now = second.time_ns + SECOND
    client.update_state_on_misbehaviour(message, env(now))
    assert client.status(env(now)) == "Frozen"
    assert refused(client, message, now) == errors.CLIENT_IS_FROZEN
    with pytest.raises(ClientError, match=errors.CLIENT_IS_FROZEN):
        client.update_state(message, env(now))


def test_update_state_refuses_a_misbehaviour() -> None:
    chain = TestChain()
    client = start(chain)
    second = chain.block(2)
    header = header_message(second, 1, chain.validators.validators)
    message = lb.pack_any(tendermint_pb2.Misbehaviour(header_1=header, header_2=header))
    with pytest.raises(ClientError, match=errors.UNEXPECTED_CLIENT_MESSAGE):
        client.update_state(message, env(second.time_ns + SECOND))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_mangled_update_is_refused_with_a_reason_and_changes_nothing(data: st.DataObject) -> None:
    chain = TestChain()
    client = start(chain)
    tenth = chain.block(10)
    message = bytearray(update(tenth, 1, chain.validators.validators))
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(message) - 1))
        message[index] = data.draw(st.integers(0, 255))
    before = dump(client)
    now = tenth.time_ns + SECOND
    try:
        apply(client, bytes(message), now)
    except ClientError as error:
        assert reason_of(str(error)) in errors.REASONS
        assert dump(client) == before


def test_an_absent_vote_without_a_timestamp_reads_as_go_zero_time() -> None:
    """gogoproto leaves an absent non-nullable time at 0001-01-01, which an absent vote must
    carry; protobuf's default would be 1970 and make the vote invalid."""
    chain = TestChain()
    client = start(chain)
    second = chain.block(2, absent=[3])
    message = header_message(second, 1, chain.validators.validators)
    message.signed_header.commit.signatures[3].ClearField("timestamp")
    client.verify_client_message(lb.pack_any(message), env(second.time_ns + SECOND))
    message.signed_header.commit.signatures[3].timestamp.seconds = 0
    assert refused(client, lb.pack_any(message), second.time_ns + SECOND) == errors.INVALID_COMMIT
