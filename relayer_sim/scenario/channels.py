"""The channels a scenario opens between the chains, and the packets sent over them."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from relayer_sim.scenario.base import Model, mismatch
from relayer_sim.scenario.durations import DAY
from relayer_sim.scenario.fields import (
    Duration,
    DurationOrZero,
    Name,
    NonNegativeInt,
    OneLine,
    Payload,
    PortId,
)


class ChannelSpec(Model):
    """A channel opened at the start by the ICS-03 and ICS-04 handshakes (the counterparty
    going first), over a new connection on one of the host's clients."""

    name: Name
    """The channel's name in the scenario, by which traffic refers to it."""
    client: Name
    """The host client its connection proves the counterparty with."""
    port: PortId = "transfer"
    """The port of both ends."""
    ordering: Literal["unordered", "ordered"] = "unordered"
    """``ordered``: packets are received in the order sent, and a timeout closes the
    channel; ``unordered``: in any order, each once."""
    version: OneLine = "ics20-1"
    """The application version both ends agree on."""
    delay_period: DurationOrZero = 0
    """The connection's delay period: a packet proof is accepted only once its consensus state
    has been on the client this long, and for as many host blocks as that spans at 03-connection's
    30 s per block."""


class TrafficSpec(Model):
    """Packets sent at a steady rate over a channel, for the relayers to deliver."""

    name: Name = "traffic"
    """The sender's name in the trace; each traffic entry's is its own."""
    every: Duration
    """The time between two packets."""
    channel: Name | None = None
    """The channel they go over; by default the first of ``[[channels]]``."""
    sender: Literal["counterparty", "host"] = "counterparty"
    """Which chain sends them: ``counterparty`` (to the host: the relayers deliver them with
    ``MsgRecvPacket``) or ``host`` (to the counterparty: the relayers prove its
    acknowledgements or the packets' timeouts back to the host)."""
    size: Payload = 64
    """Bytes of payload per packet, at most 1 MiB."""
    timeout: DurationOrZero = DAY
    """How long after sending the receiving chain refuses the packet (by its time);
    ``"0s"``: no time limit (``timeout_blocks`` must then be set)."""
    timeout_blocks: NonNegativeInt = 0
    """How many of the receiving chain's blocks after sending it refuses the packet (by its
    height); 0: no height limit."""

    @model_validator(mode="after")
    def _some_timeout(self) -> TrafficSpec:
        if self.timeout == 0 and self.timeout_blocks == 0:
            raise mismatch(
                "a timeout or timeout_blocks above zero (ibc-go refuses a packet without one)",
                field="timeout",
            )
        return self


def traffic_path(count: int, index: int) -> str:
    """Where the ``index``-th of ``count`` traffic entries is in the file: one is a
    ``[traffic]`` table (as usually written), more a ``[[traffic]]`` list."""
    return "traffic" if count == 1 else f"traffic[{index}]"
