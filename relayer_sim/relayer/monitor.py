"""The misbehaviour monitor: it reads every header the host's client accepted, compares it with
the canonical chain of the counterparty the client follows, and when they differ sends the two
as evidence, which freezes the client.

A forged header ahead of the chain (a lunatic attack) cannot be compared yet: the monitor keeps
it and sends the evidence as soon as the honest chain reaches its height. Its queries and its
evidence travel over a ``Link`` with the faults the scenario gives it; evidence lost on the way
is sent again until the client is frozen.

The counterparty has one canonical chain, which every honest node serves: the "other nodes'
views" a real monitor cross-checks all agree with it here. A node that lies is modelled by the
byzantine relayer, whose headers are exactly what the monitor checks.
"""

from __future__ import annotations

from relayer_sim.host.chain import Tx
from relayer_sim.host.clients import Status
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import MsgUpdateClient
from relayer_sim.lightclient.headers import HeaderMessage, Height
from relayer_sim.relayer.link import Link
from relayer_sim.world import World


class Monitor:
    """Watches one client; sends evidence of each forged header until the client is frozen."""

    def __init__(
        self,
        world: World,
        name: str,
        client: str,
        poll_ns: int,
        gas_limit: int,
        link: Link,
        retry_ns: int,
    ) -> None:
        self.world, self.name, self.client = world, name, client
        self.chain = world.chain_of(client)
        self.poll_ns, self.gas_limit, self.link, self.retry_ns = poll_ns, gas_limit, link, retry_ns
        self.address = f"cosmos1{name}"
        self._seen_height = 0
        self._suspects: list[HeaderMessage] = []
        #: Height of a forged header → its evidence, and when it was last sent (None: never).
        self._evidence: dict[Height, tuple[Tx, int | None]] = {}

    async def run(self) -> None:
        """Poll, look, send: a lost query or answer skips this poll; lost evidence is sent
        again after ``retry_ns`` while the client is not frozen."""
        while True:
            await self.world.clock.sleep(self.name, self.poll_ns)
            if not await self.link.ask():
                continue
            due = self.look()
            if not await self.link.answer():
                continue
            client_id = self.world.clients[self.client] if due else ""
            for at, tx in due:
                self._evidence[at] = (tx, self.world.clock.now_ns)
                self.world.record(self.name, "evidence_sent", client=client_id, height=str(at))
            await self.link.send([tx for _, tx in due])

    def look(self) -> list[tuple[Height, Tx]]:
        """Read what the client accepted, compare it with the chain: the evidence to send now."""
        client_id = self.world.clients.get(self.client)
        if client_id is None:
            return []
        self._read_new_blocks(client_id)
        self._find_forks(client_id)
        if not self._evidence:
            return []  # nothing to send: no need to ask the client's status
        if self._frozen(client_id):
            self._evidence.clear()
            return []
        now = self.world.clock.now_ns
        return [
            (at, tx)
            for at, (tx, sent_ns) in sorted(self._evidence.items())
            if sent_ns is None or now - sent_ns >= self.retry_ns
        ]

    def _frozen(self, client_id: str) -> bool:
        clients = self.world.host.app.query().clients
        try:
            return clients.query_status(client_id, self.world.host_env()) == Status.FROZEN
        except HostError:
            return False

    def _read_new_blocks(self, client_id: str) -> None:
        """Collect every header the client accepted since the last look."""
        for block in self.world.recent_blocks:
            if block.height <= self._seen_height:
                continue
            self._seen_height = block.height
            for record in block.txs:
                msg = record.tx.msg
                if not (record.result.ok and isinstance(msg, MsgUpdateClient)):
                    continue
                if msg.client_id != client_id:
                    continue
                accepted = self.chain.wire.accepted_header(msg.client_message)
                if accepted is not None:
                    self._suspects.append(accepted)

    def _find_forks(self, client_id: str) -> None:
        """Each accepted header the chain has reached is honest, or evidence to send."""
        chain = self.chain
        waiting = []
        for accepted in self._suspects:
            at = accepted.signed.header.ibc_height
            reached = self._reached(at)
            if reached is None:
                waiting.append(accepted)
                continue
            honest_hash = chain.block(at).signed.commit.block_hash if reached else None
            if honest_hash is None or honest_hash == accepted.signed.commit.block_hash:
                continue
            honest = chain.header_message(at, accepted.trusted_height)
            evidence = chain.wire.misbehaviour(accepted, honest)
            tx = Tx(MsgUpdateClient(self.address, client_id, evidence), self.gas_limit)
            self._evidence.setdefault(at, (tx, None))
        self._suspects = waiting

    def _reached(self, at: Height) -> bool | None:
        """Whether the chain made a block at ``at`` to compare with: None while it may still
        (the height is ahead of it), False when it never will (past the end of a revision that
        a planned upgrade closed: no honest header, so no evidence, can be had)."""
        chain = self.chain
        latest = chain.latest_height
        if latest is None or at.revision_number > latest.revision_number:
            return None
        if at.revision_number == latest.revision_number:
            return None if at > latest else True
        last = chain.last_heights.get(at.revision_number)
        return last is not None and at <= last
