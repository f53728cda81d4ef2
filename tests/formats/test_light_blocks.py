"""The block builder makes what CometBFT would accept: signatures over the right sign bytes, sets
in CometBFT's order, absent votes in Go's zero time, Anys with the type URLs ibc-go packs."""

from __future__ import annotations

import hashlib

import nacl.signing
import pytest
from google.protobuf import any_pb2

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.cometbft import (
    TIMESTAMP_MIN_SECONDS,
    address,
    commit_vote_sign_bytes,
    header_hash,
    validator_set_hash,
)
from relayer_sim.formats.merkle import hash_from_byte_slices
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.types import types_pb2, validator_pb2
from relayer_sim.lightclient.schemes import SCHEMES, SigningKey

CHAIN = "gaia-1"
T0 = 1_700_000_000 * lb.NANOS + 123


def _set(
    scheme: str, powers: list[int]
) -> tuple[validator_pb2.ValidatorSet, dict[bytes, SigningKey]]:
    keys = [SCHEMES[scheme].key_from_seed(bytes([i])) for i in range(len(powers))]
    members = [
        lb.Member(lb.public_key(scheme, k.public_key), p) for k, p in zip(keys, powers, strict=True)
    ]
    by_address = {address(m.public_key): k for m, k in zip(members, keys, strict=True)}
    return lb.validator_set(members), by_address


def _block(
    scheme: str = "ed25519", absent: int | None = None
) -> tuple[types_pb2.Header, validator_pb2.ValidatorSet, types_pb2.Commit]:
    validators, keys = _set(scheme, [10, 30, 30, 5])
    vhash = lb.set_hash(validators)
    head = lb.header(
        chain_id=CHAIN,
        block_height=7,
        time_ns=T0,
        validators_hash=vhash,
        next_validators_hash=vhash,
        app_hash=hashlib.sha256(b"app").digest(),
        last_block_id=None,
        last_commit_hash=hash_from_byte_slices([]),
        proposer_address=lb.rotating_proposer(validators, 7),
    )
    signers = [
        None if index == absent else keys[v.address].sign
        for index, v in enumerate(validators.validators)
    ]
    return head, validators, lb.commit(CHAIN, head, validators, signers)


def test_a_validator_set_is_in_cometbft_order_with_proposer_and_total() -> None:
    validators, _ = _set("ed25519", [10, 30, 30, 5])
    powers = [v.voting_power for v in validators.validators]
    assert powers == [30, 30, 10, 5]
    tied = [bytes(v.address) for v in validators.validators[:2]]
    assert tied == sorted(tied)
    assert validators.total_voting_power == 75
    assert validators.proposer == validators.validators[0]
    assert lb.set_hash(validators) == validator_set_hash(validators.validators)


@pytest.mark.parametrize("scheme", ["ed25519", "secp256k1"])
def test_every_commit_signature_verifies_over_its_canonical_vote(scheme: str) -> None:
    head, validators, commit = _block(scheme)
    assert commit.block_id.hash == header_hash(head)
    for index, (validator, sig) in enumerate(
        zip(validators.validators, commit.signatures, strict=True)
    ):
        assert sig.block_id_flag == validator_pb2.BLOCK_ID_FLAG_COMMIT
        assert sig.validator_address == validator.address
        sign_bytes = commit_vote_sign_bytes(CHAIN, commit, index)
        key = validator.pub_key
        if scheme == "ed25519":
            nacl.signing.VerifyKey(key.ed25519).verify(sign_bytes, sig.signature)
        else:
            assert SCHEMES["secp256k1"].verify(key.secp256k1, sign_bytes, sig.signature)


def test_an_absent_vote_has_no_address_no_signature_and_go_zero_time() -> None:
    _, _, commit = _block(absent=2)
    absent = commit.signatures[2]
    assert absent.block_id_flag == validator_pb2.BLOCK_ID_FLAG_ABSENT
    assert not absent.validator_address and not absent.signature
    assert (absent.timestamp.seconds, absent.timestamp.nanos) == (TIMESTAMP_MIN_SECONDS, 0)


def test_the_next_header_names_this_block_and_its_commit() -> None:
    head, _, commit = _block()
    following = lb.header(
        chain_id=CHAIN,
        block_height=8,
        time_ns=T0 + lb.NANOS,
        validators_hash=head.validators_hash,
        next_validators_hash=head.next_validators_hash,
        app_hash=head.app_hash,
        last_block_id=commit.block_id,
        last_commit_hash=lb.commit_hash(commit),
        proposer_address=head.proposer_address,
    )
    assert following.last_block_id.hash == header_hash(head)
    assert following.last_commit_hash == hash_from_byte_slices(
        [s.SerializeToString(deterministic=True) for s in commit.signatures]
    )
    assert header_hash(following) != header_hash(head)


def test_a_client_state_round_trips_through_its_any() -> None:
    state = lb.client_state(
        chain_id=CHAIN,
        trust_level=(1, 3),
        trusting_period_ns=14 * 86_400 * lb.NANOS,
        unbonding_period_ns=21 * 86_400 * lb.NANOS,
        max_clock_drift_ns=10 * lb.NANOS,
        latest_height=lb.height(1, 7),
    )
    packed = any_pb2.Any.FromString(lb.pack_any(state))
    assert packed.type_url == "/ibc.lightclients.tendermint.v1.ClientState"
    decoded = tendermint_pb2.ClientState.FromString(packed.value)
    assert decoded == state
    assert len(decoded.proof_specs) == 2
    assert list(decoded.upgrade_path) == ["upgrade", "upgradedIBCState"]
    assert decoded.HasField("frozen_height")


def test_the_consensus_hash_is_that_of_cometbfts_default_parameters() -> None:
    # HashedParams{block_max_bytes: 22020096, block_max_gas: -1}, as Go marshals it.
    encoded = bytes.fromhex("088080c00a") + bytes.fromhex("10ffffffffffffffffff01")
    assert hashlib.sha256(encoded).digest() == lb.CONSENSUS_HASH
