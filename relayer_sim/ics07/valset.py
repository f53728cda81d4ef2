"""Validator sets as CometBFT v0.38 reads them from protobuf (``ValidatorSetFromProto``).

The checks, in CometBFT's order: each validator's key (of a known type, of its type's size), the
proposer (present, with a valid key), the total voting power (at most ``MaxTotalVotingPower``,
summed with clipping), then ``ValidateBasic`` (not empty; no negative power; every address the
one its key derives; the proposer valid and in the set). A key of no known type is refused as
``unsupported public key``; every other failure with the caller's reason (``invalid header`` for
a header's own set, ``invalid validator set`` for the trusted one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from relayer_sim.formats.cometbft import (
    ED25519_KEY_SIZE,
    SECP256K1_KEY_SIZE,
    address,
    validator_set_hash,
)
from relayer_sim.formats.proto.tendermint.crypto import keys_pb2
from relayer_sim.formats.proto.tendermint.types import validator_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.errors import ClientError
from relayer_sim.ics07.gosem import INT64_MAX, INT64_MIN

#: ``MaxTotalVotingPower``: an eighth of the largest int64.
MAX_TOTAL_VOTING_POWER: Final = INT64_MAX // 8
_KEY_SIZES: Final = {"ed25519": ED25519_KEY_SIZE, "secp256k1": SECP256K1_KEY_SIZE}


@dataclass(frozen=True)
class Validator:
    address: bytes
    key_type: str
    key: bytes
    power: int

    @property
    def derived_address(self) -> bytes:
        return address(keys_pb2.PublicKey(**{self.key_type: self.key}))


@dataclass(frozen=True)
class ValidatorSet:
    """A set that passed ``ValidatorSetFromProto``; ``proto`` is what it was read from."""

    proto: validator_pb2.ValidatorSet
    validators: tuple[Validator, ...]
    proposer: Validator
    total_power: int

    @property
    def all_keys_same_type(self) -> bool:
        return len({v.key_type for v in self.validators}) <= 1

    def hash(self) -> bytes:
        return validator_set_hash(self.proto.validators)

    def index_of(self, wanted: bytes) -> int | None:
        """``GetByAddress``: the first validator with this address."""
        for index, validator in enumerate(self.validators):
            if validator.address == wanted:
                return index
        return None


def _validator(proto: validator_pb2.Validator, reason: str) -> Validator:
    """``ValidatorFromProto``: the key must be of a known type and size."""
    key_type = proto.pub_key.WhichOneof("sum")
    if key_type is None:
        raise ClientError(errors.UNSUPPORTED_PUBLIC_KEY, "a validator key has no known type")
    key = bytes(getattr(proto.pub_key, key_type))
    if len(key) != _KEY_SIZES[key_type]:
        raise ClientError(reason, f"{key_type} key of {len(key)} bytes")
    return Validator(bytes(proto.address), key_type, key, int(proto.voting_power))


def _clip(total: int) -> int:
    return max(INT64_MIN, min(INT64_MAX, total))


def _validate_basic(validator: Validator, reason: str, what: str) -> None:
    """``Validator.ValidateBasic``."""
    if validator.power < 0:
        raise ClientError(reason, f"{what} has negative voting power")
    if validator.address != validator.derived_address:
        raise ClientError(reason, f"{what} address is not derived from its key")


def validator_set(
    proto: validator_pb2.ValidatorSet | None, reason: str, what: str = "validator set"
) -> ValidatorSet:
    """``ValidatorSetFromProto`` of ``proto`` (None: the field is absent)."""
    if proto is None:
        raise ClientError(reason, f"{what} is missing")
    validators = tuple(_validator(v, reason) for v in proto.validators)
    if not proto.HasField("proposer"):
        raise ClientError(reason, f"{what} has no proposer")
    proposer = _validator(proto.proposer, reason)
    total = 0
    for validator in validators:
        total = _clip(total + validator.power)
        if total > MAX_TOTAL_VOTING_POWER:
            raise ClientError(reason, f"{what} has more than the maximum total voting power")
    if not validators:
        raise ClientError(reason, f"{what} is empty")
    for index, validator in enumerate(validators):
        _validate_basic(validator, reason, f"{what} validator #{index}")
    _validate_basic(proposer, reason, f"{what} proposer")
    if all(v.address != proposer.address for v in validators):
        raise ClientError(reason, f"{what} proposer is not in the set")
    return ValidatorSet(proto, validators, proposer, total)
