"""Who validates the counterparty, with what power and which keys, height by height.

Keys are derived from the chain seed, the validator's name and the signature scheme, so one seed
fixes every key, and a validator keeps its identity across a consensus switch while its key
changes scheme (as a real chain's validators re-key for a new signature algorithm).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.schemes import SCHEMES, SigningKey
from relayer_sim.lightclient.validators import Validator, ValidatorSet


@dataclass(frozen=True)
class ValidatorSpec:
    """A validator as a scenario names it."""

    name: str
    power: int


@dataclass(frozen=True)
class RosterChange:
    """From ``height`` on, ``name`` has ``power`` (0 = leaves the set; a new name joins)."""

    height: Height
    name: str
    power: int


class RosterError(ValueError):
    """A roster that cannot be: empty, a duplicate name, a negative power, a late change."""


class Roster:
    """The validators of one chain over its heights, and their keys."""

    def __init__(self, seed: bytes, validators: Iterable[ValidatorSpec]) -> None:
        self._seed = seed
        self._initial = {v.name: v.power for v in validators}
        if not self._initial:
            raise RosterError("a chain needs at least one validator")
        if any(power <= 0 for power in self._initial.values()):
            raise RosterError("every initial validator needs a positive power")
        self._changes: list[RosterChange] = []
        #: Powers by how many of the changes (in height order) are in effect.
        self._powers: dict[int, Mapping[str, int]] = {}
        self._keys: dict[tuple[str, str], SigningKey] = {}
        #: One object per distinct set (a chain's blocks share them instead of a copy each).
        self._sets: dict[tuple[str, tuple[tuple[str, int], ...]], ValidatorSet] = {}
        self._names: dict[tuple[str, tuple[str, ...]], dict[bytes, str]] = {}

    def schedule(self, change: RosterChange) -> None:
        """Add ``change``, refusing one that would leave some height without a validator."""
        if change.power < 0:
            raise RosterError(f"validator {change.name}: power cannot be negative")
        before = list(self._changes)
        self._changes.append(change)
        self._changes.sort(key=lambda c: c.height)  # stable: same-height changes keep their order
        self._powers.clear()
        affected = {c.height for c in self._changes if c.height >= change.height}
        if not all(self.powers_at(height) for height in affected):
            self._changes = before
            self._powers.clear()
            raise RosterError(f"removing {change.name} at {change.height} leaves no validator")

    def powers_at(self, height: Height) -> Mapping[str, int]:
        """Name to power for the block at ``height`` (only validators with power).

        Heights under the same changes share one answer, made once: a chain asks for every
        block, several times."""
        in_effect = bisect_right(self._changes, height, key=lambda c: c.height)
        cached = self._powers.get(in_effect)
        if cached is None:
            powers = dict(self._initial)
            for change in self._changes[:in_effect]:
                powers[change.name] = change.power
            cached = self._powers[in_effect] = MappingProxyType(
                {name: power for name, power in powers.items() if power > 0}
            )
        return cached

    def key(self, name: str, scheme: str) -> SigningKey:
        """The key ``name`` signs with under ``scheme`` (derived once, then cached)."""
        cached = self._keys.get((name, scheme))
        if cached is None:
            material = hashlib.sha256(self._seed + f"/{name}/{scheme}".encode()).digest()
            cached = self._keys[(name, scheme)] = SCHEMES[scheme].key_from_seed(material)
        return cached

    def validator_set(self, height: Height, scheme: str) -> ValidatorSet:
        """The set that signs the block at ``height`` under ``scheme``."""
        powers = self.powers_at(height)
        if not powers:
            raise RosterError(f"no validator has power at height {height}")
        cache_key = (scheme, tuple(powers.items()))
        cached = self._sets.get(cache_key)
        if cached is None:
            cached = self._sets[cache_key] = ValidatorSet.of(
                scheme,
                (
                    Validator(self.key(name, scheme).public_key, power)
                    for name, power in powers.items()
                ),
            )
        return cached

    def name_of(self, public_key: bytes, scheme: str, height: Height) -> str | None:
        """Who signs with ``public_key`` under ``scheme`` at ``height`` (None: nobody)."""
        return self.names_by_key(scheme, height).get(public_key)

    def names_by_key(self, scheme: str, height: Height) -> dict[bytes, str]:
        """Public key → name, for the validators with power at ``height`` under ``scheme``."""
        names = tuple(self.powers_at(height))
        cached = self._names.get((scheme, names))
        if cached is None:
            cached = self._names[(scheme, names)] = {
                self.key(name, scheme).public_key: name for name in names
            }
        return cached
