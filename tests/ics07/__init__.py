"""Tests of the 07-tendermint client, and a small chain of real CometBFT blocks to feed it.

``TestChain`` signs headers with real keys (PyNaCl ed25519, coincurve secp256k1) through
``relayer_sim.formats.light_blocks``; its app hashes are real multistore roots over an IAVL
``ibc`` store and an ``upgrade`` store, so membership and upgrade proofs are the SDK's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats import multistore
from relayer_sim.formats.cometbft import address
from relayer_sim.formats.iavl import IavlTree
from relayer_sim.formats.merkle import EMPTY_HASH
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.types import types_pb2, validator_pb2
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.schemes import SCHEMES, SigningKey
from relayer_sim.lightclient.store import HostEnv, chain_id_revision

NANOS = lb.NANOS
SECOND = NANOS
HOUR = 3600 * SECOND
CHAIN_ID = "gaia-1"
T0 = 1_700_000_000 * NANOS
TRUSTING = 48 * HOUR
UNBONDING = 72 * HOUR
DRIFT = 10 * SECOND
BLOCK_TIME = 6 * SECOND
HOST_CHAIN_ID = "host-1"


def env(time_ns: int, height: int = 100) -> HostEnv:
    return HostEnv(height=height, time_ns=time_ns, chain_id=HOST_CHAIN_ID)


@dataclass
class Keys:
    """Validators with their signing keys, by address."""

    validators: validator_pb2.ValidatorSet
    keys: dict[bytes, SigningKey]

    def signers(self, absent: Sequence[int] = ()) -> list[lb.Signer | None]:
        return [
            None if index in absent else self.keys[bytes(v.address)].sign
            for index, v in enumerate(self.validators.validators)
        ]


def keys(powers: Sequence[int], scheme: str = "ed25519", seed: bytes = b"validator") -> Keys:
    """Validators of ``powers`` with keys derived from ``seed`` (in set order: power, address)."""
    signing = [SCHEMES[scheme].key_from_seed(seed + bytes([index])) for index in range(len(powers))]
    members = [
        lb.Member(lb.public_key(scheme, key.public_key), power)
        for key, power in zip(signing, powers, strict=True)
    ]
    by_address = {address(m.public_key): k for m, k in zip(members, signing, strict=True)}
    return Keys(lb.validator_set(members), by_address)


@dataclass
class Block:
    signed: types_pb2.SignedHeader
    validators: validator_pb2.ValidatorSet
    #: The store roots and each store's saved version the app hash commits to.
    roots: dict[str, bytes] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def height(self) -> Height:
        header = self.signed.header
        return Height(chain_id_revision(header.chain_id), int(header.height))

    @property
    def time_ns(self) -> int:
        return int(self.signed.header.time.seconds) * NANOS + int(self.signed.header.time.nanos)


@dataclass
class TestChain:
    """A CometBFT chain whose blocks we sign ourselves, with an SDK multistore state."""

    __test__ = False

    validators: Keys = field(default_factory=lambda: keys([40, 30, 20, 10]))
    chain_id: str = CHAIN_ID
    ibc: IavlTree = field(default_factory=IavlTree)
    upgrade: IavlTree = field(default_factory=IavlTree)
    blocks: dict[int, Block] = field(default_factory=dict)

    def commit_state(self) -> tuple[dict[str, bytes], dict[str, int]]:
        """Save both stores: their roots and versions."""
        roots, versions = {}, {}
        for name, tree in (("ibc", self.ibc), ("upgrade", self.upgrade)):
            versions[name], roots[name] = tree.save_version()
        return roots, versions

    def tree(self, store: str) -> IavlTree:
        return self.ibc if store == "ibc" else self.upgrade

    def prove(self, block: Block, key: bytes, store: str = "ibc", present: bool = True) -> bytes:
        """A chained ``MerkleProof`` of ``key`` in ``store`` as of ``block``'s app hash."""
        tree, version = self.tree(store), block.versions[store]
        inner = (
            tree.existence_proof(key, version)
            if present
            else tree.non_existence_proof(key, version)
        )
        return multistore.chain_proof(inner, block.roots, store).SerializeToString()

    def block(
        self,
        height: int,
        time_ns: int | None = None,
        *,
        validators: Keys | None = None,
        next_validators: Keys | None = None,
        app_hash: bytes | None = None,
        absent: Sequence[int] = (),
        chain_id: str | None = None,
    ) -> Block:
        """Sign the block at ``height`` (by default: this chain's validators, time
        ``T0 + height * BLOCK_TIME``, app hash of the stores as they are now)."""
        signers = validators or self.validators
        following = next_validators or signers
        chain = chain_id or self.chain_id
        roots, versions = self.commit_state()
        header = lb.header(
            chain_id=chain,
            block_height=height,
            time_ns=T0 + height * BLOCK_TIME if time_ns is None else time_ns,
            validators_hash=lb.set_hash(signers.validators),
            next_validators_hash=lb.set_hash(following.validators),
            app_hash=multistore.app_hash(roots) if app_hash is None else app_hash,
            last_block_id=None,
            last_commit_hash=EMPTY_HASH,
            proposer_address=lb.rotating_proposer(signers.validators, height),
        )
        commit = lb.commit(chain, header, signers.validators, signers.signers(absent))
        block = Block(lb.signed_header(header, commit), signers.validators, roots, versions)
        self.blocks[height] = block
        return block


def header_message(
    block: Block,
    trusted_height: int,
    trusted_validators: validator_pb2.ValidatorSet,
) -> tendermint_pb2.Header:
    revision = block.height.revision_number
    return lb.client_header(
        block.signed, block.validators, lb.height(revision, trusted_height), trusted_validators
    )


def update(
    block: Block, trusted_height: int, trusted_validators: validator_pb2.ValidatorSet
) -> bytes:
    """The ``client_message`` of an update: the block trusting ``trusted_height``."""
    return lb.pack_any(header_message(block, trusted_height, trusted_validators))


def client_state(
    latest: int,
    *,
    trust_level: tuple[int, int] = (1, 3),
    chain_id: str = CHAIN_ID,
    trusting_ns: int = TRUSTING,
    unbonding_ns: int = UNBONDING,
    drift_ns: int = DRIFT,
) -> tendermint_pb2.ClientState:
    return lb.client_state(
        chain_id=chain_id,
        trust_level=trust_level,
        trusting_period_ns=trusting_ns,
        unbonding_period_ns=unbonding_ns,
        max_clock_drift_ns=drift_ns,
        latest_height=lb.height(chain_id_revision(chain_id), latest),
    )


def genesis(
    block: Block, next_validators: validator_pb2.ValidatorSet | None = None, **kw: object
) -> tuple[bytes, bytes]:
    """Client and consensus state (``Any`` bytes) trusting ``block``."""
    chain_id = str(block.signed.header.chain_id)
    state = client_state(block.height.revision_height, chain_id=chain_id, **kw)  # type: ignore[arg-type]
    consensus = lb.consensus_state(
        block.time_ns,
        bytes(block.signed.header.app_hash),
        bytes(block.signed.header.next_validators_hash)
        if next_validators is None
        else lb.set_hash(next_validators),
    )
    return lb.pack_any(state), lb.pack_any(consensus)


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()
