"""The ``tendermint`` counterparty's application state, as a Cosmos SDK chain commits it: one IAVL
tree per module store, the app hash the multistore root over them, and proofs as ibc-go's
``MerkleProof`` (the key's ICS-23 proof in its store, then the store's in the app hash).

Every store saves a version each block, as the SDK does, so a height maps to one version of all
stores; a write costs O(log n) (the tree copies one path), a proof O(log n), and pruning a height
drops its versions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from relayer_sim.counterparty.wire.base import KeyPath
from relayer_sim.formats import multistore
from relayer_sim.formats.iavl import IavlTree
from relayer_sim.formats.proto.cosmos.ics23.v1 import proofs_pb2
from relayer_sim.lightclient.headers import Height

#: The module stores mounted besides the IBC store: ``upgrade`` holds what light clients prove of
#: upgrades; the others stand for the rest of an SDK application (empty here), so that a store
#: proof has the depth a real chain's has.
OTHER_STORES: Final = ("acc", "bank", "distribution", "gov", "params", "staking", "upgrade")


def _split(path: KeyPath, stores: Collection[str]) -> tuple[str, bytes]:
    if len(path) != 2:
        raise ValueError(f"a multistore path is a store name and a key, got {len(path)} elements")
    store = path[0].decode()
    if store not in stores:
        raise ValueError(f"no store {store!r} is mounted (mounted: {', '.join(stores)})")
    return store, path[1]


def _merkle_proof(
    tree: IavlTree, key: bytes, version: int, store: str, roots: Mapping[str, bytes]
) -> bytes:
    inner: proofs_pb2.CommitmentProof
    if tree.get(key, version) is None:
        inner = tree.non_existence_proof(key, version)
    else:
        inner = tree.existence_proof(key, version)
    proof = multistore.chain_proof(inner, roots, store)
    return proof.SerializeToString(deterministic=True)


class ForgedStores:
    """The stores of a committed height with writes applied, never committed: each store is
    read from its tree at its version (a written store from a branch saved one version on)."""

    def __init__(self, stores: Mapping[str, tuple[IavlTree, int]]) -> None:
        self._stores = stores
        self._roots = {name: tree.root_hash(version) for name, (tree, version) in stores.items()}

    @property
    def root(self) -> bytes:
        return multistore.app_hash(self._roots)

    def prove(self, path: KeyPath) -> bytes:
        store, key = _split(path, self._stores)
        tree, version = self._stores[store]
        return _merkle_proof(tree, key, version, store, self._roots)


class MultiStoreState:
    """Pending writes in the stores' working trees; one saved version per committed height."""

    def __init__(self, ibc_store: str = "ibc") -> None:
        """``ibc_store``: the IBC store's name, the chain's commitment prefix."""
        names = sorted({*OTHER_STORES, ibc_store})
        self._trees = {name: IavlTree() for name in names}
        #: Committed height -> (the stores' version, the stores' roots).
        self._heights: dict[Height, tuple[int, dict[str, bytes]]] = {}

    def write(self, path: KeyPath, value: bytes) -> None:
        store, key = _split(path, self._trees)
        self._trees[store].set(key, value)

    def delete(self, path: KeyPath) -> None:
        store, key = _split(path, self._trees)
        self._trees[store].remove(key)

    def get(self, path: KeyPath) -> bytes | None:
        store, key = _split(path, self._trees)
        return self._trees[store].get(key)

    def commit(self, at: Height) -> bytes:
        roots = {}
        version = 0
        for name, tree in self._trees.items():
            version, roots[name] = tree.save_version()
        self._heights[at] = (version, roots)
        return multistore.app_hash(roots)

    def _committed(self, at: Height) -> tuple[int, dict[str, bytes]]:
        try:
            return self._heights[at]
        except KeyError:
            raise KeyError(f"no state committed at {at}, or it was pruned") from None

    def value(self, path: KeyPath, at: Height) -> bytes | None:
        store, key = _split(path, self._trees)
        version, _ = self._committed(at)
        return self._trees[store].get(key, version)

    def prove(self, path: KeyPath, at: Height) -> bytes:
        store, key = _split(path, self._trees)
        version, roots = self._committed(at)
        return _merkle_proof(self._trees[store], key, version, store, roots)

    def forged(self, at: Height, writes: Mapping[KeyPath, bytes]) -> ForgedStores:
        version, _ = self._committed(at)
        stores = {name: (tree, version) for name, tree in self._trees.items()}
        branches: dict[str, IavlTree] = {}
        for path, value in writes.items():
            store, key = _split(path, self._trees)
            branch = branches.get(store)
            if branch is None:
                branch = branches[store] = self._trees[store].branch(version)
            branch.set(key, value)
        for store, branch in branches.items():
            stores[store] = (branch, branch.save_version()[0])
        return ForgedStores(stores)

    def prune(self, below: Height) -> None:
        """Drop the heights below ``below`` and their store versions."""
        oldest_kept: int | None = None
        while self._heights:
            oldest = next(iter(self._heights))
            if oldest >= below:
                oldest_kept = self._heights[oldest][0]
                break
            del self._heights[oldest]
        if oldest_kept is not None:
            for tree in self._trees.values():
                tree.prune(oldest_kept)
