"""Building what a CometBFT chain and an ibc-go relayer produce for a light client: validator sets,
headers, commits, and the 07-tendermint messages and states around them, as protobuf messages.

The counterparty in the ``tendermint`` format, its forks and the tests all build through here, so
that there is one place where a block is put together. The rules are CometBFT v0.38's
(``types/block.go``, ``types/validator_set.go``, ``types/vote.go``) and ibc-go's 07-tendermint:

- a validator set is kept in CometBFT's order, voting power descending, then address ascending,
  with its proposer and total voting power written out (CometBFT's ``ValidateBasic`` needs the
  proposer, and relayers send it);
- a header's data, evidence and last-results hashes are those of an empty block (no
  transactions), its consensus hash that of CometBFT's default consensus parameters, its
  ``last_commit_hash`` the hash of the previous block's commit;
- a block travels as one part: its part-set header is ``{total: 1, hash: leaf hash of the
  header's bytes}`` (a light client never sees the parts, only this hash inside block ids);
- a commit has one ``CommitSig`` per validator in set order: ``COMMIT`` with a signature over
  its ``CanonicalVote`` sign bytes, or ``ABSENT`` (no address, no signature and Go's zero time,
  0001-01-01, which is what CometBFT's ``ValidateBasic`` and tendermint-rs require of an absent
  vote); every vote carries the header's time.

Signing is done by callables (``Signer``), so this module knows no key material; keys are the
caller's (``relayer_sim.lightclient.schemes``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from google.protobuf import any_pb2, duration_pb2, timestamp_pb2
from google.protobuf.message import Message

from relayer_sim.formats.cometbft import (
    TIMESTAMP_MIN_SECONDS,
    address,
    header_hash,
    validator_set_hash,
    vote_sign_bytes,
)
from relayer_sim.formats.merkle import EMPTY_HASH, hash_from_byte_slices, leaf_hash
from relayer_sim.formats.multistore import SDK_SPECS
from relayer_sim.formats.proto.ibc.core.client.v1 import client_pb2
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.crypto import keys_pb2
from relayer_sim.formats.proto.tendermint.types import types_pb2, validator_pb2
from relayer_sim.formats.varint import uvarint

NANOS: Final = 1_000_000_000
#: ``version.BlockProtocol`` of CometBFT v0.38.
BLOCK_PROTOCOL: Final = 11
#: ``types.DefaultBlockParams``: 21 MiB blocks, no gas limit (-1).
DEFAULT_BLOCK_MAX_BYTES: Final = 22_020_096
DEFAULT_BLOCK_MAX_GAS: Final = -1
#: ``ConsensusParams.Hash``: sha256 of ``HashedParams{block_max_bytes, block_max_gas}`` (two
#: int64 fields, so a negative one is its 64-bit two's complement varint).
CONSENSUS_HASH: Final = hashlib.sha256(
    b"\x08" + uvarint(DEFAULT_BLOCK_MAX_BYTES) + b"\x10" + uvarint(DEFAULT_BLOCK_MAX_GAS % 2**64)
).digest()
#: The default upgrade path of ibc-go clients: the ``upgrade`` store, key ``upgradedIBCState``.
DEFAULT_UPGRADE_PATH: Final = ("upgrade", "upgradedIBCState")

Signer = Callable[[bytes], bytes]

_TYPE_URL_PREFIX: Final = "/"


def public_key(scheme: str, key: bytes) -> keys_pb2.PublicKey:
    """A CometBFT public key of ``scheme`` (``"ed25519"`` or ``"secp256k1"``)."""
    if scheme == "ed25519":
        return keys_pb2.PublicKey(ed25519=key)
    if scheme == "secp256k1":
        return keys_pb2.PublicKey(secp256k1=key)
    raise ValueError(f"CometBFT has no {scheme!r} validator keys")


def timestamp(time_ns: int) -> timestamp_pb2.Timestamp:
    seconds, nanos = divmod(time_ns, NANOS)
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


def duration(length_ns: int) -> duration_pb2.Duration:
    seconds, nanos = divmod(length_ns, NANOS)
    return duration_pb2.Duration(seconds=seconds, nanos=nanos)


def height(revision_number: int, revision_height: int) -> client_pb2.Height:
    return client_pb2.Height(revision_number=revision_number, revision_height=revision_height)


def pack_any(message: Message) -> bytes:
    """``message`` in an ``Any`` with its type URL, as ibc-go's codec packs it."""
    type_url = _TYPE_URL_PREFIX + message.DESCRIPTOR.full_name
    value = message.SerializeToString(deterministic=True)
    return any_pb2.Any(type_url=type_url, value=value).SerializeToString(deterministic=True)


# --- validator sets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A validator as a block builder sees it: its public key and voting power."""

    public_key: keys_pb2.PublicKey
    power: int


def validator_set(
    members: Iterable[Member], proposer: bytes | None = None
) -> validator_pb2.ValidatorSet:
    """The set of ``members`` in CometBFT's order, with ``proposer`` (an address; the first
    validator when not given) and its total voting power."""
    validators = sorted(
        (
            validator_pb2.Validator(
                address=address(m.public_key), pub_key=m.public_key, voting_power=m.power
            )
            for m in members
        ),
        key=lambda v: (-v.voting_power, v.address),
    )
    if not validators:
        raise ValueError("a validator set needs at least one validator")
    chosen = validators[0] if proposer is None else _by_address(validators, proposer)
    return validator_pb2.ValidatorSet(
        validators=validators,
        proposer=chosen,
        total_voting_power=sum(v.voting_power for v in validators),
    )


def _by_address(
    validators: Sequence[validator_pb2.Validator], wanted: bytes
) -> validator_pb2.Validator:
    for validator in validators:
        if validator.address == wanted:
            return validator
    raise ValueError(f"proposer {wanted.hex()} is not in the validator set")


def rotating_proposer(validators: validator_pb2.ValidatorSet, block_height: int) -> bytes:
    """The address of the validator that proposes the block at ``block_height``: the set's
    members in turn (a stand-in for CometBFT's priority rotation, which no verifier checks)."""
    members = validators.validators
    return bytes(members[block_height % len(members)].address)


def set_hash(validators: validator_pb2.ValidatorSet) -> bytes:
    return validator_set_hash(validators.validators)


def with_proposer(
    validators: validator_pb2.ValidatorSet, proposer: bytes
) -> validator_pb2.ValidatorSet:
    """The same set naming another proposer (as each block's validator set does)."""
    copy = validator_pb2.ValidatorSet()
    copy.CopyFrom(validators)
    copy.proposer.CopyFrom(_by_address(validators.validators, proposer))
    return copy


# --- headers and commits -------------------------------------------------------------------------


def header(
    *,
    chain_id: str,
    block_height: int,
    time_ns: int,
    validators_hash: bytes,
    next_validators_hash: bytes,
    app_hash: bytes,
    last_block_id: types_pb2.BlockID | None,
    last_commit_hash: bytes,
    proposer_address: bytes,
) -> types_pb2.Header:
    """A header of an empty block (no transactions, evidence or results)."""
    result = types_pb2.Header(
        chain_id=chain_id,
        height=block_height,
        validators_hash=validators_hash,
        next_validators_hash=next_validators_hash,
        app_hash=app_hash,
        last_commit_hash=last_commit_hash,
        data_hash=EMPTY_HASH,
        consensus_hash=CONSENSUS_HASH,
        last_results_hash=EMPTY_HASH,
        evidence_hash=EMPTY_HASH,
        proposer_address=proposer_address,
    )
    result.version.block = BLOCK_PROTOCOL
    result.time.CopyFrom(timestamp(time_ns))
    result.last_block_id.SetInParent()
    if last_block_id is not None:
        result.last_block_id.CopyFrom(last_block_id)
    result.last_block_id.part_set_header.SetInParent()
    return result


def block_id(block_header: types_pb2.Header) -> types_pb2.BlockID:
    """The id of the block ``block_header`` heads: its hash and its one-part part-set header."""
    parts = leaf_hash(block_header.SerializeToString(deterministic=True))
    return types_pb2.BlockID(
        hash=header_hash(block_header),
        part_set_header=types_pb2.PartSetHeader(total=1, hash=parts),
    )


def commit(
    chain_id: str,
    block_header: types_pb2.Header,
    validators: validator_pb2.ValidatorSet,
    signers: Sequence[Signer | None],
) -> types_pb2.Commit:
    """The commit of ``block_header``: the ``i``-th validator signs with ``signers[i]`` (None:
    absent), each vote timed at the header's time.

    A ``CanonicalVote`` names no validator, so the votes for one block at one time all sign the
    same bytes (``Commit.VoteSignBytes`` of any of them): they are encoded once."""
    if len(signers) != len(validators.validators):
        raise ValueError(f"{len(signers)} signers for {len(validators.validators)} validators")
    result = types_pb2.Commit(height=block_header.height, round=0)
    result.block_id.CopyFrom(block_id(block_header))
    sign_bytes = vote_sign_bytes(
        chain_id,
        msg_type=types_pb2.SIGNED_MSG_TYPE_PRECOMMIT,
        height=result.height,
        round_=result.round,
        block_id=result.block_id,
        timestamp=block_header.time,
    )
    signatures = result.signatures
    for validator, signer in zip(validators.validators, signers, strict=True):
        if signer is None:
            absent = signatures.add(block_id_flag=validator_pb2.BLOCK_ID_FLAG_ABSENT)
            absent.timestamp.seconds = TIMESTAMP_MIN_SECONDS  # Go's time.Time{}
        else:
            signatures.add(
                block_id_flag=validator_pb2.BLOCK_ID_FLAG_COMMIT,
                validator_address=validator.address,
                timestamp=block_header.time,
                signature=signer(sign_bytes),
            )
    return result


def commit_hash(block_commit: types_pb2.Commit) -> bytes:
    """``Commit.Hash``: the Merkle root of its ``CommitSig`` encodings (the next header's
    ``last_commit_hash``)."""
    return hash_from_byte_slices(
        [sig.SerializeToString(deterministic=True) for sig in block_commit.signatures]
    )


def signed_header(
    block_header: types_pb2.Header, block_commit: types_pb2.Commit
) -> types_pb2.SignedHeader:
    return types_pb2.SignedHeader(header=block_header, commit=block_commit)


# --- 07-tendermint messages and states -----------------------------------------------------------


def client_header(
    signed: types_pb2.SignedHeader,
    validators: validator_pb2.ValidatorSet,
    trusted_height: client_pb2.Height,
    trusted_validators: validator_pb2.ValidatorSet,
) -> tendermint_pb2.Header:
    """The update a relayer sends: a signed header, its validators, and the trusted height and
    validators it builds on."""
    return tendermint_pb2.Header(
        signed_header=signed,
        validator_set=validators,
        trusted_height=trusted_height,
        trusted_validators=trusted_validators,
    )


def misbehaviour(
    header_1: tendermint_pb2.Header, header_2: tendermint_pb2.Header
) -> tendermint_pb2.Misbehaviour:
    """Evidence of two conflicting headers; ``header_1`` must be at the greater (or equal)
    height."""
    return tendermint_pb2.Misbehaviour(header_1=header_1, header_2=header_2)


def client_state(
    *,
    chain_id: str,
    trust_level: tuple[int, int],
    trusting_period_ns: int,
    unbonding_period_ns: int,
    max_clock_drift_ns: int,
    latest_height: client_pb2.Height,
    upgrade_path: Sequence[str] = DEFAULT_UPGRADE_PATH,
) -> tendermint_pb2.ClientState:
    """A client state with the SDK's proof specs (IAVL, then the multistore's)."""
    numerator, denominator = trust_level
    state = tendermint_pb2.ClientState(
        chain_id=chain_id,
        trust_level=tendermint_pb2.Fraction(numerator=numerator, denominator=denominator),
        trusting_period=duration(trusting_period_ns),
        unbonding_period=duration(unbonding_period_ns),
        max_clock_drift=duration(max_clock_drift_ns),
        latest_height=latest_height,
        proof_specs=SDK_SPECS,
        upgrade_path=upgrade_path,
    )
    state.frozen_height.SetInParent()
    return state


def consensus_state(
    time_ns: int, root: bytes, next_validators_hash: bytes
) -> tendermint_pb2.ConsensusState:
    state = tendermint_pb2.ConsensusState(
        timestamp=timestamp(time_ns), next_validators_hash=next_validators_hash
    )
    state.root.hash = root
    return state
