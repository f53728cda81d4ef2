"""Forks: signed headers the honest chain never produced, for an attacker to hand a relayer.

A coalition of validators signs what the scenario asks. The data is real (real keys, real
signatures), so whether a light client accepts it is decided by the light-client rules alone:

- ``equivocation``: a second header at an existing height, same validators, another app hash,
  signed only by the coalition (a light client accepts it only if the coalition holds > 2/3);
- ``lunatic``: a header at any height whose validator set is the coalition itself, with an
  invented app hash; a client skipping to it needs the coalition to hold its trust level of the
  trusted set (1/3 by default), which is the classic 1/3+ fork;
- ``backdated``: a header whose time is not after an earlier one (a BFT-time violation);
- ``impostor``: no coalition at all: a header signed by keys the attacker invented, in a message
  that names those keys as the trusted validators; only a client that does not compare them
  with its trusted state (``sim-tendermint-v1-flawed``) accepts it.

The honest chain goes on unaffected: forks exist only as returned data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from relayer_sim.counterparty.chain import ChainError, CounterpartyChain
from relayer_sim.lightclient.headers import Header, HeaderMessage, Height, SignedHeader
from relayer_sim.lightclient.schemes import SCHEMES, SigningKey
from relayer_sim.lightclient.validators import Validator, ValidatorSet

#: How many keys an impostor invents.
IMPOSTOR_KEYS = 3


class ForkError(ValueError):
    """A fork that cannot be built: an unknown validator, an empty coalition."""


@dataclass(frozen=True)
class Coalition:
    """The validators (by name) that sign whatever the attacker wants."""

    members: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str]) -> Coalition:
        members = frozenset(names)
        if not members:
            raise ForkError("a coalition needs at least one validator")
        return cls(members)

    def power_share(self, chain: CounterpartyChain, height: Height) -> float:
        """The coalition's share of the voting power at ``height`` (for reports)."""
        powers = chain.roster.powers_at(height)
        total = sum(powers.values())
        return sum(p for n, p in powers.items() if n in self.members) / total

    def _check(self, chain: CounterpartyChain, height: Height) -> dict[str, int]:
        powers = chain.roster.powers_at(height)
        unknown = sorted(self.members - powers.keys())
        if unknown:
            raise ForkError(f"not validators at {height}: {', '.join(unknown)}")
        return {name: powers[name] for name in self.members}

    def sign(
        self,
        chain: CounterpartyChain,
        header: Header,
        validators: ValidatorSet,
        parent: SignedHeader | None = None,
    ) -> SignedHeader:
        """A commit of ``header`` with the coalition members' signatures (absent for the
        others), built on ``parent`` when that is a block the chain made."""
        keys = [chain.roster.key(name, validators.scheme) for name in self.members]
        return _signed(chain, header, validators, keys, parent)

    def equivocation(
        self, chain: CounterpartyChain, height: Height, app_hash: bytes | None = None
    ) -> SignedHeader:
        """A conflicting header at ``height`` (which the honest chain committed)."""
        self._check(chain, height)
        honest = chain.block(height).header
        forged = replace(honest, app_hash=app_hash or _invented(b"equivocation", honest.app_hash))
        return self.sign(
            chain, forged, chain.block(height).signed.validator_set, _parent(chain, height)
        )

    def lunatic(
        self, chain: CounterpartyChain, height: Height, time_ns: int, app_hash: bytes | None = None
    ) -> SignedHeader:
        """A header at ``height`` from a validator set made of the coalition alone."""
        powers = self._check(chain, height)
        scheme = chain.version_at(height).scheme
        validators = ValidatorSet.of(
            scheme,
            (
                Validator(chain.roster.key(name, scheme).public_key, power)
                for name, power in powers.items()
            ),
        )
        header = _invented_header(chain, height, time_ns, validators, app_hash, b"lunatic")
        return self.sign(chain, header, validators)

    def backdated(self, chain: CounterpartyChain, height: Height, time_ns: int) -> SignedHeader:
        """The honest header at ``height`` re-signed with an earlier (or equal) time."""
        self._check(chain, height)
        honest = chain.block(height)
        return self.sign(
            chain,
            replace(honest.header, time_ns=time_ns),
            honest.signed.validator_set,
            _parent(chain, height),
        )


def impostor(
    chain: CounterpartyChain, height: Height, time_ns: int, app_hash: bytes | None = None
) -> SignedHeader:
    """A header at ``height`` from a validator set of keys invented for that height (no
    counterparty validator's), signed by all of them."""
    scheme = chain.version_at(height).scheme
    keys = [
        SCHEMES[scheme].key_from_seed(_invented(b"impostor-key", (index, height.encode())))
        for index in range(IMPOSTOR_KEYS)
    ]
    validators = ValidatorSet.of(scheme, (Validator(key.public_key, 1) for key in keys))
    header = _invented_header(chain, height, time_ns, validators, app_hash, b"impostor")
    return _signed(chain, header, validators, keys, None)


def impostor_message(forged: SignedHeader, trusted: Height) -> HeaderMessage:
    """The update that passes an impostor header off as trusted: its own invented signers are
    named as the validators the client trusts at ``trusted``."""
    return HeaderMessage(forged, trusted, forged.validator_set)


def _invented_header(
    chain: CounterpartyChain,
    height: Height,
    time_ns: int,
    validators: ValidatorSet,
    app_hash: bytes | None,
    label: bytes,
) -> Header:
    """A header at ``height`` whose current and next validators are ``validators``, with an
    app hash (unless given) and a parent invented from ``label``."""
    return Header(
        version=chain.version_at(height),
        chain_id=chain.chain_id,
        revision=height.revision_number,
        height=height.revision_height,
        time_ns=time_ns,
        validators_hash=chain.wire.validators_hash(validators),
        next_validators_hash=chain.wire.validators_hash(validators),
        app_hash=app_hash or _invented(label, height.encode()),
        last_block_hash=_invented(label + b"-parent", height.encode()),
    )


def _signed(
    chain: CounterpartyChain,
    header: Header,
    validators: ValidatorSet,
    keys: Iterable[SigningKey],
    parent: SignedHeader | None,
) -> SignedHeader:
    """``header`` sealed in the chain's wire format with a commit signed by ``keys`` (absent
    for the validators without one)."""
    return chain.wire.seal(header, validators, {key.public_key: key for key in keys}, parent)


def _parent(chain: CounterpartyChain, height: Height) -> SignedHeader | None:
    """The honest block below ``height``, which a re-signed header builds on as the honest one
    did (None at a revision's first height)."""
    below = Height(height.revision_number, height.revision_height - 1)
    try:
        return chain.block(below).signed
    except ChainError:
        return None


def _invented(label: bytes, seed: object) -> bytes:
    return hashlib.sha256(label + repr(seed).encode()).digest()
