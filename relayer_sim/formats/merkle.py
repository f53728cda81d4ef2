"""CometBFT's simple Merkle tree (``crypto/merkle``, v0.38), byte for byte.

Header hashes, validator-set hashes and the Cosmos SDK multistore root are all roots of this
tree, so a single byte of difference makes every real light client reject our headers. The rules,
as CometBFT states them:

- ``hash.go``: the empty tree hashes to sha256(""); a leaf to sha256(0x00 ‖ item); an inner node
  to sha256(0x01 ‖ left ‖ right) (RFC 6962's domain separation).
- ``tree.go``: n > 1 items split at the largest power of two strictly below n.
- ``proof.go``: a proof carries the item count, the index, the leaf hash and the "aunts", the
  sibling hashes from the leaf's sibling up to the root's child; verification rejects an index
  out of range, a leaf hash that is not the item's, and too few or too many aunts; a proof read
  off the wire (``ValidateBasic``) also has 32-byte hashes and at most 100 aunts.

Everything here is iterative: the tree is built level by level (pairing neighbours and carrying
an odd last node up unchanged gives the same tree as the recursive split, which CometBFT's own
``HashFromByteSlicesIterative`` relies on), so 10^6 leaves cost O(n) hashes and no recursion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from relayer_sim.formats.varint import length_prefixed

LEAF_PREFIX = b"\x00"
INNER_PREFIX = b"\x01"
HASH_SIZE = 32
MAX_AUNTS = 100  # proof.go: a tree of 2^100 leaves, bounds what a proof off the wire may claim
EMPTY_HASH = hashlib.sha256(b"").digest()


class MerkleError(ValueError):
    """A proof that does not prove, or an input the tree cannot take."""


def leaf_hash(item: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + item).digest()


def inner_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(INNER_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The size of the left subtree of n items: the largest power of two below n (0 for 1)."""
    if n < 1:
        raise MerkleError(f"cannot split a tree of {n} items")
    k = 1 << (n.bit_length() - 1)
    return k >> 1 if k == n else k


def _levels(items: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaf hashes first, the root's level (one hash) last."""
    level = [leaf_hash(item) for item in items]
    levels = [level]
    sha = hashlib.sha256
    while len(level) > 1:
        parents = [
            sha(INNER_PREFIX + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            parents.append(level[-1])
        level = parents
        levels.append(level)
    return levels


def hash_from_byte_slices(items: Sequence[bytes]) -> bytes:
    """The root over ``items`` in order (CometBFT's ``HashFromByteSlices``)."""
    if not items:
        return EMPTY_HASH
    return _levels(items)[-1][0]


@dataclass(frozen=True)
class Proof:
    """An inclusion proof as CometBFT makes it (``proof.go``), aunts ordered leaf-upward."""

    total: int
    index: int
    leaf_hash: bytes
    aunts: tuple[bytes, ...]

    def validate_basic(self) -> None:
        """The shape checks CometBFT applies to a proof decoded from the wire."""
        if self.total < 0:
            raise MerkleError(f"proof total {self.total} is negative")
        if self.index < 0:
            raise MerkleError(f"proof index {self.index} is negative")
        if len(self.leaf_hash) != HASH_SIZE:
            raise MerkleError(f"leaf hash has {len(self.leaf_hash)} bytes, expected {HASH_SIZE}")
        if len(self.aunts) > MAX_AUNTS:
            raise MerkleError(f"proof has {len(self.aunts)} aunts, at most {MAX_AUNTS} allowed")
        for i, aunt in enumerate(self.aunts):
            if len(aunt) != HASH_SIZE:
                raise MerkleError(f"aunt {i} has {len(aunt)} bytes, expected {HASH_SIZE}")

    def compute_root_hash(self) -> bytes:
        """The root this proof leads to from its leaf hash; raises if the aunts do not fit."""
        index, total = self.index, self.total
        if total <= 0 or not 0 <= index < total:
            raise MerkleError(f"proof index {index} is out of range for {total} items")
        # Walk down from the root as CometBFT's recursion does, noting at each level whether
        # the leaf is in the left subtree; the root's child is the last aunt, the sibling first.
        is_left: list[bool] = []
        while total > 1:
            if len(is_left) == len(self.aunts):
                raise MerkleError(
                    f"proof has {len(self.aunts)} aunts, too few for index {self.index} "
                    f"of {self.total} items"
                )
            k = split_point(total)
            is_left.append(index < k)
            if index < k:
                total = k
            else:
                index, total = index - k, total - k
        if len(is_left) != len(self.aunts):
            raise MerkleError(
                f"proof has {len(self.aunts)} aunts, index {self.index} of {self.total} items "
                f"takes {len(is_left)}"
            )
        node = self.leaf_hash
        for aunt, left in zip(self.aunts, reversed(is_left), strict=True):
            node = inner_hash(node, aunt) if left else inner_hash(aunt, node)
        return node

    def verify(self, root: bytes, leaf: bytes) -> None:
        """Raise ``MerkleError`` unless this proof shows ``leaf`` under ``root``."""
        if self.total < 0:
            raise MerkleError(f"proof total {self.total} is negative")
        if self.index < 0:
            raise MerkleError(f"proof index {self.index} is negative")
        expected = leaf_hash(leaf)
        if self.leaf_hash != expected:
            raise MerkleError(
                f"proof's leaf hash {self.leaf_hash.hex()} is not the leaf's {expected.hex()}"
            )
        computed = self.compute_root_hash()
        if computed != root:
            raise MerkleError(f"proof leads to root {computed.hex()}, expected {root.hex()}")


def proofs_from_byte_slices(items: Sequence[bytes]) -> tuple[bytes, list[Proof]]:
    """The root over ``items`` and one proof per item, in order (``ProofsFromByteSlices``)."""
    if not items:
        return EMPTY_HASH, []
    levels = _levels(items)
    proofs = []
    for i in range(len(items)):
        aunts = []
        j = i
        for level in levels[:-1]:
            sibling = j ^ 1
            if sibling < len(level):  # the odd last node of a level has no sibling there
                aunts.append(level[sibling])
            j >>= 1
        proofs.append(Proof(len(items), i, levels[0][i], tuple(aunts)))
    return levels[-1][0], proofs


def kv_pair_bytes(key: bytes, value: bytes) -> bytes:
    """A key/value leaf as the SDK encodes it (``store/internal/maps`` ``KVPair.Bytes``).

    Each part is prefixed with its length as an unsigned varint (Go's ``binary.PutUvarint``).
    """
    return length_prefixed(key) + length_prefixed(value)


def hash_from_map(entries: Mapping[bytes, bytes]) -> bytes:
    """The SDK's ``HashFromMap``: the root over ``kv_pair_bytes(key, sha256(value))``, by key.

    The multistore's app hash is this over store name → store root. The value is hashed before
    encoding (``maps.go`` hashes it on insertion); keys sort as bytes; an empty key is refused,
    as the SDK refuses it.
    """
    if b"" in entries:
        raise MerkleError("a map entry has an empty key")
    return hash_from_byte_slices(
        [
            kv_pair_bytes(key, hashlib.sha256(value).digest())
            for key, value in sorted(entries.items())
        ]
    )
