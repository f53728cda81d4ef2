"""Simulated time that trio tasks share, in integer nanoseconds, with one actor awake at a time.

Trio runs tasks that wake together in a random order, so actors that simply slept on trio's
clock would interleave differently from run to run. Here every actor waits through a
``SimClock``; one sequencer task wakes them in a fixed order — by time, then by the actor's
rank (its order of registration), then by when it asked — and lets the next one run only when
the awake one sleeps again or ends. The same scenario and seed therefore replay exactly.

The sequencer waits on trio's clock between steps: under ``trio.testing.MockClock`` with
autojump the simulated days pass at once; with a ``MockClock(rate=X)`` they pass at X times real
time (``--realtime X``).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import trio

NS_PER_SECOND = 10**9


@dataclass(order=True)
class _Wakeup:
    time_ns: int
    rank: int
    order: int
    event: trio.Event = field(compare=False)
    #: Replaced by an earlier wake-up (``wake_by``): skipped when it comes up.
    superseded: bool = field(default=False, compare=False)


class SimClock:
    """The shared clock: ``await clock.sleep_until(t)`` from an actor, ``run`` as the sequencer."""

    def __init__(self) -> None:
        self.now_ns = 0
        self._pending: list[_Wakeup] = []
        self._orders = 0
        self._turn_over = trio.Event()
        self._ranks: dict[str, int] = {}
        self._sleeping: dict[str, _Wakeup] = {}

    def rank_of(self, actor: str) -> int:
        """An actor's place among those waking at one instant: its order of registration."""
        return self._ranks.setdefault(actor, len(self._ranks))

    async def sleep_until(self, actor: str, time_ns: int) -> None:
        """Give up the turn until ``time_ns`` (at least now): the next actor may run."""
        wakeup = self._push(actor, time_ns, trio.Event())
        self._turn_over.set()
        await wakeup.event.wait()

    def wake_by(self, actor: str, time_ns: int) -> None:
        """Make a sleeping ``actor`` wake no later than ``time_ns`` (something it waits for
        became due sooner, e.g. a timeline entry triggered by another's event)."""
        current = self._sleeping.get(actor)
        if current is not None and not current.event.is_set() and time_ns < current.time_ns:
            current.superseded = True
            self._push(actor, time_ns, current.event)

    def _push(self, actor: str, time_ns: int, event: trio.Event) -> _Wakeup:
        self._orders += 1
        wakeup = _Wakeup(max(time_ns, self.now_ns), self.rank_of(actor), self._orders, event)
        heapq.heappush(self._pending, wakeup)
        self._sleeping[actor] = wakeup
        return wakeup

    async def sleep(self, actor: str, duration_ns: int) -> None:
        await self.sleep_until(actor, self.now_ns + duration_ns)

    def end_turn(self) -> None:
        """An actor that finishes for good hands the turn back (call it as it returns)."""
        self._turn_over.set()

    async def run(self, until_ns: int) -> None:
        """Wake actors in order until none is left or the next one is due after ``until_ns``;
        the actors still waiting are the caller's to cancel."""
        while self._pending and self._pending[0].time_ns <= until_ns:
            wakeup = heapq.heappop(self._pending)
            if wakeup.superseded:
                continue
            if wakeup.time_ns > self.now_ns:
                await trio.sleep_until(wakeup.time_ns / NS_PER_SECOND)
                self.now_ns = wakeup.time_ns
            self._turn_over = trio.Event()
            wakeup.event.set()
            await self._turn_over.wait()
        self.now_ns = max(self.now_ns, until_ns)
