"""The kept-up-to-date Merkle tree gives the bytes of the RFC 9162 definition, change by change."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from relayer_sim.lightclient.merkle import (
    EMPTY_TREE_HASH,
    ExistenceProof,
    LeafProof,
    MerkleTree,
    NonExistenceProof,
    Proof,
    encode_proof,
    inner_hash,
    leaf_hash,
    sized_root,
)


def _split(count: int) -> int:
    return 1 << ((count - 1).bit_length() - 1)


def _tree_hash(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return EMPTY_TREE_HASH
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return inner_hash(_tree_hash(leaves[:k]), _tree_hash(leaves[k:]))


def _path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(leaves[:k], index), _tree_hash(leaves[k:])]
    return [*_path(leaves[k:], index - k), _tree_hash(leaves[:k])]


def reference_root(items: dict[bytes, bytes]) -> bytes:
    """The definition, recomputed from scratch (RFC 9162 §2.1.1 with the leaf count)."""
    keys = sorted(items)
    return sized_root(len(keys), _tree_hash([leaf_hash(k, items[k]) for k in keys]))


def reference_proof(items: dict[bytes, bytes], key: bytes) -> Proof:
    keys = sorted(items)
    leaves = [leaf_hash(k, items[k]) for k in keys]

    def leaf(index: int) -> LeafProof:
        value_hash = hashlib.sha256(items[keys[index]]).digest()
        path = tuple(_path(leaves, index))
        return LeafProof(keys[index], value_hash, index, len(keys), path)

    below = [i for i, k in enumerate(keys) if k < key]
    index = len(below)
    if index < len(keys) and keys[index] == key:
        return ExistenceProof(leaf(index))
    left = leaf(index - 1) if index > 0 else None
    right = leaf(index) if index < len(keys) else None
    return NonExistenceProof(len(keys), left, right)


def test_changes_give_the_roots_and_proofs_of_the_definition() -> None:
    rng = random.Random(13)
    for _ in range(150):
        items: dict[bytes, bytes] = {}
        tree = MerkleTree({})
        for _ in range(rng.randint(1, 10)):
            changes: dict[bytes, bytes | None] = {}
            for _ in range(rng.randint(0, 9)):
                key = bytes([rng.randint(0, 40)])
                changes[key] = None if rng.random() < 0.3 else rng.randbytes(2)
            tree.apply(changes)
            for key, value in changes.items():
                if value is None:
                    items.pop(key, None)
                else:
                    items[key] = value
            assert tree.root == reference_root(items) == MerkleTree(items).root
            assert len(tree) == len(items)
            for probe in range(42):
                key = bytes([probe])
                expected = encode_proof(reference_proof(items, key))
                assert encode_proof(tree.prove(key)) == expected


def test_a_grown_tree_matches_one_built_at_once() -> None:
    tree = MerkleTree({})
    items: dict[bytes, bytes] = {}
    for sequence in range(1, 600):
        key = f"sequences/{sequence}".encode()
        items[key] = sequence.to_bytes(4, "big")
        tree.apply({key: items[key]})
    assert tree.root == reference_root(items)
    for key in (b"sequences/1", b"sequences/300", b"sequences/599", b"sequences/3000"):
        assert encode_proof(tree.prove(key)) == encode_proof(reference_proof(items, key))


def test_many_changes_at_once_rebuild_to_the_same_tree() -> None:
    items = {f"k/{n}".encode(): bytes([n % 251 + 1]) for n in range(700)}
    tree = MerkleTree({b"k/5": b"x", b"z": b"y"})
    tree.apply({**items, b"z": None})
    assert tree.root == reference_root(items)
    assert encode_proof(tree.prove(b"k/5")) == encode_proof(reference_proof(items, b"k/5"))
