"""A host with several counterparties: each chain runs as its own actor with its own keys, each
client follows its chain, packets from both arrive through their own channels, and a hard fork
halts every connection where a migration touches only the migrated one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from relayer_sim.report.metrics import measure
from relayer_sim.report.metrics_view import view_of
from relayer_sim.scenario import parse_scenario
from relayer_sim.scenario.shipped import SCENARIOS_DIR
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM
from relayer_sim.world import World
from tests.conftest import ShippedRun

MINUTE = 60 * 10**9

TWO_SHORT = """
name = "two-short"
description = "Two counterparties for ten minutes, a channel and a relayer each."
seed = 5
duration = "10m"

[[counterparties]]
name = "gaia"

[[counterparties]]
name = "osmosis"
block_time = "5s"
format = "tendermint"
validators = [{ name = "alice", power = 10 }, { name = "val-2", power = 10 }]

[[clients]]
name = "a"
counterparty = "gaia"
contract = "sim-tendermint-v1"

[[clients]]
name = "b"
counterparty = "osmosis"
contract = "tendermint-v1"

[[channels]]
name = "to-a"
client = "a"

[[channels]]
name = "to-b"
client = "b"

[[relayers]]
name = "ra"
client = "a"

[[relayers]]
name = "rb"
client = "b"

[[traffic]]
name = "from-gaia"
channel = "to-a"
every = "20s"

[[traffic]]
name = "from-osmosis"
channel = "to-b"
every = "20s"
"""

#: gaia's client forked by a coalition of gaia's validators and watched by gaia's monitor, while
#: osmosis upgrades to revision 2.
ATTACK_AND_UPGRADE = """
[[relayers]]
name = "mallory"
client = "a"
byzantine = true

[[monitors]]
name = "watch-a"
client = "a"
poll = "10s"

[[timeline]]
at = "3m"
action = "fork"
kind = "lunatic"
relayer = "mallory"
coalition = ["alice", "bob"]

[[timeline]]
at_height = 20
counterparty = "osmosis"
action = "planned_upgrade"
upgrade_name = "v2"
height = 60

[[expect]]
kind = "client_status"
client = "a"
status = "Frozen"

[[expect]]
kind = "client_height_at_least"
client = "b"
revision = 2
height = 10

[[expect]]
kind = "client_status"
client = "b"
status = "Active"
"""


def test_each_chain_is_its_own_actor_and_both_deliver(vm: WasmVM, tmp_path: Path) -> None:
    worlds: list[World] = []
    scenario = parse_scenario(TWO_SHORT, "two.toml")
    first = run_scenario(scenario, tmp_path / "1", vm=vm, observer=worlds.append)
    world = worlds[-1]
    gaia, osmosis = world.chains["gaia"], world.chains["osmosis"]
    assert (gaia.chain_id, osmosis.chain_id) == ("gaia-1", "osmosis-1")
    # "alice" validates both chains, under a key of each chain's own
    keys = [
        {v.public_key for v in chain.validator_set(chain.latest_height).validators}
        for chain in (gaia, osmosis)
    ]
    assert not keys[0] & keys[1]
    # both counterparties use channel-0 with sequences from 1: the host tells them apart
    to_a, to_b = world.channels["to-a"], world.channels["to-b"]
    assert to_a.counterparty_channel == to_b.counterparty_channel == "channel-0"
    assert to_a.host_channel != to_b.host_channel
    packets = world.host.app.query().packets
    for chain in ("gaia", "osmosis"):
        log = world.sent[chain]
        assert len(log) >= 25 and log.delivered(packets.received) >= len(log) - 2
    view = view_of(read_trace(first.trace_path))
    assert set(view.counterparty_actors) == {"gaia", "osmosis"}
    metrics = measure(read_trace(first.trace_path))
    assert {(c.name, c.counterparty) for c in metrics.clients} == {("a", "gaia"), ("b", "osmosis")}
    assert all(client.max_lag_blocks <= 2 for client in metrics.clients)
    assert metrics.packets.received == world.packets_sent() - metrics.packets.lost
    # the same scenario and seed give the same trace, byte for byte
    second = run_scenario(scenario, tmp_path / "2", vm=vm)
    assert first.trace_path.read_bytes() == second.trace_path.read_bytes()


def test_a_hard_fork_halts_every_connection(shipped_run: Callable[[Path], ShippedRun]) -> None:
    run = shipped_run(SCENARIOS_DIR / "two-chains-hardfork.toml")
    metrics = measure(read_trace(run.trace_path))
    (halt,) = metrics.host_downtime
    assert halt.end_ns is not None and halt.end_ns - halt.start_ns == 30 * MINUTE
    clients = {client.name: client for client in metrics.clients}
    # osmosis did nothing, yet its client is down for the whole halt and falls far behind
    osmosis = clients["osmosis"]
    (down,) = osmosis.downtime
    # from the halt to the first update after the restart, a block later
    assert down.start_ns == halt.start_ns and down.end_ns is not None
    assert 0 < down.end_ns - halt.end_ns <= 10 * 10**9
    assert "host halted" in down.reason
    assert osmosis.max_lag_blocks >= 350
    # and its packets wait out the halt
    channels = {row.channel: row.packets for row in metrics.packets_by_channel}
    assert list(channels) == ["gaia-transfer", "osmosis-transfer"]
    from_osmosis = channels["osmosis-transfer"]
    assert from_osmosis.delayed >= 25 and (from_osmosis.max_ns or 0) >= 29 * MINUTE
    # gaia's client broke at the switch and stayed down until the new binary ran
    gaia = clients["gaia"]
    assert gaia.downtime_ns > 50 * MINUTE and "host halted" in gaia.downtime[0].reason


def test_a_migration_touches_only_the_migrated_connection(
    shipped_run: Callable[[Path], ShippedRun],
) -> None:
    run = shipped_run(SCENARIOS_DIR / "two-chains-migrate.toml")
    metrics = measure(read_trace(run.trace_path))
    assert metrics.host_downtime == ()
    clients = {client.name: client for client in metrics.clients}
    assert clients["osmosis"].downtime == () and clients["osmosis"].max_lag_blocks <= 1
    channels = {row.channel: row.packets for row in metrics.packets_by_channel}
    assert channels["osmosis-transfer"].delayed == 0 and channels["gaia-transfer"].delayed > 0
    assert clients["gaia"].downtime_ns > 20 * MINUTE and clients["gaia"].max_lag_blocks > 200
    assert metrics.switch is not None
    assert [client.client for client in metrics.switch.clients] == ["gaia"]


def test_chain_actions_forks_and_monitors_keep_to_their_chain(vm: WasmVM, tmp_path: Path) -> None:
    """osmosis upgrades to revision 2 through its upgrade key while a coalition of gaia's
    validators forks gaia's client, which gaia's monitor freezes: each on its own chain."""
    text = TWO_SHORT + ATTACK_AND_UPGRADE
    result = run_scenario(parse_scenario(text, "two.toml"), tmp_path, vm=vm)
    assert result.ok, [outcome for outcome in result.outcomes if not outcome.met]
    events = read_trace(result.trace_path).events
    (restart,) = [event for event in events if event.kind == "restarted"]
    assert (restart.actor, restart.data["chain_id"]) == ("osmosis", "osmosis-2")
    assert {event.actor for event in events if event.kind == "evidence_sent"} == {"watch-a"}
