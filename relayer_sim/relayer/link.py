"""The network between a relayer and the chains, with the faults a scenario injects into it.

Every exchange is a message that may be late, lost or delivered twice: a query travels to a
node (``latency``), its answer travels back (``latency``), and each transaction travels to the
host's mempool (``latency``). A lost query or answer leaves the relayer with nothing to act on
this time; a lost transaction is noticed only because its effect never shows, and is sent again
after the relayer's retry backoff. A duplicated transaction reaches the mempool twice.

The draws come from the link's own seeded generator, one per relayer, so a fault-free link
draws nothing and adding faults to one relayer changes nothing else in the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from relayer_sim.host.chain import Tx
from relayer_sim.world import World


@dataclass(frozen=True)
class LinkFaults:
    """What goes wrong on a link: one-way delay, and the odds of a loss or a duplicate."""

    latency_ns: int = 0
    drop: float = 0.0
    duplicate: float = 0.0

    def __post_init__(self) -> None:
        if self.latency_ns < 0:
            raise ValueError(f"latency cannot be negative: {self.latency_ns} ns")
        for name, odds in (("drop", self.drop), ("duplicate", self.duplicate)):
            if not 0.0 <= odds < 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1), not {odds}")


class Link:
    """One relayer's connection to the chains; the relayer's task awaits it."""

    def __init__(self, world: World, owner: str, faults: LinkFaults, rng: random.Random) -> None:
        self.world, self.owner, self.faults, self._rng = world, owner, faults, rng

    async def ask(self) -> bool:
        """Send a query and wait until it arrives: True when the node got it and the relayer
        may read the chains now. The caller then awaits ``answer``."""
        await self._travel()
        return self._arrives("query")

    async def answer(self) -> bool:
        """Wait for the answer to come back: False when it was lost on the way."""
        await self._travel()
        return self._arrives("answer")

    async def send(self, txs: list[Tx]) -> None:
        """Send transactions to the host: each arrives after the latency, unless lost, and
        perhaps twice."""
        if not txs:
            return
        await self._travel()
        for tx in txs:
            if not self._arrives(type(tx.msg).__name__):
                continue
            self.world.host.submit(tx)
            if self._draw(self.faults.duplicate):
                self.world.host.submit(tx)
                self.world.record(self.owner, "message_duplicated", message=type(tx.msg).__name__)

    async def _travel(self) -> None:
        if self.faults.latency_ns:
            await self.world.clock.sleep(self.owner, self.faults.latency_ns)

    def _arrives(self, what: str) -> bool:
        if self._draw(self.faults.drop):
            self.world.record(self.owner, "message_lost", message=what)
            return False
        return True

    def _draw(self, odds: float) -> bool:
        return odds > 0.0 and self._rng.random() < odds
