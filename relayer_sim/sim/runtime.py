"""Running a scenario: the world built from the file, every actor a trio task in one nursery on
the shared ``SimClock``, a trace written as it goes, and the expectations checked at the end.

Simulated time passes at once under ``trio.testing.MockClock`` with autojump, or at ``realtime``
times real time. Everything random comes from the scenario's seed, and actors take turns in a
fixed order, so a scenario and a seed always give the same trace, byte for byte.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import trio
import trio.testing

from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.formats.ics04 import Order
from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.host.chain import HostChain
from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.governance import GOV_AUTHORITY, GovParams
from relayer_sim.host.messages import MsgStoreCode
from relayer_sim.host.native import NATIVE_CHECKSUM
from relayer_sim.lightclient.client import PROFILES
from relayer_sim.lightclient.states import TrustLevel
from relayer_sim.relayer.byzantine import ByzantineRelayer
from relayer_sim.relayer.link import Link, LinkFaults
from relayer_sim.relayer.monitor import Monitor
from relayer_sim.relayer.relayer import Relayer, RelayerConfig, UpdatePolicy
from relayer_sim.scenario import (
    ChannelSpec,
    ClientSpec,
    CounterpartySpec,
    ExpectMaxClientLag,
    RelayerSpec,
    Scenario,
    TrafficSpec,
)
from relayer_sim.scenario.contracts import contract_code
from relayer_sim.scenario.fields import NATIVE
from relayer_sim.scenario.formats import native_format
from relayer_sim.scenario.relayers import (
    AgentSpec,
    UpdateBeforeExpiry,
    UpdateEveryBlock,
    UpdateOnInterval,
    UpdateOnLag,
)
from relayer_sim.sim.actors import counterparty_blocks, host_blocks
from relayer_sim.sim.channels import ChannelOpener, ChannelPlan
from relayer_sim.sim.clients import ClientCreator, ClientPlan
from relayer_sim.sim.expectations import Outcome, check_expectations
from relayer_sim.sim.genesis_twin import GenesisCheck, GenesisTwin
from relayer_sim.sim.governance import GovernanceActor
from relayer_sim.sim.metrics import Metrics
from relayer_sim.sim.timeline import Timeline
from relayer_sim.sim.trace import TraceRecorder
from relayer_sim.sim.traffic import Traffic, TrafficPlan
from relayer_sim.vm import WasmVM
from relayer_sim.world import SimClock, World

NEVER = 2**62
#: The state format of a client whose contract has no Python profile (``PROFILES``): a contract
#: file or a ``tendermint-*`` contract. Format 1 is the sim-tendermint state every
#: sim-tendermint contract reads; the tendermint format's states have no format number.
UNPROFILED_STATE_FORMAT = 1


@dataclass
class RunResult:
    """What a run left: its trace, its metrics and the verdict on each expectation."""

    trace_path: Path
    metrics: Metrics
    outcomes: list[Outcome] = field(default_factory=list)
    #: The genesis check asked for (``genesis_at``), once the run reached its height.
    genesis: GenesisCheck | None = None
    #: The host height asked to export at, if any (a run may end before it).
    genesis_at: int | None = None

    @property
    def ok(self) -> bool:
        expectations = all(outcome.met for outcome in self.outcomes)
        asked = self.genesis_at is None or (self.genesis is not None and self.genesis.ok)
        return expectations and asked


def run_scenario(
    scenario: Scenario,
    out_dir: Path,
    seed: int | None = None,
    realtime: float | None = None,
    vm: WasmVM | None = None,
    observer: Callable[[World], None] | None = None,
    status_cache: bool = True,
    genesis_at: int | None = None,
) -> RunResult:
    """Run ``scenario`` (with ``seed`` instead of its own, if given); trace in ``out_dir``.
    ``observer`` sees the world after every host block (it must only look). ``status_cache``
    off makes the host answer every status query with a contract call (for comparisons: the
    trace is the same either way). ``genesis_at``: export the host to
    ``out_dir/genesis-H.json`` after block H and check that a host started from it continues
    identically (``relayer_sim.sim.genesis_twin``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = (
        trio.testing.MockClock(autojump_threshold=0)
        if realtime is None
        else trio.testing.MockClock(rate=realtime)
    )
    twin = (
        None
        if genesis_at is None
        else GenesisTwin(genesis_at, out_dir / f"genesis-{genesis_at}.json")
    )
    observers = [seen for seen in (observer, twin) if seen is not None]
    run = _Run(
        scenario,
        scenario.seed if seed is None else seed,
        out_dir,
        vm or WasmVM(),
        observers,
        status_cache,
    )
    result: RunResult = trio.run(run.main, clock=clock)
    if twin is not None:
        result.genesis, result.genesis_at = twin.result(), genesis_at
    return result


def chain_config(scenario: Scenario, spec: CounterpartySpec, seed: int) -> ChainConfig:
    """The counterparty ``spec`` of ``scenario``, run with ``seed``. With several
    counterparties each chain's seed also names the chain, so no two share a key."""
    chain_seed = f"{scenario.name}/{seed}"
    if len(scenario.counterparty_specs()) > 1:
        chain_seed = f"{chain_seed}/{spec.name}"
    return ChainConfig(
        name=spec.name,
        validators=tuple(ValidatorSpec(v.name, v.power) for v in spec.validators),
        seed=chain_seed.encode(),
        consensus=spec.consensus,
        format=spec.format,
        block_time_ns=spec.block_time,
        block_jitter_ns=spec.block_jitter,
        commitment_prefix=spec.commitment_prefix.encode(),
    )


class _Run:
    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        out_dir: Path,
        vm: WasmVM,
        observers: list[Callable[[World], None]],
        status_cache: bool,
    ) -> None:
        self.scenario, self.seed, self.out_dir, self.vm = scenario, seed, out_dir, vm
        self.observers, self.status_cache = observers, status_cache

    async def main(self) -> RunResult:
        scenario = self.scenario
        trace_path = self.out_dir / "trace.msgpack"
        with TraceRecorder(trace_path) as trace:
            world = self._world(trace)
            world.observers.extend(self.observers)
            trace.header(scenario=scenario.name, seed=self.seed, started_ns=world.epoch_ns)
            lag_windows = [
                (expectation.client, *expectation.window(scenario.duration))
                for expectation in scenario.expect
                if isinstance(expectation, ExpectMaxClientLag) and expectation.during is not None
            ]
            metrics = Metrics(world, [client.name for client in scenario.clients], lag_windows)
            actors = self._actors(world, metrics)
            for name, _ in actors:
                world.clock.rank_of(name)
            async with trio.open_nursery() as nursery:
                for name, body in actors:
                    nursery.start_soon(self._actor, world, name, body)
                await trio.testing.wait_all_tasks_blocked()
                await world.clock.run(scenario.duration)
                nursery.cancel_scope.cancel()
            outcomes = check_expectations(scenario.expect, world, metrics)
            for outcome in outcomes:
                world.record(
                    "expect",
                    "outcome",
                    expectation=outcome.name,
                    met=outcome.met,
                    detail=outcome.detail,
                )
        return RunResult(trace_path, metrics, outcomes)

    @staticmethod
    async def _actor(world: World, name: str, body: Callable[[], Awaitable[None]]) -> None:
        try:
            await body()
        finally:
            world.clock.end_turn()

    def _world(self, trace: TraceRecorder) -> World:
        scenario, seed = self.scenario, self.seed
        chains = {
            spec.name: CounterpartyChain(chain_config(scenario, spec, seed))
            for spec in scenario.counterparty_specs()
        }
        followed = {
            client.name: scenario.followed_by(client.name).name for client in scenario.clients
        }
        host_spec = scenario.host
        config = HostConfig(
            dialect=Dialect(host_spec.dialect),
            binary=host_spec.binary,
            counterparty_format=native_format(scenario),
            gov=GovParams(
                voting_period_ns=host_spec.voting_period,
                quorum=host_spec.quorum,
                threshold=host_spec.threshold,
            ),
            validators={v.name: v.power for v in host_spec.validators},
            status_cache=self.status_cache,
        )
        epoch = min(chain.latest_time_ns for chain in chains.values())
        host = HostChain(HostApp(self.vm, config), host_spec.chain_id, host_spec.block_time, epoch)
        world = World(SimClock(), chains, followed, host, trace, random.Random(seed), epoch)
        self._genesis(world)
        return world

    def _genesis(self, world: World) -> None:
        """The host starts with the code of the clients it will create (its genesis state), each
        code once, however many names the scenario gives it."""
        env = world.host_env()
        contracts = {client.contract for client in self.scenario.clients} - {NATIVE}
        stored: set[bytes] = set()
        for contract in sorted(contracts):
            code = contract_code(contract)
            if code.checksum in stored:
                continue
            stored.add(code.checksum)
            result = world.host.app.deliver(MsgStoreCode(GOV_AUTHORITY, code.code), env, None)
            if not result.ok:
                raise RuntimeError(f"genesis could not store {contract}: {result.error}")
        world.host.app.commit()

    def _actors(
        self, world: World, metrics: Metrics
    ) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        scenario = self.scenario
        gas = scenario.host.tx_gas_limit
        governance = GovernanceActor(
            world, {v.name: v.power for v in scenario.host.validators}, gas
        )
        creators = {client.name: self._creator(world, client) for client in scenario.clients}
        byzantine = {
            spec.name: ByzantineRelayer(world, spec.name, spec.client, gas)
            for spec in scenario.relayers
            if spec.byzantine
        }
        relayers = {
            spec.name: Relayer(world, self._relayer_config(spec), self._link(world, spec))
            for spec in scenario.relayers
            if not spec.byzantine
        }
        chains = [scenario.entry_counterparty(entry) for entry in scenario.timeline]
        timeline = Timeline(
            world,
            scenario.timeline,
            [None if chain is None else chain.name for chain in chains],
            governance,
            lambda name: world.clock.wake_by(creators[name].name, world.clock.now_ns),
            byzantine,
            relayers,
        )
        actors: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            (name, functools.partial(counterparty_blocks, world, name, timeline.on_height))
            for name in world.chains
        ]
        actors += [
            ("host", lambda: host_blocks(world, scenario.host.upgrade_delay)),
            ("metrics", metrics.run),
            (governance.name, governance.run),
            (timeline.name, lambda: timeline.run(scenario.duration)),
        ]
        for client in scenario.clients:
            creator = creators[client.name]
            start = NEVER if client.create_at is None else client.create_at
            actors.append((creator.name, functools.partial(creator.run, start)))
        for relayer in scenario.relayers:
            if relayer.byzantine:
                actors.append((relayer.name, byzantine[relayer.name].run))
            else:
                actors.append((relayer.name, relayers[relayer.name].run))
        for spec in scenario.monitors:
            link = self._link(world, spec)
            monitor = Monitor(
                world, spec.name, spec.client, spec.poll, gas, link, self._retry_ns(spec)
            )
            actors.append((spec.name, monitor.run))
        for channel in scenario.channel_specs():
            opener = ChannelOpener(world, self._channel_plan(channel), gas)
            actors.append((opener.name, opener.run))
        for traffic in scenario.traffic:
            sender = Traffic(world, self._traffic_plan(traffic))
            actors.append((sender.name, sender.run))
        return actors

    def _channel_plan(self, spec: ChannelSpec) -> ChannelPlan:
        ordering = Order.ORDERED if spec.ordering == "ordered" else Order.UNORDERED
        return ChannelPlan(
            spec.name,
            spec.client,
            self.scenario.followed_by(spec.client).name,
            spec.port,
            ordering,
            spec.version,
            spec.delay_period,
        )

    def _traffic_plan(self, spec: TrafficSpec) -> TrafficPlan:
        return TrafficPlan(
            name=spec.name,
            channel=self.scenario.traffic_channel(spec),
            sender=spec.sender,
            every_ns=spec.every,
            size=spec.size,
            timeout_ns=spec.timeout,
            timeout_blocks=spec.timeout_blocks,
            gas_limit=self.scenario.host.tx_gas_limit,
        )

    def _creator(self, world: World, spec: ClientSpec) -> ClientCreator:
        if spec.contract == NATIVE:  # the rules the binary runs are named as their contract's
            checksum, rules = NATIVE_CHECKSUM, world.host.app.native.profile.name
        else:
            checksum, rules = contract_code(spec.contract).checksum, spec.contract
        profile = PROFILES.get(rules)
        state_format = UNPROFILED_STATE_FORMAT if profile is None else profile.format
        plan = ClientPlan(
            name=spec.name,
            checksum=checksum,
            state_format=state_format,
            trusting_period_ns=spec.trusting_period,
            max_clock_drift_ns=spec.max_clock_drift,
            trust_level=TrustLevel(*spec.trust_level),
        )
        return ClientCreator(world, plan, self.scenario.host.tx_gas_limit)

    def _link(self, world: World, spec: AgentSpec) -> Link:
        """An agent's link to the chains, its faults drawn from a generator of its own."""
        faults = LinkFaults(spec.latency, spec.drop, spec.duplicate)
        rng = random.Random(f"{self.scenario.name}/{self.seed}/{spec.name}")
        return Link(world, spec.name, faults, rng)

    def _retry_ns(self, spec: AgentSpec) -> int:
        """The soonest a sent transaction's effect can be seen: it lands a block after it
        reaches the host, and is seen after a query's round trip."""
        return 3 * self.scenario.host.block_time + 3 * spec.latency

    def _relayer_config(self, spec: RelayerSpec) -> RelayerConfig:
        scenario = self.scenario
        block_time = scenario.host.block_time
        chain_block = scenario.followed_by(spec.client).block_time
        #: What any policy's wait is allowed on top: a few blocks of each chain for the
        #: header to be made, seen, sent and run, and a retry's round trip.
        slack = 3 * (chain_block + block_time) + self._retry_ns(spec)
        base = RelayerConfig(
            name=spec.name,
            client=spec.client,
            poll_ns=block_time,
            packets=spec.packets,
            retry_ns=max(spec.retry_backoff, self._retry_ns(spec)),
            gas_limit=scenario.host.tx_gas_limit,
            stale_after_ns=slack,
        )
        policy = spec.update
        match policy:
            case UpdateEveryBlock():
                return base
            case UpdateOnInterval(every=every):
                return replace(
                    base, policy=UpdatePolicy.INTERVAL, poll_ns=every, stale_after_ns=every + slack
                )
            case UpdateOnLag(blocks=blocks):
                waits = blocks * chain_block + slack
                return replace(
                    base, policy=UpdatePolicy.LAG, lag_blocks=blocks, stale_after_ns=waits
                )
            case UpdateBeforeExpiry(margin=margin):
                trusting = next(
                    c.trusting_period for c in scenario.clients if c.name == spec.client
                )
                waits = max(trusting - margin, 0) + slack
                return replace(
                    base,
                    policy=UpdatePolicy.BEFORE_EXPIRY,
                    margin_ns=margin,
                    stale_after_ns=waits,
                )
        raise AssertionError(f"unknown update policy {policy!r}")
