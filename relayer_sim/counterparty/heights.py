"""Committed heights to a number each (the state version they committed), packed in arrays.

A chain commits a height every few seconds and keeps them for weeks: a dict keyed by ``Height``
costs some 200 bytes a height, an array 8. Heights are consecutive within a revision, so each
revision is a first height and an array of values.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from relayer_sim.lightclient.headers import Height


@dataclass
class _Revision:
    number: int
    #: The revision height of ``values[skipped]``; the first ``skipped`` values are pruned.
    first: int
    values: array[int] = field(default_factory=lambda: array("q"))
    skipped: int = 0

    def index(self, height: int) -> int | None:
        index = height - self.first + self.skipped
        return index if self.skipped <= index < len(self.values) else None


class HeightIndex:
    """Consecutive heights, oldest first, each with a value; the oldest can be pruned."""

    def __init__(self) -> None:
        self._revisions: list[_Revision] = []

    def append(self, height: Height, value: int) -> None:
        """Add ``height``, the height after the last one of its revision (or a new revision's)."""
        last = self._revisions[-1] if self._revisions else None
        if last is None or last.number != height.revision_number:
            last = _Revision(height.revision_number, height.revision_height)
            self._revisions.append(last)
        elif height.revision_height != last.first + len(last.values) - last.skipped:
            raise ValueError(f"height {height} does not follow the last one")
        last.values.append(value)

    def get(self, height: Height) -> int | None:
        for revision in self._revisions:
            if revision.number == height.revision_number:
                index = revision.index(height.revision_height)
                return None if index is None else revision.values[index]
        return None

    def oldest_value(self) -> int | None:
        if not self._revisions:
            return None
        oldest = self._revisions[0]
        return oldest.values[oldest.skipped]

    def prune(self, below: Height) -> None:
        """Forget the heights below ``below``."""
        while self._revisions:
            oldest = self._revisions[0]
            if oldest.number > below.revision_number:
                return
            end = oldest.first + len(oldest.values) - oldest.skipped
            if oldest.number < below.revision_number or end <= below.revision_height:
                del self._revisions[0]
                continue
            drop = below.revision_height - oldest.first
            if drop > 0:
                oldest.first += drop
                oldest.skipped += drop
                if oldest.skipped * 2 > len(oldest.values):  # compact, amortised
                    del oldest.values[: oldest.skipped]
                    oldest.skipped = 0
            return
