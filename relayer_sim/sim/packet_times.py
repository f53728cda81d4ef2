"""When each packet the counterparties sent to the host was sent and when the host received
it, for the expectations on delivery and latency, which may count only the packets sent in a
window of the run.

Times are kept in ``array``s, one entry per packet (a month of a packet every two seconds is a
few MB); only the packets not yet received are kept by key, to match their receipt.
"""

from __future__ import annotations

from array import array
from typing import Final

from relayer_sim.host.chain import BlockRecord
from relayer_sim.host.messages import MsgRecvPacket
from relayer_sim.host.packets import PacketOutcome
from relayer_sim.world import World

#: What ``received`` holds for a packet not received (yet).
NOT_RECEIVED: Final = -1


class PacketTimes:
    """Send and receipt times of the packets to the host, by the order they were read."""

    def __init__(self) -> None:
        self.sent = array("q")
        self.received = array("q")
        #: (port, channel, sequence) on the host → the packet's index, until it is received.
        self._waiting: dict[tuple[str, str, int], int] = {}
        #: Counterparty → how much of its log was read.
        self._read: dict[str, int] = {}

    def observe(self, world: World, block: BlockRecord | None) -> None:
        """Read the packets sent since the last look, then the receipts ``block`` holds.

        Called right after each host block, before any relayer's turn: a log forgets only
        packets its relayers found received, which takes a later block, so none is forgotten
        before this reads it (it reads without holding the log back)."""
        for chain, log in world.sent.items():
            start = self._read.get(chain, 0)
            for sent in log.since(start):
                packet = sent.packet
                key = (packet.destination_port, packet.destination_channel, packet.sequence)
                self._waiting[key] = len(self.sent)
                self.sent.append(sent.time_ns)
                self.received.append(NOT_RECEIVED)
            self._read[chain] = len(log)
        if block is None:
            return
        for record in block.txs:
            msg, outcome = record.tx.msg, record.result.result
            if isinstance(msg, MsgRecvPacket) and isinstance(outcome, PacketOutcome):
                packet = msg.packet
                key = (packet.destination_port, packet.destination_channel, packet.sequence)
                index = self._waiting.pop(key, None) if outcome.done else None
                if index is not None:
                    self.received[index] = world.clock.now_ns

    def in_window(self, start_ns: int, end_ns: int) -> list[int]:
        """The indices of the packets sent in [``start_ns``, ``end_ns``]."""
        return [index for index, sent in enumerate(self.sent) if start_ns <= sent <= end_ns]

    def latencies(self, indices: list[int]) -> tuple[list[int], int]:
        """The sorted latencies of the received packets of ``indices``, and how many of them
        were never received."""
        taken = sorted(
            self.received[index] - self.sent[index]
            for index in indices
            if self.received[index] != NOT_RECEIVED
        )
        return taken, len(indices) - len(taken)
