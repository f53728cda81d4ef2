"""A whole scenario file: the chains, the clients and agents, the timeline and the expectations."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from relayer_sim.scenario.actions import Action
from relayer_sim.scenario.base import Model
from relayer_sim.scenario.chains import CounterpartySpec, HostSpec
from relayer_sim.scenario.channels import ChannelSpec, TrafficSpec
from relayer_sim.scenario.clients import ClientSpec
from relayer_sim.scenario.expectations import Expectation
from relayer_sim.scenario.fields import Duration, Entries, Name, OneLine, Seed
from relayer_sim.scenario.limits import Limits
from relayer_sim.scenario.relayers import MonitorSpec, RelayerSpec


def _one_or_many(value: Any) -> Any:
    """``[traffic]`` is one entry of ``[[traffic]]``."""
    return [value] if isinstance(value, dict) else value


#: The channel a scenario with traffic and no ``[[channels]]`` opens.
DEFAULT_CHANNEL = "transfer"


class Scenario(Model):
    """One run of the simulator, replayable bit for bit from its seed."""

    name: Name
    """The scenario's name."""
    description: OneLine
    """One line that ``relayer-sim scenarios`` shows."""
    seed: Seed = 0
    """The seed of every random draw (keys, block jitter, link faults), a u64."""
    duration: Duration
    """How much simulated time the run covers."""
    counterparty: CounterpartySpec = CounterpartySpec()
    """The simulated source chain (``[counterparty]``)."""
    host: HostSpec = HostSpec()
    """The chain that runs 08-wasm (``[host]``)."""
    clients: Entries[ClientSpec] = Field(min_length=1)
    """The light clients on the host (``[[clients]]``), each name once."""
    relayers: Entries[RelayerSpec] = ()
    """The relayers (``[[relayers]]``), each name once."""
    monitors: Entries[MonitorSpec] = ()
    """The misbehaviour monitors (``[[monitors]]``), each name once."""
    channels: Entries[ChannelSpec] = ()
    """The channels opened at the start (``[[channels]]``), each name once. A scenario with
    traffic and no channels opens one, ``transfer``, over the first client."""
    traffic: Annotated[Entries[TrafficSpec], BeforeValidator(_one_or_many)] = ()
    """The packets sent (``[traffic]``, or ``[[traffic]]`` for several), each name once."""
    timeline: Entries[Action] = ()
    """The scheduled actions (``[[timeline]]``), in any order; each fires once."""
    expect: Entries[Expectation] = ()
    """What must hold at the end (``[[expect]]``)."""
    limits: Limits = Limits()
    """The sanity limits on the scenario's scale (``[limits]``), to loosen one on purpose."""

    def channel_specs(self) -> tuple[ChannelSpec, ...]:
        """The channels the run opens: ``channels``, or with traffic and none listed, the
        default one over the first client."""
        if self.channels or not self.traffic:
            return self.channels
        return (ChannelSpec(name=DEFAULT_CHANNEL, client=self.clients[0].name),)

    def traffic_channel(self, traffic: TrafficSpec) -> str:
        """The name of the channel ``traffic`` goes over."""
        if traffic.channel is not None:
            return traffic.channel
        return self.channel_specs()[0].name
