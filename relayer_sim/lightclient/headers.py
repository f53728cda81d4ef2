"""Headers, commits and the client messages a relayer sends to a light client.

The encodings are msgpack arrays in a fixed field order, shared byte for byte with the Zig
contracts (``contracts/lib/sim_tm.zig``):

- header       ``[version, chain_id, revision, height, time_ns, validators_hash,
                 next_validators_hash, app_hash, last_block_hash]``; its hash is sha256 of that.
- vote bytes   ``[domain, chain_id, revision, height, block_hash]``; ``domain`` names the
                 consensus version, so a v1 vote can never be replayed as a v2 one.
- commit       ``[height, block_hash, [signature | nil, …]]``, one slot per validator of the
                 header's validator set, in set order (nil: did not sign).
- header msg   ``[0, header, commit, validator_set, trusted_height, trusted_validators]``
- misbehaviour ``[1, header msg, header msg]``
- height       ``[revision_number, revision_height]``
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Final

import msgpack

from relayer_sim.lightclient.validators import ValidatorSet

MESSAGE_HEADER: Final = 0
MESSAGE_MISBEHAVIOUR: Final = 1


@dataclass(frozen=True)
class ConsensusVersion:
    """A named consensus version: its header version number, key scheme and vote domain."""

    name: str
    header_version: int
    scheme: str

    @property
    def vote_domain(self) -> str:
        return f"{self.name}/vote"


TM_ED25519: Final = ConsensusVersion("tm-ed25519", 1, "ed25519")
TM_SECP256K1: Final = ConsensusVersion("tm-secp256k1", 2, "secp256k1")
CONSENSUS_VERSIONS: Final = {v.name: v for v in (TM_ED25519, TM_SECP256K1)}
VERSIONS_BY_NUMBER: Final = {v.header_version: v for v in (TM_ED25519, TM_SECP256K1)}


@dataclass(frozen=True, order=True)
class Height:
    revision_number: int
    revision_height: int

    def encode(self) -> list[int]:
        return [self.revision_number, self.revision_height]

    def __str__(self) -> str:
        return f"{self.revision_number}-{self.revision_height}"


@dataclass(frozen=True)
class Header:
    version: ConsensusVersion
    chain_id: str
    revision: int
    height: int
    time_ns: int
    validators_hash: bytes
    next_validators_hash: bytes
    app_hash: bytes
    last_block_hash: bytes

    def encode(self) -> list[object]:
        return [
            self.version.header_version,
            self.chain_id,
            self.revision,
            self.height,
            self.time_ns,
            self.validators_hash,
            self.next_validators_hash,
            self.app_hash,
            self.last_block_hash,
        ]

    def hash(self) -> bytes:
        return hashlib.sha256(msgpack.packb(self.encode())).digest()

    @property
    def ibc_height(self) -> Height:
        return Height(self.revision, self.height)

    def vote_bytes(self) -> bytes:
        """What each validator signs to commit this header."""
        return vote_bytes(self.version, self.chain_id, self.revision, self.height, self.hash())


def vote_bytes(
    version: ConsensusVersion, chain_id: str, revision: int, height: int, block_hash: bytes
) -> bytes:
    return msgpack.packb([version.vote_domain, chain_id, revision, height, block_hash])  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Commit:
    height: int
    block_hash: bytes
    signatures: tuple[bytes | None, ...]

    def encode(self) -> list[object]:
        return [self.height, self.block_hash, list(self.signatures)]


@dataclass(frozen=True)
class SignedHeader:
    header: Header
    commit: Commit
    validator_set: ValidatorSet
    #: The block as its wire format built it, when that is not this module's msgpack (the
    #: ``tendermint`` wire keeps the CometBFT protobuf messages here); not part of equality.
    native: object = field(default=None, compare=False)


@dataclass(frozen=True)
class HeaderMessage:
    """A header a relayer submits, with the trusted state it claims to build on."""

    signed: SignedHeader
    trusted_height: Height
    trusted_validators: ValidatorSet

    def encode(self) -> list[object]:
        return [
            MESSAGE_HEADER,
            self.signed.header.encode(),
            self.signed.commit.encode(),
            self.signed.validator_set.encode(),
            self.trusted_height.encode(),
            self.trusted_validators.encode(),
        ]

    def to_bytes(self) -> bytes:
        return msgpack.packb(self.encode())  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Misbehaviour:
    """Two headers that cannot both be honest: evidence that freezes a client."""

    first: HeaderMessage
    second: HeaderMessage

    def to_bytes(self) -> bytes:
        return msgpack.packb([MESSAGE_MISBEHAVIOUR, self.first.encode(), self.second.encode()])  # type: ignore[no-any-return]
