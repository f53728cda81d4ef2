"""The host's committed key/values, packed: a month of client updates in bounded memory.

A light client keeps its consensus states for the trusting period (14 days: some 200,000
updates at one per block, four keys each). As Python ``bytes`` in a dict and a sorted key list,
an entry costs about three times its bytes. Here the latest writes stay in such a dict (they are
the ones read again), and every ``FLUSH_AT`` writes (or ``DELETIONS_AT`` deletions, which scans
must step over) they move into sorted chunks of up to
``CHUNK`` entries, each chunk its keys (less their common prefix) and values in one
zlib-compressed ``bytes`` (consecutive consensus states share most of their bytes: a third of
the size), and an array of offsets. The last ``OPEN`` chunks read stay decompressed. Reads and
scans see exactly what a plain sorted map would, and scans re-find their place at every step,
so that they survive writes as ``MemoryStorage``'s do.
"""

from __future__ import annotations

import bisect
import zlib
from array import array
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Final

from relayer_sim.vm.storage import Pair

#: Entries per packed chunk (a flush re-packs the chunks it changes).
CHUNK: Final = 64
#: Recent writes (deletions included) held unpacked before they are packed.
FLUSH_AT: Final = 4096
#: Deletions of packed keys held before they are packed: every scan steps over the ones in its
#: range (a client prunes its oldest consensus states, where its scans start).
DELETIONS_AT: Final = 64
#: Chunks kept decompressed after a read (the next read is often in the same one).
OPEN: Final = 16


class _Chunk:
    """Sorted pairs in one ``bytes`` (kept compressed in ``packed``, and decompressed in
    ``plain`` while open): for entry ``i``, the key (less ``prefix``) ends at ``ends[2i]`` and
    the value at ``ends[2i + 1]``; each starts where the one before ends."""

    __slots__ = ("ends", "packed", "plain", "prefix")

    def __init__(self, pairs: Sequence[Pair]) -> None:
        self.prefix = _common_prefix(pairs[0][0], pairs[-1][0])
        cut = len(self.prefix)
        parts: list[bytes] = []
        self.ends = array("I")
        offset = 0
        for key, value in pairs:
            offset += len(key) - cut
            self.ends.append(offset)
            offset += len(value)
            self.ends.append(offset)
            parts += (key[cut:], value)
        self.packed = zlib.compress(b"".join(parts), 1)
        self.plain: bytes | None = None

    @property
    def blob(self) -> bytes:
        if self.plain is None:
            self.plain = zlib.decompress(self.packed)
        return self.plain

    def __len__(self) -> int:
        return len(self.ends) // 2

    def suffix(self, index: int) -> bytes:
        start = self.ends[2 * index - 1] if index else 0
        return self.blob[start : self.ends[2 * index]]

    def key(self, index: int) -> bytes:
        return self.prefix + self.suffix(index)

    def value(self, index: int) -> bytes:
        return self.blob[self.ends[2 * index] : self.ends[2 * index + 1]]

    def pairs(self) -> list[Pair]:
        return [(self.key(index), self.value(index)) for index in range(len(self))]

    def position(self, key: bytes, after: bool) -> int:
        """The index of the first entry above ``key`` (``after``) or at or above it."""
        cut = len(self.prefix)
        head = key[:cut]
        if head != self.prefix:
            return 0 if head < self.prefix else len(self)
        find = bisect.bisect_right if after else bisect.bisect_left
        return find(range(len(self)), key[cut:], key=self.suffix)


class PackedStorage:
    """A sorted key/value store (a ``relayer_sim.vm.Storage``) for many long-lived entries."""

    def __init__(self, items: dict[bytes, bytes] | None = None) -> None:
        self._chunks: list[_Chunk] = []
        #: The first key of each chunk.
        self._firsts: list[bytes] = []
        #: Writes not packed yet: a value, or ``None`` for a packed key deleted.
        self._recent: dict[bytes, bytes | None] = {}
        self._recent_keys: list[bytes] = []
        #: How many of ``_recent`` are deletions.
        self._deletions = 0
        #: The chunks read last, decompressed until ``OPEN`` more are.
        self._open: deque[_Chunk] = deque()
        self._merge(sorted((items or {}).items()))

    def get(self, key: bytes) -> bytes | None:
        if key in self._recent:
            return self._recent[key]
        return self._packed_get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self._put(key, value)

    def delete(self, key: bytes) -> None:
        if self._packed_get(key) is not None:
            self._put(key, None)
        elif self._recent.pop(key, None) is not None:
            del self._recent_keys[bisect.bisect_left(self._recent_keys, key)]

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        if ascending:
            return self._walk_up(b"" if start is None else start, end)
        return self._walk_down(start, end)

    def _put(self, key: bytes, value: bytes | None) -> None:
        if key not in self._recent:
            bisect.insort(self._recent_keys, key)
        elif self._recent[key] is None:
            self._deletions -= 1
        self._recent[key] = value
        self._deletions += value is None
        if len(self._recent) >= FLUSH_AT or self._deletions >= DELETIONS_AT:
            self._merge([(key, self._recent[key]) for key in self._recent_keys])
            self._recent.clear()
            self._recent_keys.clear()
            self._deletions = 0

    # -- the packed chunks ------------------------------------------------------------------------

    def _chunk(self, index: int) -> _Chunk:
        """Chunk ``index``, to read: every read goes through here, so that few stay open."""
        chunk = self._chunks[index]
        if chunk.plain is None:
            chunk.plain = zlib.decompress(chunk.packed)
            self._open.append(chunk)
            if len(self._open) > OPEN:
                self._open.popleft().plain = None
        return chunk

    def _packed_get(self, key: bytes) -> bytes | None:
        index = bisect.bisect_right(self._firsts, key) - 1
        if index < 0:
            return None
        chunk = self._chunk(index)
        position = chunk.position(key, after=False)
        if position < len(chunk) and chunk.key(position) == key:
            return chunk.value(position)
        return None

    def _merge(self, changes: Sequence[tuple[bytes, bytes | None]]) -> None:
        """Apply sorted ``changes`` to the chunks, re-packing only the chunks they touch."""
        position = 0
        while position < len(changes):
            index = max(bisect.bisect_right(self._firsts, changes[position][0]) - 1, 0)
            limit = self._firsts[index + 1] if index + 1 < len(self._firsts) else None
            upto = position
            while upto < len(changes) and (limit is None or changes[upto][0] < limit):
                upto += 1
            old = self._chunk(index).pairs() if self._chunks else []
            pairs = _merged(old, changes[position:upto])
            packed = [_Chunk(pairs[at : at + CHUNK]) for at in range(0, len(pairs), CHUNK)]
            span = 1 if self._chunks else 0
            self._chunks[index : index + span] = packed
            self._firsts[index : index + span] = [
                pairs[at][0] for at in range(0, len(pairs), CHUNK)
            ]
            position = upto

    def _packed_at_or_after(self, key: bytes, after: bool) -> tuple[int, int] | None:
        """(chunk, entry) of the first packed key at or above ``key`` (above: ``after``)."""
        index = max(bisect.bisect_right(self._firsts, key) - 1, 0)
        while index < len(self._chunks):
            position = self._chunk(index).position(key, after)
            if position < len(self._chunks[index]):
                return index, position
            index += 1
        return None

    def _packed_before(self, key: bytes | None, inclusive: bool) -> tuple[int, int] | None:
        """(chunk, entry) of the last packed key below ``key`` (or equal: ``inclusive``);
        ``None`` as ``key`` is above every key."""
        if key is None:
            return (len(self._chunks) - 1, len(self._chunks[-1]) - 1) if self._chunks else None
        index = bisect.bisect_right(self._firsts, key) - 1
        while index >= 0:
            position = self._chunk(index).position(key, after=inclusive) - 1
            if position >= 0:
                return index, position
            index -= 1
        return None

    # -- scans ------------------------------------------------------------------------------------

    def _walk_up(self, key: bytes, end: bytes | None) -> Iterator[Pair]:
        after = False
        while True:
            found = self._next_up(key, after)
            if found is None or (end is not None and found[0] >= end):
                return
            yield found
            key, after = found[0], True

    def _next_up(self, key: bytes, after: bool) -> Pair | None:
        """The first visible pair at or above ``key`` (above: ``after``). Deletions not packed
        yet are stepped over one entry at a time, without searching again: a client pruning
        its oldest consensus states leaves a run of them where its scans start."""
        keys = self._recent_keys
        at = (bisect.bisect_right if after else bisect.bisect_left)(keys, key)
        place = self._packed_at_or_after(key, after)
        while True:
            recent = keys[at] if at < len(keys) else None
            packed = None if place is None else self._chunk(place[0]).key(place[1])
            if recent is not None and (packed is None or recent <= packed):
                value = self._recent[recent]
                if value is not None:
                    return recent, value
                at += 1  # deleted: it hides the packed key too
                if recent == packed:
                    place = self._packed_step(place, 1)
                continue
            if place is None or packed is None:
                return None
            return packed, self._chunk(place[0]).value(place[1])

    def _packed_step(self, place: tuple[int, int] | None, step: int) -> tuple[int, int] | None:
        """The packed entry after (``step`` 1) or before (-1) ``place``, if any."""
        if place is None:
            return None
        index, position = place[0], place[1] + step
        if 0 <= position < len(self._chunks[index]):
            return index, position
        index += step
        if not 0 <= index < len(self._chunks):
            return None
        return index, 0 if step > 0 else len(self._chunks[index]) - 1

    def _walk_down(self, start: bytes | None, end: bytes | None) -> Iterator[Pair]:
        key, inclusive = end, False
        while True:
            found = self._next_down(key, inclusive)
            if found is None or (start is not None and found[0] < start):
                return
            yield found
            key = found[0]

    def _next_down(self, key: bytes | None, inclusive: bool) -> Pair | None:
        """The last visible pair below ``key`` (or at it: ``inclusive``; ``None``: the end),
        stepping over deletions as ``_next_up`` does."""
        keys = self._recent_keys
        if key is None:
            at = len(keys)
        else:
            at = (bisect.bisect_right if inclusive else bisect.bisect_left)(keys, key)
        place = self._packed_before(key, inclusive)
        while True:
            recent = keys[at - 1] if at else None
            packed = None if place is None else self._chunk(place[0]).key(place[1])
            if recent is not None and (packed is None or recent >= packed):
                value = self._recent[recent]
                if value is not None:
                    return recent, value
                at -= 1
                if recent == packed:
                    place = self._packed_step(place, -1)
                continue
            if place is None or packed is None:
                return None
            return packed, self._chunk(place[0]).value(place[1])


def _merged(old: list[Pair], changes: Sequence[tuple[bytes, bytes | None]]) -> list[Pair]:
    """The sorted pairs ``old`` with the sorted ``changes`` applied (``None``: delete)."""
    result: list[Pair] = []
    index = 0
    for key, value in changes:
        while index < len(old) and old[index][0] < key:
            result.append(old[index])
            index += 1
        if index < len(old) and old[index][0] == key:
            index += 1
        if value is not None:
            result.append((key, value))
    result.extend(old[index:])
    return result


def _common_prefix(first: bytes, last: bytes) -> bytes:
    """What every key between ``first`` and ``last`` (sorted) starts with."""
    size = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        size += 1
    return first[:size]
