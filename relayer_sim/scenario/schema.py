"""A whole scenario file: the chains, the clients and agents, the timeline and the expectations."""

from __future__ import annotations

from pydantic import Field

from relayer_sim.scenario.actions import Action
from relayer_sim.scenario.base import Model
from relayer_sim.scenario.chains import CounterpartySpec, HostSpec, TrafficSpec
from relayer_sim.scenario.clients import ClientSpec
from relayer_sim.scenario.expectations import Expectation
from relayer_sim.scenario.fields import Duration, Entries, Name, OneLine, Seed
from relayer_sim.scenario.limits import Limits
from relayer_sim.scenario.relayers import MonitorSpec, RelayerSpec


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
    traffic: TrafficSpec | None = None
    """The packets the counterparty sends (``[traffic]``); none if absent."""
    timeline: Entries[Action] = ()
    """The scheduled actions (``[[timeline]]``), in any order; each fires once."""
    expect: Entries[Expectation] = ()
    """What must hold at the end (``[[expect]]``)."""
    limits: Limits = Limits()
    """The sanity limits on the scenario's scale (``[limits]``), to loosen one on purpose."""
