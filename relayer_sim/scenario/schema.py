"""A whole scenario file: the chains, the clients and agents, the timeline and the expectations."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from relayer_sim.scenario.actions import CHAIN_ACTIONS, Action, Fork
from relayer_sim.scenario.base import Model, mismatch
from relayer_sim.scenario.chains import CounterpartySpec, HostSpec
from relayer_sim.scenario.channels import ChannelSpec, TrafficSpec
from relayer_sim.scenario.clients import ClientSpec
from relayer_sim.scenario.expectations import Expectation
from relayer_sim.scenario.fields import Duration, Entries, Name, OneLine, Seed
from relayer_sim.scenario.limits import Limits
from relayer_sim.scenario.relayers import MonitorSpec, RelayerSpec
from relayer_sim.scenario.sweep import SweepTable
from relayer_sim.scenario.written import OneOrMany


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
    counterparty: CounterpartySpec | None = None
    """The simulated source chain (``[counterparty]``): the shorthand for
    ``[[counterparties]]`` of one. With neither, one chain of the defaults."""
    counterparties: Entries[CounterpartySpec] = ()
    """The simulated source chains (``[[counterparties]]``), each name once; each client
    names the one it follows."""
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
    traffic: Annotated[Entries[TrafficSpec], BeforeValidator(_one_or_many), OneOrMany()] = ()
    """The packets sent (``[traffic]``, or ``[[traffic]]`` for several), each name once."""
    timeline: Entries[Action] = ()
    """The scheduled actions (``[[timeline]]``), in any order; each fires once."""
    expect: Entries[Expectation] = ()
    """What must hold at the end (``[[expect]]``)."""
    limits: Limits = Limits()
    """The sanity limits on the scenario's scale (``[limits]``), to loosen one on purpose."""
    sweep: SweepTable | None = None
    """What ``relayer-sim sweep`` runs the scenario over (``[sweep]``); a run ignores it."""

    @model_validator(mode="after")
    def _chains_written_one_way(self) -> Scenario:
        if self.counterparty is not None and self.counterparties:
            expected = "either [counterparty] or [[counterparties]]"
            raise mismatch(expected, got="both", field="counterparties")
        return self

    def counterparty_specs(self) -> tuple[CounterpartySpec, ...]:
        """The counterparties, in the file's order: ``counterparties``, or the one of
        ``counterparty`` (or of the defaults)."""
        if self.counterparties:
            return self.counterparties
        return (self.counterparty or CounterpartySpec(),)

    def counterparty_path(self, index: int) -> str:
        """Where the ``index``-th counterparty is written: ``[counterparty]`` for the one of
        the shorthand, else an entry of ``[[counterparties]]``."""
        return f"counterparties[{index}]" if self.counterparties else "counterparty"

    def counterparty_named(self, name: str | None) -> CounterpartySpec | None:
        """The counterparty of that name; with ``None``, the only one (``None`` when there
        are several, or no such name)."""
        specs = self.counterparty_specs()
        if name is None:
            return specs[0] if len(specs) == 1 else None
        return next((spec for spec in specs if spec.name == name), None)

    def followed_by(self, client: str) -> CounterpartySpec:
        """The counterparty the client named ``client`` follows (the scenario is valid)."""
        spec = next(spec for spec in self.clients if spec.name == client)
        followed = self.counterparty_named(spec.counterparty)
        assert followed is not None, "check_references names every client's counterparty"
        return followed

    def entry_counterparty(self, entry: Action) -> CounterpartySpec | None:
        """The counterparty a timeline entry acts on or whose height it waits for: a fork's
        relayer's client's, else the one it names or the only one; ``None`` for an entry
        that needs none."""
        if isinstance(entry, Fork):
            client = next(r.client for r in self.relayers if r.name == entry.relayer)
            return self.followed_by(client)
        if isinstance(entry, CHAIN_ACTIONS) or entry.at_height is not None:
            return self.counterparty_named(entry.counterparty)
        return None

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
