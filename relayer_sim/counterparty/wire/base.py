"""The seam between the simulated chain and the bytes it speaks (DESIGN.md §6a).

A counterparty produces blocks in one neutral shape (``relayer_sim.lightclient.headers``:
heights, times, validator sets, app hashes, signatures) and speaks one **wire format**: the
counterparty, relayers, the monitor and byzantine relayers ask their chain's ``Wire`` for every
byte a light client sees, and never build bytes themselves. A wire knows how to

- commit the chain's state and prove keys in it (``ChainState``),
- hash a validator set and seal a header into a signed block,
- encode a header message and misbehaviour, and read back the headers a client accepted,
- encode the client and consensus states a client is created and upgraded with, and read the
  fields of a client state that relayers need.

Keys are IBC merkle paths (``KeyPath``), so that one path names the same entry in either wire's
state: a flat tree keyed by the joined path, or a multistore of IAVL stores.

Two wires exist: ``sim-tendermint`` (our msgpack) and ``tendermint`` (CometBFT / Cosmos SDK /
ibc-go, byte for byte).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from relayer_sim.lightclient.headers import (
    ConsensusVersion,
    Header,
    HeaderMessage,
    Height,
    SignedHeader,
)
from relayer_sim.lightclient.schemes import SigningKey
from relayer_sim.lightclient.states import TrustLevel
from relayer_sim.lightclient.validators import ValidatorSet

#: An IBC merkle path: a store name, then a key in that store (``[b"ibc", b"commitments/…"]``).
KeyPath = tuple[bytes, ...]


class Forged(Protocol):
    """A state the chain never committed: what a coalition can claim as its app hash."""

    @property
    def root(self) -> bytes: ...

    def prove(self, path: KeyPath) -> bytes: ...


class ChainState(Protocol):
    """The counterparty's application state: writes pending for the next block, committed per
    height, with proofs against any height still kept."""

    def write(self, path: KeyPath, value: bytes) -> None: ...

    def delete(self, path: KeyPath) -> None: ...

    def get(self, path: KeyPath) -> bytes | None:
        """The value as it will be committed (pending writes included)."""
        ...

    def commit(self, at: Height) -> bytes:
        """Commit the pending writes as the state of ``at``; return the app hash."""
        ...

    def value(self, path: KeyPath, at: Height) -> bytes | None: ...

    def prove(self, path: KeyPath, at: Height) -> bytes:
        """An encoded existence (or non-existence) proof of ``path`` at ``at``."""
        ...

    def forged(self, at: Height, writes: Mapping[KeyPath, bytes]) -> Forged:
        """The state of ``at`` with ``writes`` applied, never committed."""
        ...

    def prune(self, below: Height) -> None:
        """Forget every committed height below ``below``: no proof is asked for them again."""
        ...


@dataclass(frozen=True)
class ClientParams:
    """What a relayer chooses when it creates a client (the rest comes from the chain)."""

    trusting_period_ns: int
    max_clock_drift_ns: int
    trust_level: TrustLevel
    #: The sim-tendermint state format of the contract (1 or 2); the tendermint wire has one.
    state_format: int = 1


@dataclass(frozen=True)
class ClientView:
    """The fields of a client state that relayers read, whatever the wire."""

    chain_id: str
    latest_height: Height
    trust_level: TrustLevel
    trusting_period_ns: int
    max_clock_drift_ns: int


class Wire(Protocol):
    """One wire format, bound to one chain (it may remember the blocks it sealed)."""

    @property
    def name(self) -> str: ...

    def new_state(self, ibc_store: str) -> ChainState:
        """An empty state whose IBC store is named ``ibc_store`` (the commitment prefix)."""
        ...

    def validators_hash(self, validators: ValidatorSet) -> bytes: ...

    def seal(
        self,
        header: Header,
        validators: ValidatorSet,
        signers: Mapping[bytes, SigningKey],
        parent: SignedHeader | None,
    ) -> SignedHeader:
        """``header`` committed by the validators whose public keys ``signers`` holds (the
        others absent). ``parent`` is the block it builds on, when it is one the chain made."""
        ...

    def header_message(self, message: HeaderMessage) -> bytes: ...

    def misbehaviour(self, first: HeaderMessage, second: HeaderMessage) -> bytes: ...

    def accepted_header(self, client_message: bytes) -> HeaderMessage | None:
        """The header in a client message a client accepted (None for misbehaviour)."""
        ...

    def trusted_enough(self, message: HeaderMessage, level: TrustLevel) -> bool:
        """Whether the trusted validators who signed ``message`` hold more than ``level`` of
        the trusted power: how far a relayer can skip."""
        ...

    def client_states(
        self, chain_id: str, block: SignedHeader, params: ClientParams
    ) -> tuple[bytes, bytes]:
        """The client and consensus state ``data`` a client trusting ``block`` starts with."""
        ...

    def read_client_state(self, data: bytes) -> ClientView: ...

    def consensus_timestamp(self, data: bytes) -> int: ...

    def upgrade_height(self, revision: int) -> Height:
        """Where a client upgraded to ``revision`` starts: the height its published consensus
        state stands at."""
        ...

    def upgraded_client_state(self, chain_id: str, at: Height, version: ConsensusVersion) -> bytes:
        """The client state a chain publishes under its upgrade key (the chain-chosen fields
        only), for a client that will stand at ``at`` of chain ``chain_id``."""
        ...

    def upgraded_consensus_state(
        self, time_ns: int, next_validators: ValidatorSet, version: ConsensusVersion
    ) -> bytes:
        """The consensus state published the block before the upgrade."""
        ...
