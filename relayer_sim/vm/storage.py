"""Contract storage as the VM sees it, and the overlay that makes every call all-or-nothing.

A contract's writes first go to a ``WriteBuffer`` over the caller's storage; the VM applies the
buffer only when the call succeeds, so a trap, an abort or a contract error leaves the caller's
storage exactly as it was.

Iterators are cursors over the live sorted key lists: each step finds its successor by
bisection, so an open iterator holds no copy of its range (a contract may keep thousands open).
A pair is read when the iterator reaches it, so a key removed or changed before then is skipped
or seen with its new value; keys added while an iterator is open may or may not be seen (as in
the SDK, writing to a range while iterating over it has no promised order).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator
from typing import Protocol

Pair = tuple[bytes, bytes]


class Storage(Protocol):
    """What a contract's storage must offer (``scan`` yields sorted pairs, ``end`` exclusive)."""

    def get(self, key: bytes) -> bytes | None: ...

    def set(self, key: bytes, value: bytes) -> None: ...

    def delete(self, key: bytes) -> None: ...

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]: ...


def walk(
    keys: list[bytes], start: bytes | None, end: bytes | None, ascending: bool
) -> Iterator[bytes]:
    """The keys of the sorted list ``keys`` in ``[start, end)``, re-found by bisection at every
    step so that the walk copies nothing and survives insertions and deletions."""
    if ascending:
        index = 0 if start is None else bisect.bisect_left(keys, start)
        while index < len(keys) and (end is None or keys[index] < end):
            key = keys[index]
            yield key
            index = bisect.bisect_right(keys, key)
    else:
        index = (len(keys) if end is None else bisect.bisect_left(keys, end)) - 1
        while index >= 0 and (start is None or keys[index] >= start):
            key = keys[index]
            yield key
            index = bisect.bisect_left(keys, key) - 1


def prefix_end(prefix: bytes) -> bytes | None:
    """The first key above every key that starts with ``prefix`` (``None``: no such key)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


class PrefixStore:
    """The keys of ``parent`` under ``prefix``, seen without it: a module's part of a larger
    store, or a client's store inside the host's."""

    def __init__(self, parent: Storage, prefix: bytes) -> None:
        # A prefix of a prefix store is one prefix of the store below: one layer per access
        # instead of two (a client's store is the host's ``ibc/`` store's ``clients/…/``).
        if isinstance(parent, PrefixStore):
            prefix = parent.prefix + prefix
            parent = parent.parent
        self.parent: Storage = parent
        self.prefix: bytes = prefix

    def get(self, key: bytes) -> bytes | None:
        return self.parent.get(self.prefix + key)

    def set(self, key: bytes, value: bytes) -> None:
        self.parent.set(self.prefix + key, value)

    def delete(self, key: bytes) -> None:
        self.parent.delete(self.prefix + key)

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        low = self.prefix if start is None else self.prefix + start
        high = prefix_end(self.prefix) if end is None else self.prefix + end
        # Open the parent's scan now, not at the first ``next``: a gas-metered parent charges
        # for the seek when the iterator is created, as the SDK does.
        return self._strip(self.parent.scan(low, high, ascending))

    def _strip(self, pairs: Iterator[Pair]) -> Iterator[Pair]:
        size = len(self.prefix)
        for key, value in pairs:
            yield key[size:], value


class MemoryStorage:
    """An in-memory sorted key/value store."""

    def __init__(self, items: dict[bytes, bytes] | None = None) -> None:
        self._values: dict[bytes, bytes] = {}
        self._keys: list[bytes] = []
        for key, value in sorted((items or {}).items()):
            self.set(key, value)

    def get(self, key: bytes) -> bytes | None:
        return self._values.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        if key not in self._values:
            bisect.insort(self._keys, key)
        self._values[key] = value

    def delete(self, key: bytes) -> None:
        if self._values.pop(key, None) is not None:
            del self._keys[bisect.bisect_left(self._keys, key)]

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        for key in walk(self._keys, start, end, ascending):
            yield key, self._values[key]

    def items(self) -> dict[bytes, bytes]:
        """A copy of every entry, for tests and snapshots."""
        return dict(self._values)

    def __len__(self) -> int:
        return len(self._values)


class WriteBuffer:
    """Buffers writes over a base storage; reads see the buffered view; ``apply`` commits it."""

    def __init__(self, base: Storage) -> None:
        self._base = base
        self._pending: dict[bytes, bytes | None] = {}
        self._pending_keys: list[bytes] = []

    @property
    def base(self) -> Storage:
        """The store the overlay lies over."""
        return self._base

    def get(self, key: bytes) -> bytes | None:
        if key in self._pending:
            return self._pending[key]
        return self._base.get(key)

    def _put(self, key: bytes, value: bytes | None) -> None:
        if key not in self._pending:
            bisect.insort(self._pending_keys, key)
        self._pending[key] = value

    def set(self, key: bytes, value: bytes) -> None:
        self._put(key, value)

    def delete(self, key: bytes) -> None:
        self._put(key, None)

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        """Merge the base's pairs with the pending writes; pending entries win, deletions hide."""
        if not self._pending_keys:
            # Nothing pending (most scans, e.g. every query's): no merge to make.
            return self._base_scan(start, end, ascending)
        return self._merged_scan(start, end, ascending)

    def _base_scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        """The base's pairs, each checked against what was written since the scan opened: a
        change or deletion is honoured; a key added since is not seen (which the module allows)."""
        pending = self._pending
        for key, value in self._base.scan(start, end, ascending):
            if key in pending:
                changed = pending[key]
                if changed is None:
                    continue
                value = changed
            yield key, value

    def _merged_scan(
        self, start: bytes | None, end: bytes | None, ascending: bool
    ) -> Iterator[Pair]:
        # On equal keys the pending entry must come first: rank it first in the merge order. A
        # pending entry's value is looked up when it is reached, so the walk copies nothing.
        pending_rank, base_rank = (0, 1) if ascending else (1, 0)
        pending: Iterator[tuple[bytes, int, bytes | None]] = (
            (key, pending_rank, None) for key in walk(self._pending_keys, start, end, ascending)
        )
        merged = heapq.merge(
            pending,
            ((key, base_rank, value) for key, value in self._base.scan(start, end, ascending)),
            key=lambda item: item[:2],
            reverse=not ascending,
        )
        last: bytes | None = None
        for key, _rank, base_value in merged:
            if key == last:
                continue
            last = key
            value = self._pending.get(key, base_value)
            if value is not None:
                yield key, value

    def changes(self) -> list[tuple[bytes, bytes | None]]:
        """The pending sets and deletes (``None``) in key order."""
        return [(key, self._pending[key]) for key in self._pending_keys]

    def apply(self) -> None:
        """Write every pending change through to the base storage, in key order."""
        for key, value in self.changes():
            if value is None:
                self._base.delete(key)
            else:
                self._base.set(key, value)
        self.discard()

    def discard(self) -> None:
        """Drop every pending change; the base never sees them."""
        self._pending.clear()
        self._pending_keys.clear()
