"""Validator sets: who may sign a counterparty block and with how much weight.

A set is kept in CometBFT's order (power descending, then public key ascending) so that a
commit's signatures line up with it by position and its hash is canonical:
``validators_hash = sha256(msgpack([scheme, [[public_key, power], …]]))``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import msgpack


class ValidatorSetError(ValueError):
    """A validator set that cannot exist: empty, duplicate keys, or a non-positive power."""


@dataclass(frozen=True, order=True)
class Validator:
    public_key: bytes
    power: int


@dataclass(frozen=True)
class ValidatorSet:
    """An ordered, validated set of validators sharing one signature scheme."""

    scheme: str
    validators: tuple[Validator, ...]

    @classmethod
    def of(cls, scheme: str, validators: Iterable[Validator]) -> ValidatorSet:
        ordered = tuple(sorted(validators, key=lambda v: (-v.power, v.public_key)))
        if not ordered:
            raise ValidatorSetError("a validator set needs at least one validator")
        if len({v.public_key for v in ordered}) != len(ordered):
            raise ValidatorSetError("a validator set cannot list one key twice")
        if any(v.power <= 0 for v in ordered):
            raise ValidatorSetError("every validator needs a positive voting power")
        return cls(scheme, ordered)

    def __iter__(self) -> Iterator[Validator]:
        return iter(self.validators)

    def __len__(self) -> int:
        return len(self.validators)

    @property
    def total_power(self) -> int:
        return sum(v.power for v in self.validators)

    def index_of(self, public_key: bytes) -> int | None:
        for index, validator in enumerate(self.validators):
            if validator.public_key == public_key:
                return index
        return None

    def encode(self) -> list[object]:
        return [self.scheme, [[v.public_key, v.power] for v in self.validators]]

    def hash(self) -> bytes:
        return hashlib.sha256(msgpack.packb(self.encode())).digest()
