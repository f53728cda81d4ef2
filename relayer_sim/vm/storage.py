"""Contract storage as the VM sees it, and the overlay that makes every call all-or-nothing.

A contract's writes first go to a ``WriteBuffer`` over the caller's storage; the VM applies the
buffer only when the call succeeds, so a trap, an abort or a contract error leaves the caller's
storage exactly as it was.
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


def _in_range(key: bytes, start: bytes | None, end: bytes | None) -> bool:
    return (start is None or key >= start) and (end is None or key < end)


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
        self._parent = parent
        self._prefix = prefix

    def get(self, key: bytes) -> bytes | None:
        return self._parent.get(self._prefix + key)

    def set(self, key: bytes, value: bytes) -> None:
        self._parent.set(self._prefix + key, value)

    def delete(self, key: bytes) -> None:
        self._parent.delete(self._prefix + key)

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        low = self._prefix if start is None else self._prefix + start
        high = prefix_end(self._prefix) if end is None else self._prefix + end
        # Open the parent's scan now, not at the first ``next``: a gas-metered parent charges
        # for the seek when the iterator is created, as the SDK does.
        return self._strip(self._parent.scan(low, high, ascending))

    def _strip(self, pairs: Iterator[Pair]) -> Iterator[Pair]:
        size = len(self._prefix)
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
        low = 0 if start is None else bisect.bisect_left(self._keys, start)
        high = len(self._keys) if end is None else bisect.bisect_left(self._keys, end)
        keys = self._keys[low:high]
        for key in keys if ascending else reversed(keys):
            value = self._values.get(key)
            if value is not None:
                yield key, value

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

    def get(self, key: bytes) -> bytes | None:
        if key in self._pending:
            return self._pending[key]
        return self._base.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def delete(self, key: bytes) -> None:
        self._pending[key] = None

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        """Merge the base's pairs with the pending writes; pending entries win, deletions hide."""
        pending = sorted(
            ((key, value) for key, value in self._pending.items() if _in_range(key, start, end)),
            reverse=not ascending,
        )
        # On equal keys the pending entry must come first: rank it first in the merge order.
        pending_rank, base_rank = (0, 1) if ascending else (1, 0)
        merged = heapq.merge(
            ((key, pending_rank, value) for key, value in pending),
            ((key, base_rank, value) for key, value in self._base.scan(start, end, ascending)),
            key=lambda item: item[:2],
            reverse=not ascending,
        )
        last: bytes | None = None
        for key, _rank, value in merged:
            if key == last:
                continue
            last = key
            if value is not None:
                yield key, value

    def changes(self) -> list[tuple[bytes, bytes | None]]:
        """The pending sets and deletes (``None``) in key order."""
        return sorted(self._pending.items())

    def apply(self) -> None:
        """Write every pending change through to the base storage, in key order."""
        for key, value in self.changes():
            if value is None:
                self._base.delete(key)
            else:
                self._base.set(key, value)
        self._pending.clear()

    def discard(self) -> None:
        """Drop every pending change; the base never sees them."""
        self._pending.clear()
