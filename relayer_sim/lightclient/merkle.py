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
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256

import msgpack

from relayer_sim.lightclient.encoding import NotCanonical, is_tag, is_uint, unpack_canonical

LEAF_PREFIX = b"\x00"
INNER_PREFIX = b"\x01"
ROOT_PREFIX = b"\x02"
EMPTY_TREE_HASH = hashlib.sha256(b"").digest()
PROOF_EXIST = 0
PROOF_ABSENT = 1
#: ``MerkleTree.apply`` rebuilds the tree for more changes than this at once.
BULK_CHANGES = 256


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
    """Sorted key/value pairs with their root and proofs, kept up to date by ``apply``.

    Every perfect subtree's hash is kept by level (level 0: the leaves; node ``j`` of level
    ``h`` covers leaves ``[j·2^h, (j+1)·2^h)``): the RFC 9162 tree over ``n`` leaves is the fold,
    from the right, of the perfect subtrees of ``n``'s binary decomposition. A change re-hashes
    the path above a replaced leaf, and every node from the first inserted or deleted index on
    (those leaves shifted, so their subtrees are new): the tree's shape allows no less.
    """

    def __init__(self, items: Mapping[bytes, bytes]) -> None:
        self._build(dict(items))

    def _build(self, items: dict[bytes, bytes]) -> None:
        self._keys: list[bytes] = sorted(items)
        self._values: dict[bytes, bytes] = items
        self._levels: list[list[bytes]] = [[leaf_hash(k, items[k]) for k in self._keys]]
        self._rehash(0, set())

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: bytes) -> bytes | None:
        return self._values.get(key)

    def items(self) -> Mapping[bytes, bytes]:
        """The pairs (a live view: do not keep it across ``apply``)."""
        return self._values

    def apply(self, changes: Mapping[bytes, bytes | None]) -> None:
        """Set each key to its value (``None``: delete it), and bring the hashes up to date."""
        if len(changes) > BULK_CHANGES:  # a sort beats many inserts into a long list
            items = dict(self._values)
            for key, value in changes.items():
                if value is None:
                    items.pop(key, None)
                else:
                    items[key] = value
            self._build(items)
            return
        keys, values, leaves = self._keys, self._values, self._levels[0]
        shifted = len(keys)
        replaced: list[bytes] = []
        for key, value in changes.items():
            present = key in values
            if value is None:
                if not present:
                    continue
                index = bisect_left(keys, key)
                del keys[index], leaves[index], values[key]
                shifted = min(shifted, index)
            elif present:
                if values[key] != value:
                    values[key] = value
                    replaced.append(key)
            else:
                index = bisect_left(keys, key)
                keys.insert(index, key)
                leaves.insert(index, leaf_hash(key, value))
                values[key] = value
                shifted = min(shifted, index)
        points: set[int] = set()
        for key in replaced:
            index = bisect_left(keys, key)
            leaves[index] = leaf_hash(key, values[key])
            if index < shifted:
                points.add(index)
        self._rehash(shifted, points)

    def _rehash(self, shifted: int, points: set[int]) -> None:
        """Recompute the inner nodes above ``points`` and from leaf ``shifted`` on."""
        levels = self._levels
        height = 1
        while len(levels[height - 1]) >= 2:
            below = levels[height - 1]
            count = len(below) // 2
            if height == len(levels):
                levels.append([])
            level = levels[height]
            shifted >>= 1
            points = {index >> 1 for index in points if index >> 1 < shifted}
            del level[min(shifted, count) :]
            for index in points:
                level[index] = inner_hash(below[2 * index], below[2 * index + 1])
            pairs = iter(below[2 * len(level) : 2 * count])
            level.extend(
                [sha256(INNER_PREFIX + a + b).digest() for a, b in zip(pairs, pairs, strict=True)]
            )
            height += 1
        del levels[height:]
        self.root = sized_root(len(self._keys), self._tree_hash())

    def _perfect(self) -> list[tuple[int, int]]:
        """The perfect subtrees of the binary decomposition, left to right: (level, start)."""
        count, start, parts = len(self._keys), 0, []
        for height in range(count.bit_length() - 1, -1, -1):
            if count >> height & 1:
                parts.append((height, start))
                start += 1 << height
        return parts

    def _fold(self, parts: list[tuple[int, int]]) -> bytes:
        """The RFC 9162 hash of consecutive perfect subtrees (the last ones of the tree)."""
        node = b""
        for height, start in reversed(parts):
            own = self._levels[height][start >> height]
            node = own if not node else inner_hash(own, node)
        return node

    def _tree_hash(self) -> bytes:
        if not self._keys:
            return EMPTY_TREE_HASH
        return self._fold(self._perfect())

    def _path(self, index: int) -> list[bytes]:
        """Sibling hashes from the leaf at ``index`` up to the root (RFC 9162 §2.1.3)."""
        parts = self._perfect()
        part = 0
        while index >= parts[part][1] + (1 << parts[part][0]):
            part += 1
        height = parts[part][0]
        path = [self._levels[level][(index >> level) ^ 1] for level in range(height)]
        if part + 1 < len(parts):
            path.append(self._fold(parts[part + 1 :]))
        for left_height, left_start in reversed(parts[:part]):
            path.append(self._levels[left_height][left_start >> left_height])
        return path

    def _leaf_proof(self, index: int) -> LeafProof:
        key = self._keys[index]
        return LeafProof(
            key=key,
            value_hash=hashlib.sha256(self._values[key]).digest(),
            index=index,
            total=len(self._keys),
            path=tuple(self._path(index)),
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
