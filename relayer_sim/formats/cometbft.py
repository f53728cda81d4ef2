"""CometBFT v0.38's hashes, sign bytes and addresses, byte for byte.

A real 07-tendermint light client recomputes every one of these from the bytes it is given: the
header hash that the commit signs, the sign bytes each validator's signature covers, the
validator-set hash the header names and the addresses that tie commit signatures to validators.
One byte of difference and every update is rejected, so each function states the upstream rule
it follows (CometBFT v0.38, files named in words):

- ``types/block.go``, header hash: the simple Merkle tree over 14 field encodings; scalars are
  wrapped the way CometBFT's ``cdcEncode`` wraps them (the well-known string, int64 and bytes
  value messages), the version, time and last block id go in as their own protobuf messages;
  a header without a validators hash has no hash (empty bytes).
- ``types/vote.go`` and ``types/canonical.go``, vote sign bytes: the ``CanonicalVote`` (height
  and round as sfixed64, no block id for a zero block id, the chain id last), written with a
  uvarint length prefix (``protoio.MarshalDelimited``).
- ``types/block.go``, a commit's sign bytes: the precommit rebuilt from a ``CommitSig``; a nil or
  absent signature votes for the zero block id, a commit signature for the commit's block id.
- ``types/validator_set.go`` and ``types/validator.go``, validator-set hash: the simple Merkle
  tree over each validator's ``SimpleValidator{pub_key, voting_power}`` encoding, in set order.
- ``crypto/ed25519`` and ``crypto/secp256k1``, addresses: the first 20 bytes of sha256 of an
  ed25519 key; ripemd160(sha256(key)) of a 33-byte compressed secp256k1 key.

Go's gogoproto marks some message fields non-nullable: Go always writes them, even empty, where
Python's protobuf would leave an unset field out. The builders here set those fields explicitly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from google.protobuf import timestamp_pb2, wrappers_pb2

from relayer_sim.formats.merkle import hash_from_byte_slices
from relayer_sim.formats.proto.tendermint.crypto import keys_pb2
from relayer_sim.formats.proto.tendermint.types import canonical_pb2, types_pb2, validator_pb2
from relayer_sim.formats.varint import length_prefixed

HASH_SIZE = 32  # crypto/tmhash: sha256
ADDRESS_SIZE = 20  # crypto/crypto.go: AddressSize, 20 bytes for both key types
ED25519_KEY_SIZE = 32  # crypto/ed25519: PubKeySize
SECP256K1_KEY_SIZE = 33  # crypto/secp256k1: PubKeySize, compressed

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# google/protobuf/timestamp.proto (and gogoproto's StdTime): 0001-01-01 to 9999-12-31 UTC
TIMESTAMP_MIN_SECONDS, TIMESTAMP_END_SECONDS = -62135596800, 253402300800


class FormatError(ValueError):
    """An input CometBFT would refuse (or panic on): a bad key, block id, flag or index."""


def _check_timestamp(name: str, timestamp: timestamp_pb2.Timestamp) -> None:
    """A time Go can marshal: within years 1 to 9999, nanoseconds in [0, 1e9)."""
    seconds, nanos = timestamp.seconds, timestamp.nanos
    if not TIMESTAMP_MIN_SECONDS <= seconds < TIMESTAMP_END_SECONDS or not 0 <= nanos < 10**9:
        raise FormatError(f"{name} ({seconds} s, {nanos} ns) is not a valid protobuf timestamp")


# --- header hash (types/block.go Header.Hash) ---------------------------------------------------


def _block_id_bytes(block_id: types_pb2.BlockID) -> bytes:
    """``BlockID`` as Go marshals it: the part-set header is non-nullable, so always written."""
    copy = types_pb2.BlockID()
    copy.CopyFrom(block_id)
    copy.part_set_header.SetInParent()
    return copy.SerializeToString(deterministic=True)


def header_field_encodings(header: types_pb2.Header) -> list[bytes]:
    """The 14 leaves of the header's Merkle tree, in ``Header.Hash``'s order."""
    wrapped_hashes = [
        header.last_commit_hash,
        header.data_hash,
        header.validators_hash,
        header.next_validators_hash,
        header.consensus_hash,
        header.app_hash,
        header.last_results_hash,
        header.evidence_hash,
        header.proposer_address,
    ]
    return [
        header.version.SerializeToString(deterministic=True),
        wrappers_pb2.StringValue(value=header.chain_id).SerializeToString(deterministic=True),
        wrappers_pb2.Int64Value(value=header.height).SerializeToString(deterministic=True),
        header.time.SerializeToString(deterministic=True),
        _block_id_bytes(header.last_block_id),
        *(
            wrappers_pb2.BytesValue(value=value).SerializeToString(deterministic=True)
            for value in wrapped_hashes
        ),
    ]


def header_hash(header: types_pb2.Header) -> bytes:
    """The block hash a commit signs; empty bytes for a header without a validators hash, which
    CometBFT treats as incomplete and does not hash. A time Go could not marshal is refused."""
    if not header.validators_hash:
        return b""
    _check_timestamp("header time", header.time)
    return hash_from_byte_slices(header_field_encodings(header))


# --- vote sign bytes (types/vote.go VoteSignBytes, types/canonical.go) --------------------------


def _check_hash(name: str, value: bytes) -> None:
    """``types/validation.go`` ``ValidateHash``: a hash is empty or 32 bytes."""
    if len(value) not in (0, HASH_SIZE):
        raise FormatError(f"{name} must be empty or {HASH_SIZE} bytes, got {len(value)}")


def is_zero_block_id(block_id: types_pb2.BlockID) -> bool:
    """``BlockID.IsZero``: no hash and an empty part-set header (total 0, no hash)."""
    psh = block_id.part_set_header
    return not block_id.hash and psh.total == 0 and not psh.hash


def canonical_block_id(block_id: types_pb2.BlockID | None) -> canonical_pb2.CanonicalBlockID | None:
    """``CanonicalizeBlockID``: None for a missing or zero block id (a vote for nil); CometBFT
    panics on a block id that fails validation, we raise ``FormatError``."""
    if block_id is None or is_zero_block_id(block_id):
        return None
    _check_hash("block id hash", block_id.hash)
    _check_hash("part set header hash", block_id.part_set_header.hash)
    return canonical_pb2.CanonicalBlockID(
        hash=block_id.hash,
        part_set_header=canonical_pb2.CanonicalPartSetHeader(
            total=block_id.part_set_header.total, hash=block_id.part_set_header.hash
        ),
    )


def canonical_vote(
    chain_id: str,
    *,
    msg_type: types_pb2.SignedMsgType,
    height: int,
    round_: int,
    block_id: types_pb2.BlockID | None,
    timestamp: timestamp_pb2.Timestamp,
) -> canonical_pb2.CanonicalVote:
    """``CanonicalizeVote``: the vote as signed. A vote's round is an int32 in Go, its height an
    int64; the timestamp is non-nullable, so always written."""
    if not INT64_MIN <= height <= INT64_MAX:
        raise FormatError(f"vote height {height} is outside int64")
    if not INT32_MIN <= round_ <= INT32_MAX:
        raise FormatError(f"vote round {round_} is outside int32")
    _check_timestamp("vote timestamp", timestamp)
    vote = canonical_pb2.CanonicalVote(
        type=msg_type, height=height, round=round_, chain_id=chain_id
    )
    canonical = canonical_block_id(block_id)
    if canonical is not None:
        vote.block_id.CopyFrom(canonical)
        vote.block_id.part_set_header.SetInParent()  # non-nullable in the canonical block id
    vote.timestamp.CopyFrom(timestamp)
    vote.timestamp.SetInParent()
    return vote


def vote_sign_bytes(
    chain_id: str,
    *,
    msg_type: types_pb2.SignedMsgType,
    height: int,
    round_: int,
    block_id: types_pb2.BlockID | None,
    timestamp: timestamp_pb2.Timestamp,
) -> bytes:
    """What a validator signs for a vote: the length-delimited ``CanonicalVote``."""
    vote = canonical_vote(
        chain_id,
        msg_type=msg_type,
        height=height,
        round_=round_,
        block_id=block_id,
        timestamp=timestamp,
    )
    body = vote.SerializeToString(deterministic=True)
    return length_prefixed(body)


def commit_sig_block_id(
    commit_sig: types_pb2.CommitSig, commit_block_id: types_pb2.BlockID
) -> types_pb2.BlockID:
    """``CommitSig.BlockID``: the commit's block id for a commit signature, the zero block id for
    a nil or absent one; CometBFT panics on any other flag, we raise ``FormatError``."""
    flag = commit_sig.block_id_flag
    if flag == validator_pb2.BLOCK_ID_FLAG_COMMIT:
        return commit_block_id
    if flag in (validator_pb2.BLOCK_ID_FLAG_NIL, validator_pb2.BLOCK_ID_FLAG_ABSENT):
        return types_pb2.BlockID()
    raise FormatError(f"unknown block id flag {flag}")


def commit_vote_sign_bytes(chain_id: str, commit: types_pb2.Commit, index: int) -> bytes:
    """``Commit.VoteSignBytes``: the precommit the ``index``-th signature of ``commit`` signs."""
    if not 0 <= index < len(commit.signatures):
        raise FormatError(
            f"signature index {index} out of range for a commit of {len(commit.signatures)}"
        )
    commit_sig = commit.signatures[index]
    return vote_sign_bytes(
        chain_id,
        msg_type=types_pb2.SIGNED_MSG_TYPE_PRECOMMIT,
        height=commit.height,
        round_=commit.round,
        block_id=commit_sig_block_id(commit_sig, commit.block_id),
        timestamp=commit_sig.timestamp,
    )


# --- addresses (crypto/ed25519, crypto/secp256k1 Address) ---------------------------------------


def _ripemd160(data: bytes) -> bytes:
    """RIPEMD-160 from the standard library's OpenSSL (in OpenSSL 3's default provider)."""
    try:
        digest = hashlib.new("ripemd160", data)
    except ValueError as error:  # an OpenSSL built without it
        raise FormatError(f"RIPEMD-160 is unavailable in this Python's OpenSSL: {error}") from None
    return digest.digest()


def key_bytes(public_key: keys_pb2.PublicKey) -> tuple[str, bytes]:
    """The key's type (``"ed25519"`` or ``"secp256k1"``) and bytes, checked for length."""
    kind = public_key.WhichOneof("sum")
    if kind == "ed25519":
        key, size = public_key.ed25519, ED25519_KEY_SIZE
    elif kind == "secp256k1":
        key, size = public_key.secp256k1, SECP256K1_KEY_SIZE
    else:
        raise FormatError("public key has no key type set (want ed25519 or secp256k1)")
    if len(key) != size:
        raise FormatError(f"{kind} public key must be {size} bytes, got {len(key)}")
    return kind, key


def address(public_key: keys_pb2.PublicKey) -> bytes:
    """The 20-byte validator address CometBFT derives from a public key."""
    kind, key = key_bytes(public_key)
    digest = hashlib.sha256(key).digest()
    if kind == "ed25519":
        return digest[:ADDRESS_SIZE]
    return _ripemd160(digest)


# --- validator-set hash (types/validator_set.go Hash, types/validator.go Bytes) -----------------


def simple_validator_bytes(validator: validator_pb2.Validator) -> bytes:
    """``Validator.Bytes``: the ``SimpleValidator`` encoding, the leaf of the set's tree (no
    address and no proposer priority, which changes every block)."""
    key_bytes(validator.pub_key)  # CometBFT panics on a key it cannot encode
    simple = validator_pb2.SimpleValidator(
        pub_key=validator.pub_key, voting_power=validator.voting_power
    )
    return simple.SerializeToString(deterministic=True)


def validator_set_hash(validators: Sequence[validator_pb2.Validator]) -> bytes:
    """The hash a header names as its (next) validators hash, over the validators in the set's
    order (CometBFT keeps them sorted by voting power, descending, then address); an empty set
    hashes to sha256 of nothing."""
    return hash_from_byte_slices([simple_validator_bytes(v) for v in validators])
