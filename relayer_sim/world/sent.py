"""The packets one chain sent another, kept only while a reader may still need them.

A run sends a packet every few seconds for weeks; once it has been received and every
relayer reading the log has seen that, nothing asks about it again. Readers (relayers) report how
far they have read (everything before is delivered); the log forgets what is before all of them
and keeps the count. Indices stay absolute: the ``n``-th packet ever sent keeps index ``n``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet


@dataclass(frozen=True)
class SentPacket:
    """A packet its sender committed to, and the first height of the sender whose state
    holds it."""

    packet: Packet
    height: Height
    #: When it was sent, in ns since the start of the run.
    time_ns: int = 0


class SentPackets:
    """Sent packets by absolute index, the forgotten ones (all delivered) counted."""

    def __init__(self) -> None:
        self._kept: deque[SentPacket] = deque()
        #: The index of ``_kept[0]``: how many were forgotten.
        self._forgotten = 0
        #: Reader → the index before which it found every packet delivered.
        self._readers: dict[str, int] = {}

    def append(self, sent: SentPacket) -> None:
        self._kept.append(sent)

    def __len__(self) -> int:
        """How many packets were ever sent."""
        return self._forgotten + len(self._kept)

    def since(self, index: int) -> Iterator[SentPacket]:
        """The packets from index ``index`` on (those still kept, if it is forgotten)."""
        start = max(index - self._forgotten, 0)
        for position in range(start, len(self._kept)):
            yield self._kept[position]

    def first_kept(self) -> int:
        """The index of the oldest packet still kept."""
        return self._forgotten

    def read_up_to(self, reader: str, index: int) -> None:
        """``reader`` found every packet before ``index`` delivered; forget those every reader
        has passed."""
        self._readers[reader] = index
        drop = min(self._readers.values()) - self._forgotten
        for _ in range(drop):
            self._kept.popleft()
        self._forgotten += max(drop, 0)

    def delivered(self, received: Callable[[Packet], bool], last: int | None = None) -> int:
        """How many of the packets sent (of the last ``last``) the host has received: the
        forgotten ones were."""
        first = 0 if last is None else max(len(self) - last, 0)
        forgotten = max(self._forgotten - first, 0)
        return forgotten + sum(received(sent.packet) for sent in self.since(first))
