"""The built tendermint contracts against the reference on updates: real signed CometBFT blocks,
adjacent and skipping verification at their thresholds and time bounds, signature order and key
types, and what ``update_state`` stores and prunes — every call compared on outcome, reason and
stored bytes (``tests/ics07/twin.py``)."""

from __future__ import annotations

import pytest

from relayer_sim.formats import light_blocks as lb
from relayer_sim.ics07 import errors
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2
from relayer_sim.ics07.errors import reason_of
from relayer_sim.ics07.verify import SECP256K1_ORDER, Profile
from relayer_sim.lightclient.client import ClientError
from relayer_sim.vm import WasmVM
from tests.ics07 import DRIFT, SECOND, TRUSTING, Block, Keys, TestChain, env, keys, update
from tests.ics07.twin import Start, refused, starter, store_contracts


@pytest.fixture(scope="module")
def checksums(vm: WasmVM) -> dict[str, bytes]:
    return store_contracts(vm)


@pytest.fixture
def start(vm: WasmVM, checksums: dict[str, bytes]) -> Start:
    return starter(vm, checksums)


def corrupt(block: Block, index: int) -> Block:
    """``block`` with the ``index``-th commit signature's last byte flipped."""
    signed = type(block.signed)()
    signed.CopyFrom(block.signed)
    sig = signed.commit.signatures[index]
    sig.signature = sig.signature[:-1] + bytes([sig.signature[-1] ^ 1])
    return Block(signed, block.validators, block.roots, block.versions)


def mixed_keys() -> Keys:
    """Two ed25519 and two secp256k1 validators (40, 20 and 30, 10)."""
    ed, k1 = keys([40, 20], seed=b"ed"), keys([30, 10], "secp256k1", b"k1")
    members = [
        lb.Member(v.pub_key, v.voting_power)
        for v in (*ed.validators.validators, *k1.validators.validators)
    ]
    return Keys(lb.validator_set(members), {**ed.keys, **k1.keys})


# --- adjacent and skipping updates ---------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
@pytest.mark.parametrize("profile", [TENDERMINT_V1, TENDERMINT_V2], ids=lambda p: p.name)
def test_adjacent_then_skipping_updates(start: Start, profile: Profile, dialect: str) -> None:
    chain = TestChain()
    twin = start(chain, profile, dialect)
    second, tenth, fifth = chain.block(2), chain.block(10), chain.block(5)
    now = tenth.time_ns + SECOND
    trusted = chain.validators.validators
    assert twin.update(update(second, 1, trusted), env(now)) == [second.height]
    assert twin.update(update(tenth, 2, trusted), env(now)) == [tenth.height]
    # below the latest height: fills the gap without lowering it
    assert twin.update(update(fifth, 2, trusted), env(now)) == [fifth.height]
    assert twin.timestamp_at_height(tenth.height, env(now)) == tenth.time_ns
    assert twin.status(env(now)) == "Active"
    # the same header again: no change
    assert twin.update(update(tenth, 2, trusted), env(now)) == [tenth.height]


def test_validator_set_changes_are_followed(start: Start) -> None:
    chain = TestChain()
    twin = start(chain)
    others = keys([25, 25, 25, 25], seed=b"others")
    second = chain.block(2, next_validators=others)
    third = chain.block(3, validators=others)
    tenth = chain.block(10)
    now = tenth.time_ns + SECOND
    twin.update(update(second, 1, chain.validators.validators), env(now))
    twin.update(update(third, 2, others.validators), env(now))
    # skipping from block 3 needs a third of the new set, which the old set is not
    assert refused(twin, update(tenth, 3, others.validators), now) == errors.NOT_ENOUGH_VOTING_POWER


@pytest.mark.parametrize(
    ("powers", "absent"),
    [
        ([1, 1, 1], [2]),
        ([1, 1, 1], []),
        ([1, 1, 1, 1], [3]),
        ([34, 33, 33], [2]),
        ([33, 33, 34], [0]),
    ],
)
def test_light_verification_needs_more_than_two_thirds(
    start: Start, powers: list[int], absent: list[int]
) -> None:
    chain = TestChain(validators=keys(powers))
    twin = start(chain)
    second = chain.block(2, absent=absent)
    message = update(second, 1, chain.validators.validators)
    try:
        twin.update(message, env(second.time_ns + SECOND))
    except ClientError as error:
        assert reason_of(str(error)) == errors.NOT_ENOUGH_VOTING_POWER


@pytest.mark.parametrize(
    ("trusted_powers", "trust_level", "kept"),
    [
        ([33, 33, 33], (1, 3), 1),
        ([33, 33, 33], (1, 3), 2),
        ([34, 33, 33], (1, 3), 1),
        ([33, 33, 33], (2, 3), 2),
    ],
)
def test_skipping_needs_more_than_the_trust_level(
    start: Start, trusted_powers: list[int], trust_level: tuple[int, int], kept: int
) -> None:
    trusted = keys(trusted_powers, seed=b"trusted")
    chain = TestChain(validators=trusted)
    twin = start(chain, trust_level=trust_level)
    newcomers = keys([sum(trusted_powers)], seed=b"newcomer")
    members = [
        lb.Member(v.pub_key, v.voting_power)
        for v in (*list(trusted.validators.validators)[:kept], *newcomers.validators.validators)
    ]
    new = Keys(lb.validator_set(members), {**trusted.keys, **newcomers.keys})
    tenth = chain.block(10, validators=new)
    try:
        twin.update(update(tenth, 1, trusted.validators), env(tenth.time_ns + SECOND))
    except ClientError as error:
        assert reason_of(str(error)) == errors.NOT_ENOUGH_VOTING_POWER


# --- refusals ------------------------------------------------------------------------------------


def test_refusals_name_the_reasons_of_the_spec(start: Start) -> None:
    chain = TestChain()
    twin = start(chain)
    first, tenth = chain.blocks[1], chain.block(10)
    trusted = chain.validators.validators
    others = keys([40, 30, 20, 10], seed=b"others")
    now = tenth.time_ns + SECOND
    cases = [
        (update(chain.block(2, validators=others), 1, trusted), now, errors.INVALID_HEADER),
        (
            update(chain.block(10, validators=others), 1, others.validators),
            now,
            errors.INVALID_VALIDATOR_SET,
        ),
        (update(tenth, 4, trusted), now, errors.CONSENSUS_STATE_NOT_FOUND),
        (update(chain.block(10, chain_id="osmo-1"), 1, trusted), now, errors.INVALID_HEADER),
        (update(tenth, 1, trusted), first.time_ns + TRUSTING, errors.TRUSTING_PERIOD_EXPIRED),
        (update(tenth, 1, trusted), tenth.time_ns - DRIFT, errors.HEADER_FROM_THE_FUTURE),
        (update(chain.block(9, time_ns=first.time_ns), 1, trusted), now, errors.INVALID_HEADER),
        (update(corrupt(tenth, 0), 1, trusted), now, errors.INVALID_SIGNATURE),
        (b"\x0a\x03/no", now, errors.MALFORMED_CLIENT_MESSAGE),
    ]
    for message, at, reason in cases:
        assert refused(twin, message, at) == reason
    # the bounds themselves pass
    twin.verify_client_message(update(tenth, 1, trusted), env(first.time_ns + TRUSTING - 1))
    twin.verify_client_message(update(tenth, 1, trusted), env(tenth.time_ns - DRIFT + 1))
    assert twin.status(env(first.time_ns + TRUSTING)) == "Expired"


def test_a_bad_signature_past_the_threshold_is_never_looked_at(start: Start) -> None:
    chain = TestChain()  # 40, 30, 20, 10: 40 + 30 > 66 stops the walk
    twin = start(chain)
    second = chain.block(2)
    now = second.time_ns + SECOND
    twin.verify_client_message(update(corrupt(second, 3), 1, chain.validators.validators), env(now))
    message = update(corrupt(second, 1), 1, chain.validators.validators)
    assert refused(twin, message, now) == errors.INVALID_SIGNATURE


def test_batch_tallies_before_it_verifies_single_verifies_as_it_goes(start: Start) -> None:
    chain = TestChain()
    twin = start(chain)
    second = chain.block(2, absent=[1, 2])  # 40 + 10 of 100
    message = update(corrupt(second, 0), 1, chain.validators.validators)
    assert refused(twin, message, second.time_ns + SECOND) == errors.NOT_ENOUGH_VOTING_POWER
    mixed = mixed_keys()
    chain = TestChain(validators=mixed)
    twin = start(chain, TENDERMINT_V2)
    second = chain.block(2, absent=[1, 2])
    message = update(corrupt(second, 0), 1, mixed.validators)
    assert refused(twin, message, second.time_ns + SECOND) == errors.INVALID_SIGNATURE


@pytest.mark.parametrize("profile", [TENDERMINT_V1, TENDERMINT_V2], ids=lambda p: p.name)
def test_secp256k1_validators(start: Start, profile: Profile) -> None:
    """v2 follows a secp256k1 (or mixed) set; v1 cannot verify those keys."""
    for validators in (keys([40, 30, 20, 10], "secp256k1"), mixed_keys()):
        chain = TestChain(validators=validators)
        twin = start(chain, profile)
        tenth = chain.block(10)
        message = update(tenth, 1, validators.validators)
        now = tenth.time_ns + SECOND
        if profile is TENDERMINT_V1:
            assert refused(twin, message, now) == errors.UNSUPPORTED_PUBLIC_KEY
        else:
            assert twin.update(message, env(now)) == [tenth.height]


def test_a_high_s_secp256k1_signature_is_refused(start: Start) -> None:
    validators = keys([40, 30, 20, 10], "secp256k1")
    chain = TestChain(validators=validators)
    twin = start(chain, TENDERMINT_V2)
    second = chain.block(2)
    signed = type(second.signed)()
    signed.CopyFrom(second.signed)
    sig = signed.commit.signatures[0]
    s = int.from_bytes(sig.signature[32:], "big")
    sig.signature = sig.signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big")
    high = Block(signed, second.validators, second.roots, second.versions)
    message = update(high, 1, validators.validators)
    assert refused(twin, message, second.time_ns + SECOND) == errors.INVALID_SIGNATURE


# --- update_state --------------------------------------------------------------------------------


def test_updates_prune_one_expired_consensus_state_each(start: Start) -> None:
    chain = TestChain()
    twin = start(chain)
    trusted = chain.validators.validators
    blocks = [chain.block(h) for h in (2, 3, 4)]
    for block in blocks:
        twin.update(update(block, 1, trusted), env(block.time_ns + SECOND))
    later = chain.block(5)
    now = blocks[1].time_ns + TRUSTING  # blocks 1, 2 and 3 have expired
    twin.update_state(update(later, 4, trusted), env(now))
    twin.update_state(update(chain.block(6), 4, trusted), env(now))
    assert [
        key for key, _ in twin.dump(twin.contract.storage) if key.endswith(b"processedTime")
    ] == [
        b"consensusStates/1-3/processedTime",
        b"consensusStates/1-4/processedTime",
        b"consensusStates/1-5/processedTime",
        b"consensusStates/1-6/processedTime",
    ]


def test_frozen_clients_refuse_updates_and_misbehaviour_messages_are_not_updates(
    start: Start,
) -> None:
    chain = TestChain()
    twin = start(chain)
    second = chain.block(2)
    message = update(second, 1, chain.validators.validators)
    now = second.time_ns + SECOND
    part = lb.client_header(
        second.signed, second.validators, lb.height(1, 1), chain.validators.validators
    )
    evidence = lb.pack_any(lb.misbehaviour(part, part))
    with pytest.raises(ClientError, match=errors.UNEXPECTED_CLIENT_MESSAGE):
        twin.update_state(evidence, env(now))
    twin.update_state_on_misbehaviour(evidence, env(now))
    assert twin.status(env(now)) == "Frozen"
    assert refused(twin, message, now) == errors.CLIENT_IS_FROZEN
    with pytest.raises(ClientError, match=errors.CLIENT_IS_FROZEN):
        twin.update_state(message, env(now))
