"""The counterparty's state commitment: a binary Merkle tree over sorted key/value leaves.

The app hash of every counterparty block is the root of this tree, and light-client contracts
verify membership and non-membership proofs against it, so the byte rules below are a contract
between this module and the Zig verifier (``contracts/sim_tm/merkle.zig``):

- leaf hash  = sha256(0x00 ‖ u32be(len(key)) ‖ key ‖ sha256(value))
- inner hash = sha256(0x01 ‖ left ‖ right)
- the tree hash over n sorted leaves splits at the largest power of two below n (RFC 9162
  §2.1.1); the empty tree's hash is sha256("").
- the root (the app hash) = sha256(0x02 ‖ u64be(n) ‖ tree hash). Committing to the leaf count
  makes the count in a proof part of what is proven: RFC 9162's inclusion check alone accepts
  some wrong counts (leaf 0 of 3 and of 4 take the same path), which would let a relayer
  change a proof's bytes without the change being noticed.
- an existence proof names the leaf's index, the number of leaves and the sibling hashes from
  the leaf upwards (the RFC 9162 §2.1.3 inclusion proof); a non-existence proof carries the
  existence proofs of the two neighbours of the absent key (either may be missing at an end).

Proofs travel as msgpack arrays with a fixed field order (see ``encode_proof``).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgpack

from relayer_sim.lightclient.encoding import NotCanonical, is_tag, is_uint, unpack_canonical

LEAF_PREFIX = b"\x00"
INNER_PREFIX = b"\x01"
ROOT_PREFIX = b"\x02"
EMPTY_TREE_HASH = hashlib.sha256(b"").digest()
PROOF_EXIST = 0
PROOF_ABSENT = 1


class ProofError(ValueError):
    """A proof is malformed or does not prove what it claims against the given root."""


def leaf_hash(key: bytes, value: bytes) -> bytes:
    return hashlib.sha256(
        LEAF_PREFIX + len(key).to_bytes(4, "big") + key + hashlib.sha256(value).digest()
    ).digest()


def inner_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(INNER_PREFIX + left + right).digest()


def sized_root(count: int, tree_hash: bytes) -> bytes:
    """The root of a tree of ``count`` leaves whose tree hash is ``tree_hash``."""
    return hashlib.sha256(ROOT_PREFIX + count.to_bytes(8, "big") + tree_hash).digest()


EMPTY_ROOT = sized_root(0, EMPTY_TREE_HASH)


def _split(count: int) -> int:
    """The largest power of two strictly below ``count`` (``count`` ≥ 2)."""
    return 1 << ((count - 1).bit_length() - 1)


def _root(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return EMPTY_TREE_HASH
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return inner_hash(_root(leaves[:k]), _root(leaves[k:]))


def _path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Sibling hashes from the leaf at ``index`` up to the root."""
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(leaves[:k], index), _root(leaves[k:])]
    return [*_path(leaves[k:], index - k), _root(leaves[:k])]


@dataclass(frozen=True)
class LeafProof:
    """Where one leaf sits in the tree: enough to recompute the root from its hash."""

    key: bytes
    value_hash: bytes
    index: int
    total: int
    path: tuple[bytes, ...]

    def root(self) -> bytes:
        """Recompute the root (RFC 9162 §2.1.3.2); raise ``ProofError`` on an impossible shape."""
        if not 0 <= self.index < self.total:
            raise ProofError(f"leaf index {self.index} is outside a tree of {self.total} leaves")
        node = hashlib.sha256(
            LEAF_PREFIX + len(self.key).to_bytes(4, "big") + self.key + self.value_hash
        ).digest()
        index, last = self.index, self.total - 1
        for sibling in self.path:
            if last == 0:
                raise ProofError("proof path is longer than the tree is deep")
            if index % 2 == 1 or index == last:
                node = inner_hash(sibling, node)
                if index % 2 == 0:
                    while index % 2 == 0 and index != 0:
                        index, last = index >> 1, last >> 1
            else:
                node = inner_hash(node, sibling)
            index, last = index >> 1, last >> 1
        if last != 0:
            raise ProofError("proof path is shorter than the tree is deep")
        return sized_root(self.total, node)


@dataclass(frozen=True)
class ExistenceProof:
    leaf: LeafProof


@dataclass(frozen=True)
class NonExistenceProof:
    """The absent key's neighbours: ``left`` < key < ``right``, adjacent in the tree."""

    total: int
    left: LeafProof | None
    right: LeafProof | None


Proof = ExistenceProof | NonExistenceProof


class MerkleTree:
    """An immutable snapshot of sorted key/value pairs with its root and proofs."""

    def __init__(self, items: Mapping[bytes, bytes]) -> None:
        self._keys = sorted(items)
        self._values = [items[key] for key in self._keys]
        self._leaves = [leaf_hash(k, v) for k, v in zip(self._keys, self._values, strict=True)]
        self.root = sized_root(len(self._leaves), _root(self._leaves))

    def __len__(self) -> int:
        return len(self._keys)

    def _leaf_proof(self, index: int) -> LeafProof:
        return LeafProof(
            key=self._keys[index],
            value_hash=hashlib.sha256(self._values[index]).digest(),
            index=index,
            total=len(self._keys),
            path=tuple(_path(self._leaves, index)),
        )

    def prove(self, key: bytes) -> Proof:
        """An existence proof if ``key`` is present, else a non-existence proof."""
        index = bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            return ExistenceProof(self._leaf_proof(index))
        left = self._leaf_proof(index - 1) if index > 0 else None
        right = self._leaf_proof(index) if index < len(self._keys) else None
        return NonExistenceProof(len(self._keys), left, right)


def verify_membership(root: bytes, key: bytes, value: bytes, proof: Proof) -> None:
    """Raise ``ProofError`` unless ``proof`` shows ``key`` = ``value`` under ``root``."""
    if not isinstance(proof, ExistenceProof):
        raise ProofError("a membership proof must be an existence proof")
    leaf = proof.leaf
    if leaf.key != key:
        raise ProofError("the proof is for another key")
    if leaf.value_hash != hashlib.sha256(value).digest():
        raise ProofError("the proven value differs from the expected value")
    if leaf.root() != root:
        raise ProofError("the proof does not lead to the trusted root")


def verify_non_membership(root: bytes, key: bytes, proof: Proof) -> None:
    """Raise ``ProofError`` unless ``proof`` shows ``key`` is absent under ``root``."""
    if not isinstance(proof, NonExistenceProof):
        raise ProofError("a non-membership proof must be a non-existence proof")
    left, right, total = proof.left, proof.right, proof.total
    if left is None and right is None:
        if total != 0 or root != EMPTY_ROOT:
            raise ProofError("a proof without neighbours only holds for the empty tree")
        return
    for neighbour in (left, right):
        if neighbour is not None:
            if neighbour.total != total:
                raise ProofError("the neighbours disagree on the size of the tree")
            if neighbour.root() != root:
                raise ProofError("a neighbour's proof does not lead to the trusted root")
    if left is not None and not left.key < key:
        raise ProofError("the left neighbour is not below the key")
    if right is not None and not key < right.key:
        raise ProofError("the right neighbour is not above the key")
    if left is None and right is not None and right.index != 0:
        raise ProofError("without a left neighbour the right one must be the first leaf")
    if right is None and left is not None and left.index != total - 1:
        raise ProofError("without a right neighbour the left one must be the last leaf")
    if left is not None and right is not None and right.index != left.index + 1:
        raise ProofError("the neighbours are not adjacent leaves")


def _encode_leaf(leaf: LeafProof | None) -> list[object] | None:
    if leaf is None:
        return None
    return [leaf.key, leaf.value_hash, leaf.index, leaf.total, list(leaf.path)]


def encode_proof(proof: Proof) -> bytes:
    """msgpack: ``[0, leaf]`` or ``[1, total, left|nil, right|nil]``, leaf = ``[key, value
    hash, index, total, [siblings…]]``."""
    if isinstance(proof, ExistenceProof):
        document: list[object] = [PROOF_EXIST, _encode_leaf(proof.leaf)]
    else:
        document = [PROOF_ABSENT, proof.total, _encode_leaf(proof.left), _encode_leaf(proof.right)]
    return msgpack.packb(document)  # type: ignore[no-any-return]


def _decode_leaf(document: object) -> LeafProof | None:
    if document is None:
        return None
    if not (isinstance(document, list) and len(document) == 5):
        raise ProofError("a leaf proof must be [key, value hash, index, total, path]")
    key, value_hash, index, total, path = document
    if not (isinstance(key, bytes) and isinstance(value_hash, bytes) and len(value_hash) == 32):
        raise ProofError("a leaf proof needs a byte key and a 32-byte value hash")
    if not (is_uint(index) and is_uint(total) and total > 0):
        raise ProofError("a leaf proof needs a non-negative index and a positive total")
    if not (isinstance(path, list) and all(isinstance(h, bytes) and len(h) == 32 for h in path)):
        raise ProofError("a leaf proof's path must be a list of 32-byte hashes")
    return LeafProof(key, value_hash, index, total, tuple(path))


def decode_proof(data: bytes) -> Proof:
    """The inverse of ``encode_proof``; anything else raises ``ProofError``."""
    try:
        document = unpack_canonical(data)
    except NotCanonical as error:
        raise ProofError(f"proof is {error}") from None
    if isinstance(document, list) and len(document) == 2 and is_tag(document[0], PROOF_EXIST):
        leaf = _decode_leaf(document[1])
        if leaf is None:
            raise ProofError("an existence proof needs its leaf")
        return ExistenceProof(leaf)
    if isinstance(document, list) and len(document) == 4 and is_tag(document[0], PROOF_ABSENT):
        total = document[1]
        if not is_uint(total):
            raise ProofError("a non-existence proof needs a non-negative tree size")
        return NonExistenceProof(total, _decode_leaf(document[2]), _decode_leaf(document[3]))
    raise ProofError("proof must be [0, leaf] or [1, total, left, right]")
