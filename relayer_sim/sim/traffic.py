"""The users of the chains: packets sent at a steady rate over an open channel, from its
counterparty to the host or from the host to that counterparty, each with a timeout on the
receiving chain (a time, a height, or both) counted from when it is sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from relayer_sim.counterparty.ibc import IbcStepError
from relayer_sim.host.chain import Tx
from relayer_sim.host.messages import MsgSendPacket
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import NO_TIMEOUT_HEIGHT, Packet
from relayer_sim.world import OpenChannel, SentPacket, World

USER: Final = "cosmos1user"


@dataclass(frozen=True)
class TrafficPlan:
    """Packets every ``every_ns`` over the channel named ``channel``, from ``sender``."""

    name: str
    channel: str
    sender: Literal["counterparty", "host"]
    every_ns: int
    size: int
    #: Past this long after sending, the receiving chain refuses the packet (0: no such limit).
    timeout_ns: int
    #: Past this many of the receiving chain's blocks after sending, likewise (0: no limit).
    timeout_blocks: int
    gas_limit: int


class Traffic:
    """One traffic plan's sender."""

    def __init__(self, world: World, plan: TrafficPlan) -> None:
        self.world, self.plan = world, plan
        self.name = plan.name
        #: Host sends not yet seen in a block.
        self._pending: list[Tx] = []

    async def run(self) -> None:
        """Send on time; while host sends wait for their block, wake after each host block
        to learn what became of them."""
        world, plan = self.world, self.plan
        next_send = world.clock.now_ns + plan.every_ns
        while True:
            wake = next_send
            if self._pending:
                wake = min(wake, world.host.next_block_time() - world.epoch_ns)
            await world.clock.sleep_until(self.name, wake)
            self._harvest()
            if world.clock.now_ns < next_send:
                continue
            next_send += plan.every_ns
            channel = world.channels.get(plan.channel)
            if channel is None:
                continue  # its handshakes are not done yet: nothing can be sent
            if plan.sender == "counterparty":
                self._send_from_counterparty(channel)
            else:
                self._send_from_host(channel)

    def _timeout(self, receiver_height: Height | None) -> tuple[Height, int]:
        plan = self.plan
        time_ns = self.world.now_ns + plan.timeout_ns if plan.timeout_ns else 0
        if not plan.timeout_blocks or receiver_height is None:
            return NO_TIMEOUT_HEIGHT, time_ns
        height = Height(
            receiver_height.revision_number, receiver_height.revision_height + plan.timeout_blocks
        )
        return height, time_ns

    def _send_from_counterparty(self, channel: OpenChannel) -> None:
        world, chain = self.world, self.world.chains[channel.chain]
        timeout_height, timeout_ns = self._timeout(world.host_env().self_height)
        data = world.random.randbytes(self.plan.size)
        try:
            packet = chain.ibc.send_packet(
                channel.counterparty_port,
                channel.counterparty_channel,
                data,
                timeout_height,
                timeout_ns,
            )
        except IbcStepError as error:  # the channel closed (an ordered channel's timeout)
            world.record(self.name, "packet_not_sent", reason=str(error))
            return
        sent = SentPacket(packet, chain.next_height(), world.clock.now_ns)
        world.sent[channel.chain].append(sent)
        world.record(
            self.name,
            "packet_sent",
            sequence=packet.sequence,
            channel=channel.name,
            commitment=packet.commitment(),
        )

    def _send_from_host(self, channel: OpenChannel) -> None:
        latest = self.world.chains[channel.chain].latest_height
        timeout_height, timeout_ns = self._timeout(latest)
        data = self.world.random.randbytes(self.plan.size)
        msg = MsgSendPacket(
            USER, channel.host_port, channel.host_channel, timeout_height, timeout_ns, data
        )
        tx = Tx(msg, self.plan.gas_limit)
        self.world.host.submit(tx)
        self._pending.append(tx)

    def _harvest(self) -> None:
        """Log the host's sends that the last block ran: what relayers carry, or why not."""
        world = self.world
        waiting = []
        for tx in self._pending:
            result = world.outcome(tx)
            if result is None:
                waiting.append(tx)
                continue
            if result.ok and isinstance(result.result, Packet):
                packet = result.result
                chain = world.channels[self.plan.channel].chain
                sent = SentPacket(packet, world.host_env().self_height, world.clock.now_ns)
                world.host_sent[chain].append(sent)
                world.record(
                    self.name,
                    "host_packet_sent",
                    sequence=packet.sequence,
                    channel=self.plan.channel,
                )
            else:
                world.record(self.name, "packet_not_sent", reason=str(result.error))
        self._pending = waiting
