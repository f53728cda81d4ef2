"""The counterparty's application state: sorted key/values committed per block into a Merkle root.

Writes collect between blocks and are committed with the next block; every committed height keeps
a snapshot (shared while nothing changes) so that relayers can ask for a proof at any height they
could have a consensus state for.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.merkle import MerkleTree, encode_proof


@lru_cache(maxsize=64)
def _tree(snapshot: _Snapshot) -> MerkleTree:
    return MerkleTree(snapshot.items)


class _Snapshot:
    """A committed, immutable view of the state (hashable by identity for the tree cache)."""

    def __init__(self, items: Mapping[bytes, bytes]) -> None:
        self.items: Mapping[bytes, bytes] = MappingProxyType(dict(items))


class AppState:
    """Pending writes plus one snapshot per committed height."""

    def __init__(self) -> None:
        self._current: dict[bytes, bytes] = {}
        self._dirty = True
        self._snapshots: dict[Height, _Snapshot] = {}
        self._latest: _Snapshot | None = None

    def write(self, key: bytes, value: bytes) -> None:
        """Set ``key`` in the next committed block."""
        if not value:
            raise ValueError("values must be non-empty (an empty value cannot be proven)")
        self._current[key] = value
        self._dirty = True

    def delete(self, key: bytes) -> None:
        """Remove ``key`` in the next committed block."""
        if self._current.pop(key, None) is not None:
            self._dirty = True

    def get(self, key: bytes) -> bytes | None:
        """The value as it will be committed (pending writes included)."""
        return self._current.get(key)

    def commit(self, at: Height) -> bytes:
        """Commit the pending writes as the state of height ``at``; return the app hash."""
        if self._dirty or self._latest is None:
            self._latest = _Snapshot(self._current)
            self._dirty = False
        self._snapshots[at] = self._latest
        return _tree(self._latest).root

    def root(self, at: Height) -> bytes:
        return _tree(self._snapshot(at)).root

    def value(self, key: bytes, at: Height) -> bytes | None:
        return self._snapshot(at).items.get(key)

    def prove(self, key: bytes, at: Height) -> bytes:
        """An encoded existence or non-existence proof of ``key`` in the state of ``at``."""
        return encode_proof(_tree(self._snapshot(at)).prove(key))

    def forged(self, at: Height, writes: Mapping[bytes, bytes]) -> MerkleTree:
        """The state of ``at`` with ``writes`` applied, never committed: what a coalition
        signing a fork can claim as its app hash, and prove against."""
        return MerkleTree({**self._snapshot(at).items, **writes})

    def _snapshot(self, at: Height) -> _Snapshot:
        try:
            return self._snapshots[at]
        except KeyError:
            raise KeyError(f"no state committed at {at}") from None
