"""The misbehaviour monitor: it reads every header the host's client accepted, compares it with
the counterparty's canonical chain, and when they differ sends the two as evidence, which
freezes the client.

A forged header ahead of the chain (a lunatic attack) cannot be compared yet: the monitor keeps
it and sends the evidence as soon as the honest chain reaches its height.
"""

from __future__ import annotations

from relayer_sim.host.chain import Tx
from relayer_sim.host.messages import MsgUpdateClient
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from relayer_sim.world import World


class Monitor:
    """Watches one client; sends evidence once per forged header."""

    def __init__(self, world: World, name: str, client: str, poll_ns: int, gas_limit: int) -> None:
        self.world, self.name, self.client = world, name, client
        self.poll_ns, self.gas_limit = poll_ns, gas_limit
        self.address = f"cosmos1{name}"
        self._seen_height = 0
        self._suspects: list[HeaderMessage] = []

    async def run(self) -> None:
        while True:
            await self.world.clock.sleep(self.name, self.poll_ns)
            self.step()

    def step(self) -> None:
        client_id = self.world.clients.get(self.client)
        if client_id is None:
            return
        self._read_new_blocks(client_id)
        self._send_evidence(client_id)

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
                accepted = decode.client_message(msg.client_message)
                if isinstance(accepted, HeaderMessage):
                    self._suspects.append(accepted)

    def _send_evidence(self, client_id: str) -> None:
        """For each accepted header the chain has reached: honest, or evidence now."""
        chain = self.world.counterparty
        waiting = []
        for accepted in self._suspects:
            header = accepted.signed.header
            at = header.ibc_height
            reached = self._reached(at)
            if reached is None:
                waiting.append(accepted)
                continue
            if not reached or chain.block(at).header.hash() == header.hash():
                continue
            honest = chain.header_message(at, accepted.trusted_height)
            evidence = Misbehaviour(accepted, honest).to_bytes()
            self.world.host.submit(
                Tx(MsgUpdateClient(self.address, client_id, evidence), self.gas_limit)
            )
            self.world.record(self.name, "evidence_sent", client=client_id, height=str(at))
        self._suspects = waiting

    def _reached(self, at: Height) -> bool | None:
        """Whether the chain made a block at ``at`` to compare with: None while it may still
        (the height is ahead of it), False when it never will (past the end of a revision that
        a planned upgrade closed: no honest header, so no evidence, can be had)."""
        chain = self.world.counterparty
        latest = chain.latest_height
        if latest is None or at.revision_number > latest.revision_number:
            return None
        if at.revision_number == latest.revision_number:
            return None if at > latest else True
        last = chain.last_heights.get(at.revision_number)
        return last is not None and at <= last
