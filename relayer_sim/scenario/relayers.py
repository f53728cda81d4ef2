"""The off-chain agents: relayers that update clients and carry packets, and monitors that watch
for misbehaviour."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import model_validator

from relayer_sim.scenario.base import Model, TaggedBy, mismatch
from relayer_sim.scenario.durations import SECOND
from relayer_sim.scenario.fields import (
    Duration,
    DurationOrZero,
    Name,
    PositiveInt,
    Probability,
)


class UpdateEveryBlock(Model):
    """Update the client to every new counterparty block."""

    policy: Literal["every_block"] = "every_block"
    """The policy's kind."""


class UpdateOnInterval(Model):
    """Update the client on a fixed period, to the latest block."""

    policy: Literal["interval"] = "interval"
    """The policy's kind."""
    every: Duration
    """The time between two updates."""


class UpdateOnLag(Model):
    """Update the client once it trails the counterparty by a number of blocks."""

    policy: Literal["lag"] = "lag"
    """The policy's kind."""
    blocks: PositiveInt
    """How many blocks the client may trail before an update."""


class UpdateBeforeExpiry(Model):
    """Update the client only to keep it alive: when it would expire within a margin."""

    policy: Literal["before_expiry"] = "before_expiry"
    """The policy's kind."""
    margin: Duration
    """How long before the end of the trusting period to update."""


#: When a relayer updates its client, chosen by ``policy``.
UpdatePolicy = Annotated[
    UpdateEveryBlock | UpdateOnInterval | UpdateOnLag | UpdateBeforeExpiry, TaggedBy("policy")
]


class AgentSpec(Model):
    """An off-chain agent serving one client, and the faults of its link to the chains."""

    name: Name
    """Its name in the scenario."""
    client: str
    """The name of the client it serves (one of ``[[clients]]``)."""
    latency: DurationOrZero = 0
    """The delay of every message between it and either chain."""
    drop: Probability = 0.0
    """The probability that a message between it and a chain is lost, in [0, 1)."""
    duplicate: Probability = 0.0
    """The probability that a message between it and a chain arrives twice, in [0, 1)."""


class RelayerSpec(AgentSpec):
    """A relayer serving one client: header updates, packets, and the faults of its links."""

    update: UpdatePolicy = UpdateEveryBlock()
    """When it updates the client: ``{ policy = "every_block" }``, ``{ policy = "interval",
    every = "1m" }``, ``{ policy = "lag", blocks = 10 }`` or ``{ policy = "before_expiry",
    margin = "1h" }``."""
    packets: bool = True
    """Whether it relays the counterparty's packets to the host."""
    byzantine: bool = False
    """A byzantine relayer sends only what the timeline hands it (forks, garbage)."""
    retry_backoff: Duration = 2 * SECOND
    """How long it waits before retrying a failed submission."""

    @model_validator(mode="after")
    def _faults_on_honest_links(self) -> RelayerSpec:
        """A byzantine relayer submits at once whatever the timeline hands it: its link has no
        faults to inject, and a file that sets some would expect what never happens."""
        if self.byzantine:
            for fault in ("latency", "drop", "duplicate"):
                if getattr(self, fault):
                    raise mismatch("no link faults on a byzantine relayer", field=fault)
        return self


class MonitorSpec(AgentSpec):
    """A misbehaviour monitor: it polls a client's headers and submits evidence of a fork, over
    a link that may have faults of its own."""

    poll: Duration = 30 * SECOND
    """The time between two polls."""
