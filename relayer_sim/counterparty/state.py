"""The sim-tendermint counterparty's application state: sorted key/values committed per block
into a Merkle root (``relayer_sim.lightclient.merkle``), keyed by the joined merkle path.

Writes collect between blocks and are committed with the next block; every committed height keeps
a snapshot (shared while nothing changes) so that relayers can ask for a proof at any height they
could have a consensus state for, until the chain prunes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from relayer_sim.counterparty.wire.base import KeyPath
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.merkle import MerkleTree, encode_proof
from relayer_sim.lightclient.paths import merkle_key


@lru_cache(maxsize=64)
def _tree(snapshot: _Snapshot) -> MerkleTree:
    return MerkleTree(snapshot.items)


class _Snapshot:
    """A committed, immutable view of the state (hashable by identity for the tree cache)."""

    def __init__(self, items: Mapping[bytes, bytes]) -> None:
        self.items: Mapping[bytes, bytes] = MappingProxyType(dict(items))


class ForgedTree:
    """A tree never committed, proving by merkle path."""

    def __init__(self, tree: MerkleTree) -> None:
        self._tree = tree

    @property
    def root(self) -> bytes:
        return self._tree.root

    def prove(self, path: KeyPath) -> bytes:
        return encode_proof(self._tree.prove(merkle_key(path)))


class AppState:
    """Pending writes plus one snapshot per committed height."""

    def __init__(self) -> None:
        self._current: dict[bytes, bytes] = {}
        self._dirty = True
        self._snapshots: dict[Height, _Snapshot] = {}
        self._latest: _Snapshot | None = None

    def write(self, path: KeyPath, value: bytes) -> None:
        """Set ``path`` in the next committed block."""
        if not value:
            raise ValueError("values must be non-empty (an empty value cannot be proven)")
        self._current[merkle_key(path)] = value
        self._dirty = True

    def delete(self, path: KeyPath) -> None:
        """Remove ``path`` in the next committed block."""
        if self._current.pop(merkle_key(path), None) is not None:
            self._dirty = True

    def get(self, path: KeyPath) -> bytes | None:
        """The value as it will be committed (pending writes included)."""
        return self._current.get(merkle_key(path))

    def commit(self, at: Height) -> bytes:
        """Commit the pending writes as the state of height ``at``; return the app hash."""
        if self._dirty or self._latest is None:
            self._latest = _Snapshot(self._current)
            self._dirty = False
        self._snapshots[at] = self._latest
        return _tree(self._latest).root

    def value(self, path: KeyPath, at: Height) -> bytes | None:
        return self._snapshot(at).items.get(merkle_key(path))

    def prove(self, path: KeyPath, at: Height) -> bytes:
        """An encoded existence or non-existence proof of ``path`` in the state of ``at``."""
        return encode_proof(_tree(self._snapshot(at)).prove(merkle_key(path)))

    def forged(self, at: Height, writes: Mapping[KeyPath, bytes]) -> ForgedTree:
        """The state of ``at`` with ``writes`` applied, never committed: what a coalition
        signing a fork can claim as its app hash, and prove against."""
        flat = {merkle_key(path): value for path, value in writes.items()}
        return ForgedTree(MerkleTree({**self._snapshot(at).items, **flat}))

    def prune(self, below: Height) -> None:
        # Heights are committed in increasing order, so the dict's oldest entries go first.
        while self._snapshots:
            oldest = next(iter(self._snapshots))
            if oldest >= below:
                break
            del self._snapshots[oldest]

    def _snapshot(self, at: Height) -> _Snapshot:
        try:
            return self._snapshots[at]
        except KeyError:
            raise KeyError(f"no state committed at {at}") from None
