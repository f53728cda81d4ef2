"""Running scenarios: the same scenario and seed give the same trace byte for byte, another seed
another trace; every shipped scenario meets its expectations; the command line's exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from relayer_sim.cli import main
from relayer_sim.scenario import parse_scenario
from relayer_sim.scenario.shipped import SCENARIOS_DIR, shipped_scenarios
from relayer_sim.sim.logging import configure_logging
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM
from relayer_sim.world import World
from tests.conftest import ShippedRun
from tests.sim import in_tendermint_format

SHORT = """
name = "short"
description = "Ten minutes of a healthy connection."
seed = 3
duration = "10m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"

[traffic]
every = "30s"

[[expect]]
kind = "packets_delivered"
min = 15

[[expect]]
kind = "max_client_lag"
client = "main"
blocks = 3
"""


@pytest.mark.parametrize(
    "text", [SHORT, in_tendermint_format(SHORT)], ids=["sim-tendermint", "tendermint"]
)
def test_same_seed_same_trace_other_seed_other_trace(vm: WasmVM, tmp_path: Path, text: str) -> None:
    scenario = parse_scenario(text, "short.toml")
    first = run_scenario(scenario, tmp_path / "a", vm=vm)
    seen: list[int] = []  # a watching observer (the live display) changes nothing
    again = run_scenario(
        scenario, tmp_path / "b", vm=vm, observer=lambda world: seen.append(world.host.height)
    )
    assert len(seen) > 100 and seen == list(range(seen[0], seen[0] + len(seen)))
    other = run_scenario(scenario, tmp_path / "c", seed=4, vm=vm)
    assert first.ok and again.ok and other.ok, first.outcomes
    assert first.trace_path.read_bytes() == again.trace_path.read_bytes()
    assert first.trace_path.read_bytes() != other.trace_path.read_bytes()
    trace = read_trace(first.trace_path)
    kinds = {event.kind for event in trace.events}
    assert {"block", "client_created", "update_sent", "packet_sent", "outcome"} <= kinds


def test_delivered_packets_are_acknowledged_and_their_commitments_deleted(
    vm: WasmVM, tmp_path: Path
) -> None:
    worlds: list[World] = []
    result = run_scenario(
        parse_scenario(SHORT, "short.toml"), tmp_path, vm=vm, observer=worlds.append
    )
    world = worlds[-1]
    (chain,) = world.chains.values()
    (log,) = world.sent.values()
    events = read_trace(result.trace_path).events
    acknowledged = [e.data["sequence"] for e in events if e.kind == "packet_acknowledged"]
    assert len(acknowledged) >= 15 and acknowledged == sorted(set(acknowledged))
    # the packets the log forgot were all delivered, and acknowledged by the relayer
    assert set(range(1, log.first_kept() + 1)) <= set(acknowledged)
    packets = world.host.app.query().packets
    for sent in log.since(0):
        packet = sent.packet
        kept = chain.ibc.get(packet.commitment_key())
        if packet.sequence in acknowledged:
            assert packets.received(packet) and kept is None
        else:
            assert kept == packet.commitment()


@pytest.mark.parametrize(
    "path", shipped_scenarios(), ids=lambda path: str(path.relative_to(SCENARIOS_DIR))
)
def test_every_shipped_scenario_meets_its_expectations(
    shipped_run: Callable[[Path], ShippedRun], path: Path
) -> None:
    assert not shipped_run(path).unmet


def test_run_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SHORT.replace('duration = "10m"', 'duration = "-5m"'))
    assert main(["run", str(bad), "--out", str(tmp_path / "x")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and "duration" in error and "\n" not in error
    unmet = tmp_path / "unmet.toml"
    unmet.write_text(SHORT.replace("min = 15", "min = 5000"))
    assert main(["run", str(unmet), "--out", str(tmp_path / "y")]) == 1
    assert "NOT MET" in capsys.readouterr().out


def test_run_writes_a_log_that_tells_the_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every event at info level (routine ones only at debug) in ``DIR/run.log``; with
    ``--log-console`` the same, readably, on stderr."""
    scenario = tmp_path / "short.toml"
    scenario.write_text(SHORT)
    try:
        assert main(["run", str(scenario), "--out", str(tmp_path), "--log-console"]) == 0
    finally:
        configure_logging(None, console=False)
    lines = [json.loads(line) for line in (tmp_path / "run.log").read_text().splitlines()]
    events = [line["event"] for line in lines]
    # the relayer's start, the host's SDK event, then the creator's record of it
    assert events[:3] == ["relayer_started", "create_client", "client_created"]
    assert events.count("outcome") == 2
    assert "block" not in events and all(isinstance(line["sim_time"], int) for line in lines)
    assert "00:00:10.000 [info     ] client_created" in capsys.readouterr().err
