"""The sim-tendermint counterparty's application state: sorted key/values committed per block
into a Merkle root (``relayer_sim.lightclient.merkle``), keyed by the joined merkle path.

Writes collect between blocks and are committed with the next block. The state is versioned
without a copy per block: the tree of the latest version is kept up to date (a commit re-hashes
what its changes touch), and each key keeps the history of its values over the heights still
retained, so that relayers can ask for a value or a proof at any height they could have a
consensus state for, until the chain prunes it. A key unchanged over every retained version
keeps no history: its value in each is the latest tree's. A proof at an older height rebuilds that
version's tree (a few are kept); pruning forgets the history, and those trees, below a height.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict, deque
from collections.abc import Mapping

from relayer_sim.counterparty.heights import HeightIndex
from relayer_sim.counterparty.wire.base import KeyPath
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.merkle import MerkleTree, encode_proof
from relayer_sim.lightclient.paths import merkle_key

#: Trees of older versions rebuilt for proofs, kept for the next proof at the same height.
OLD_TREES = 4


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
    """Pending writes, the latest committed tree, and per-key history of the retained versions.

    Versions are numbered by commits that changed something; a height names the version it
    committed (several heights share one while nothing changes)."""

    def __init__(self) -> None:
        self._pending: dict[bytes, bytes | None] = {}
        self._tree = MerkleTree({})
        #: The latest committed version (0: the empty state, before any commit).
        self._version = 0
        #: Committed height → its version, oldest first.
        self._heights = HeightIndex()
        #: Key → its values from the oldest retained version on: (version, value or None),
        #: for the keys changed since; the first is at version 0 if it held a value before.
        self._history: dict[bytes, list[tuple[int, bytes | None]]] = {}
        #: The keys each retained version changed, oldest first (what pruning walks).
        self._changed: deque[tuple[int, tuple[bytes, ...]]] = deque()
        self._old_trees: OrderedDict[int, MerkleTree] = OrderedDict()

    def write(self, path: KeyPath, value: bytes) -> None:
        """Set ``path`` in the next committed block."""
        if not value:
            raise ValueError("values must be non-empty (an empty value cannot be proven)")
        self._pending[merkle_key(path)] = value

    def delete(self, path: KeyPath) -> None:
        """Remove ``path`` in the next committed block."""
        key = merkle_key(path)
        if self.get(path) is not None:
            self._pending[key] = None
        else:
            self._pending.pop(key, None)

    def get(self, path: KeyPath) -> bytes | None:
        """The value as it will be committed (pending writes included)."""
        key = merkle_key(path)
        if key in self._pending:
            return self._pending[key]
        return self._tree.get(key)

    def commit(self, at: Height) -> bytes:
        """Commit the pending writes as the state of height ``at``; return the app hash."""
        tree = self._tree
        changes = {key: value for key, value in self._pending.items() if tree.get(key) != value}
        self._pending = {}
        if changes:
            self._version += 1
            version = self._version
            for key, value in changes.items():
                history = self._history.get(key)
                if history is None:
                    before = tree.get(key)
                    history = self._history[key] = [] if before is None else [(0, before)]
                history.append((version, value))
            tree.apply(changes)
            self._changed.append((version, tuple(changes)))
        self._heights.append(at, self._version)
        return tree.root

    def value(self, path: KeyPath, at: Height) -> bytes | None:
        version, key = self._version_of(at), merkle_key(path)
        if version == self._version:
            return self._tree.get(key)
        return self._value_at(key, version)

    def prove(self, path: KeyPath, at: Height) -> bytes:
        """An encoded existence or non-existence proof of ``path`` in the state of ``at``."""
        return encode_proof(self._tree_at(self._version_of(at)).prove(merkle_key(path)))

    def forged(self, at: Height, writes: Mapping[KeyPath, bytes]) -> ForgedTree:
        """The state of ``at`` with ``writes`` applied, never committed: what a coalition
        signing a fork can claim as its app hash, and prove against."""
        flat = {merkle_key(path): value for path, value in writes.items()}
        items = self._items_at(self._version_of(at))
        return ForgedTree(MerkleTree({**items, **flat}))

    def prune(self, below: Height) -> None:
        """Forget every height below ``below``, and what only they needed."""
        self._heights.prune(below)
        floor = self._heights.oldest_value()
        if floor is None:
            floor = self._version
        for version in [v for v in self._old_trees if v < floor]:
            del self._old_trees[version]
        changed = self._changed
        while changed and changed[0][0] <= floor:
            version, keys = changed.popleft()
            for key in keys:
                self._forget(key, floor)

    def _forget(self, key: bytes, floor: int) -> None:
        """Drop the values of ``key`` no version from ``floor`` on can see, and its history if
        it has not changed since ``floor``."""
        history = self._history.get(key)
        if history is None:
            return
        seen = bisect_right(history, floor, key=lambda entry: entry[0])
        if seen > 1:
            del history[: seen - 1]
        if len(history) == 1 and history[0][0] <= floor:
            del self._history[key]

    def _version_of(self, at: Height) -> int:
        version = self._heights.get(at)
        if version is None:
            raise KeyError(f"no state committed at {at}")
        return version

    def _value_at(self, key: bytes, version: int) -> bytes | None:
        history = self._history.get(key)
        if history is None:
            return self._tree.get(key)
        seen = bisect_right(history, version, key=lambda entry: entry[0])
        return history[seen - 1][1] if seen else None

    def _items_at(self, version: int) -> Mapping[bytes, bytes]:
        if version == self._version:
            return self._tree.items()
        items = dict(self._tree.items())
        for key in self._history:
            value = self._value_at(key, version)
            if value is None:
                items.pop(key, None)
            else:
                items[key] = value
        return items

    def _tree_at(self, version: int) -> MerkleTree:
        if version == self._version:
            return self._tree
        tree = self._old_trees.get(version)
        if tree is None:
            tree = self._old_trees[version] = MerkleTree(self._items_at(version))
            if len(self._old_trees) > OLD_TREES:
                self._old_trees.popitem(last=False)
        else:
            self._old_trees.move_to_end(version)
        return tree
