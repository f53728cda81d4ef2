"""CometBFT v0.38's light verification: ``VerifyCommitLight``, ``VerifyCommitLightTrusting``
and ``light.Verify`` (adjacent and non-adjacent), with CometBFT's order and early exit.

Which signatures are looked at, and in what order, is part of the rule (it decides which refusal
a bad commit gets), so the two verifier shapes of ``types/validation.go`` are kept apart:

- *batch* (at least 2 signatures, the set's proposer has an ed25519 key and all the set's keys
  are of one type): walk the commit, refuse a signature that is not 64 bytes at once, tally the
  power until it exceeds the power needed; if it never does, ``not enough voting power signed``
  before any signature is verified; else verify the collected ones, and refuse the first bad one;
- *single* (otherwise): walk the commit and verify each counted signature as it comes (refusing
  the first bad one), stopping once the tally exceeds the power needed.

Light verification takes validators by index (the commit is the set's own); trusting
verification by address, skipping unknown addresses and refusing a validator that signs twice.
Only ``COMMIT`` votes count. Ed25519 signatures are checked as the CosmWasm host's
``ed25519_verify`` checks them, secp256k1 ones as CometBFT does: 64 bytes ``r ‖ s``, ``s`` in
the low half of the order (a high-S signature is refused), over sha256 of the sign bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from relayer_sim.formats.cometbft import commit_vote_sign_bytes
from relayer_sim.formats.proto.tendermint.types import types_pb2, validator_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.decode import time_ns
from relayer_sim.ics07.errors import ClientError
from relayer_sim.ics07.gosem import div, int64, safe_mul
from relayer_sim.ics07.validate import validate_signed_header
from relayer_sim.ics07.valset import Validator, ValidatorSet
from relayer_sim.vm import crypto as host_crypto
from relayer_sim.vm.abi import CRYPTO_VALID

#: The order of secp256k1's group.
SECP256K1_ORDER: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_BATCH_THRESHOLD: Final = 2
_SIGNATURE_SIZE: Final = 64


def secp256k1_signature_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """CometBFT ``secp256k1.PubKey.VerifySignature``: 64 bytes, ``0 < r, s < n``, low S."""
    if len(signature) != _SIGNATURE_SIZE:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < SECP256K1_ORDER and 0 < s <= SECP256K1_ORDER // 2):
        return False
    digest = hashlib.sha256(message).digest()
    return host_crypto.secp256k1_verify(digest, signature, public_key) == CRYPTO_VALID


def ed25519_signature_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(signature) != _SIGNATURE_SIZE:
        return False
    return host_crypto.ed25519_verify(message, signature, public_key) == CRYPTO_VALID


@dataclass(frozen=True)
class Profile:
    """What one contract verifies: its name and the validator key types it can check."""

    name: str
    key_types: frozenset[str]

    def signature_ok(self, validator: Validator, message: bytes, signature: bytes) -> bool:
        if validator.key_type not in self.key_types:
            raise ClientError(
                errors.UNSUPPORTED_PUBLIC_KEY, f"{self.name} cannot verify {validator.key_type}"
            )
        if validator.key_type == "ed25519":
            return ed25519_signature_ok(validator.key, message, signature)
        return secp256k1_signature_ok(validator.key, message, signature)


def _not_enough(tallied: int, needed: int) -> ClientError:
    return ClientError(errors.NOT_ENOUGH_VOTING_POWER, f"got {tallied}, needed more than {needed}")


def _bad_signature(index: int) -> ClientError:
    return ClientError(errors.INVALID_SIGNATURE, f"wrong signature (#{index})")


def _signers(
    validators: ValidatorSet, commit: types_pb2.Commit, by_index: bool
) -> Iterator[tuple[int, Validator]]:
    """The counted votes of ``commit`` with their validators, in commit order (by address: the
    unknown ones skipped, a second vote of one validator refused when the walk reaches it, so
    not after the early exit, as in CometBFT)."""
    seen = set[int]()
    for index, sig in enumerate(commit.signatures):
        if sig.block_id_flag != validator_pb2.BLOCK_ID_FLAG_COMMIT:
            continue
        if by_index:
            yield index, validators.validators[index]
            continue
        found = validators.index_of(bytes(sig.validator_address))
        if found is None:
            continue
        if found in seen:
            raise ClientError(errors.INVALID_COMMIT, f"double vote from validator #{found}")
        seen.add(found)
        yield index, validators.validators[found]


def _verify_commit(
    profile: Profile,
    chain_id: str,
    validators: ValidatorSet,
    commit: types_pb2.Commit,
    needed: int,
    by_index: bool,
) -> None:
    batch = (
        len(commit.signatures) >= _BATCH_THRESHOLD
        and validators.proposer.key_type == "ed25519"
        and validators.all_keys_same_type
    )
    tallied, pending = 0, []
    for index, validator in _signers(validators, commit, by_index):
        sign_bytes = commit_vote_sign_bytes(chain_id, commit, index)
        signature = bytes(commit.signatures[index].signature)
        if batch:
            if len(signature) != _SIGNATURE_SIZE:
                raise _bad_signature(index)
            pending.append((index, validator, sign_bytes, signature))
        elif not profile.signature_ok(validator, sign_bytes, signature):
            raise _bad_signature(index)
        tallied += validator.power
        if tallied > needed:
            break
    if tallied <= needed:
        raise _not_enough(tallied, needed)
    for index, validator, sign_bytes, signature in pending:
        if not profile.signature_ok(validator, sign_bytes, signature):
            raise _bad_signature(index)


def _block_id_key(block_id: types_pb2.BlockID) -> tuple[bytes, int, bytes]:
    """What ``BlockID.Equals`` compares."""
    psh = block_id.part_set_header
    return bytes(block_id.hash), int(psh.total), bytes(psh.hash)


def verify_commit_light(
    profile: Profile,
    chain_id: str,
    validators: ValidatorSet,
    block_id: types_pb2.BlockID,
    height: int,
    commit: types_pb2.Commit,
) -> None:
    """``VerifyCommitLight``: more than 2/3 of ``validators``' power signed ``commit``."""
    if len(validators.validators) != len(commit.signatures):
        raise ClientError(
            errors.INVALID_COMMIT,
            f"{len(validators.validators)} validators, {len(commit.signatures)} signatures",
        )
    if height != commit.height:
        raise ClientError(errors.INVALID_COMMIT, "commit is for another height")
    if _block_id_key(block_id) != _block_id_key(commit.block_id):
        raise ClientError(errors.INVALID_COMMIT, "commit is for another block id")
    _verify_commit(profile, chain_id, validators, commit, validators.total_power * 2 // 3, True)


def verify_commit_light_trusting(
    profile: Profile,
    chain_id: str,
    validators: ValidatorSet,
    commit: types_pb2.Commit,
    trust_level: tuple[int, int],
) -> None:
    """``VerifyCommitLightTrusting``: more than ``trust_level`` of the trusted ``validators``'
    power signed ``commit`` (voting power needed = total * numerator / denominator, in Go's
    int64 arithmetic; the tally must exceed it)."""
    numerator, denominator = trust_level
    if denominator == 0:
        raise ClientError(errors.INVALID_CLIENT_STATE, "trust level has a zero denominator")
    product, overflow = safe_mul(validators.total_power, int64(numerator))
    if overflow:
        raise ClientError(errors.INVALID_CLIENT_STATE, "trust level numerator overflows")
    needed = div(product, int64(denominator))
    _verify_commit(profile, chain_id, validators, commit, needed, False)


@dataclass(frozen=True)
class TrustedHeader:
    """The trusted header ibc-go rebuilds from a consensus state: only these fields matter."""

    chain_id: str
    height: int
    time_ns: int
    next_validators_hash: bytes


@dataclass(frozen=True)
class Params:
    """The client's verification parameters and the host's time."""

    trusting_period_ns: int
    max_clock_drift_ns: int
    trust_level: tuple[int, int]
    now_ns: int


def light_verify(
    profile: Profile,
    trusted: TrustedHeader,
    trusted_validators: ValidatorSet,
    signed: types_pb2.SignedHeader,
    validators: ValidatorSet,
    params: Params,
) -> None:
    """``light.Verify``: ``VerifyAdjacent`` when the header is at the trusted height + 1, else
    ``VerifyNonAdjacent``; both first refuse an expired trusted header, then check the new header
    and its validators (``verifyNewHeaderAndVals``), then the commit."""
    header, commit = signed.header, signed.commit
    if trusted.time_ns + params.trusting_period_ns <= params.now_ns:
        raise ClientError(errors.TRUSTING_PERIOD_EXPIRED, "the trusted state is too old")
    validate_signed_header(signed, trusted.chain_id)
    if header.height <= trusted.height:
        raise ClientError(errors.INVALID_HEADER, "header is not above the trusted height")
    header_time = time_ns(header.time)
    if header_time <= trusted.time_ns:
        raise ClientError(errors.INVALID_HEADER, "header time is not after the trusted time")
    if header_time >= params.now_ns + params.max_clock_drift_ns:
        raise ClientError(errors.HEADER_FROM_THE_FUTURE, f"header time {header_time}")
    if header.validators_hash != validators.hash():
        raise ClientError(errors.INVALID_HEADER, "validators do not match the header's hash")
    if header.height == trusted.height + 1:
        if header.validators_hash != trusted.next_validators_hash:
            raise ClientError(
                errors.INVALID_HEADER, "validators are not the trusted next validators"
            )
    else:
        verify_commit_light_trusting(
            profile, trusted.chain_id, trusted_validators, commit, params.trust_level
        )
    verify_commit_light(
        profile, trusted.chain_id, validators, commit.block_id, header.height, commit
    )
