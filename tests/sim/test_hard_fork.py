"""The hard-fork path in a run: a software upgrade halts the host for every connection, not just
the one being upgraded, and both resume under the new binary."""

from __future__ import annotations

from pathlib import Path

from relayer_sim.scenario import load_scenario, parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

TWO_CONNECTIONS = """
name = "hard-fork"
description = "A software upgrade while a native and a wasm client are in use."
seed = 5
duration = "25m"

[host]
voting_period = "2m"
upgrade_delay = "5m"

[[clients]]
name = "native"
contract = "native"

[[clients]]
name = "wasm"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "native"

[[relayers]]
name = "r2"
client = "wasm"
packets = false

[traffic]
every = "30s"

[[timeline]]
at = "3m"
action = "software_upgrade"
upgrade_name = "v2"
binary = "v2"
halt_after = "1m"

[[expect]]
kind = "client_status"
client = "native"
status = "Active"

[[expect]]
kind = "client_status"
client = "wasm"
status = "Active"
"""


def test_a_halt_stops_every_client_and_packet_until_the_new_binary_runs(
    vm: WasmVM, tmp_path: Path
) -> None:
    result = run_scenario(parse_scenario(TWO_CONNECTIONS, "hard-fork.toml"), tmp_path, vm=vm)
    assert result.ok, result.outcomes
    events = read_trace(result.trace_path).events
    (halted,) = [e for e in events if e.actor == "host" and e.kind == "halted"]
    (restarted,) = [e for e in events if e.actor == "host" and e.kind == "restarted"]
    assert restarted.t_ns - halted.t_ns == 5 * 60 * 10**9
    assert restarted.data == {"height": halted.data["height"], "binary": "v2"}
    host_blocks = [e for e in events if e.actor == "host" and e.kind == "block"]
    assert not [e for e in host_blocks if halted.t_ns < e.t_ns < restarted.t_ns]
    (resumed,) = [e for e in host_blocks if e.data["height"] == halted.data["height"]]
    # Both connections work again after the restart: each client is updated, packets land.
    after = [tx for e in host_blocks if e.t_ns >= resumed.t_ns for tx in e.data["txs"]]
    updated = {tx["client"] for tx in after if tx["message"] == "MsgUpdateClient" and tx["ok"]}
    assert updated == {"07-tendermint-0", "08-wasm-1"}
    assert any(tx["message"] == "MsgRecvPacket" and tx.get("received") for tx in after)
    # One proposal planned it.
    passed = [p for e in host_blocks for p in e.data["proposals"] if p["status"] == "Passed"]
    assert len(passed) == 1


TENDERMINT_HARD_FORK = (
    Path(__file__).resolve().parents[2] / "scenarios/tendermint/consensus-upgrade-hardfork.toml"
)


def test_the_hard_fork_baseline_in_the_tendermint_format(vm: WasmVM, tmp_path: Path) -> None:
    """The tendermint twin of consensus-upgrade-hardfork: the native client runs 07-tendermint's
    rules, so binary v1 refuses the switch's secp256k1 headers until the host has halted for
    its upgrade delay and resumed under v2, which follows the counterparty again."""
    scenario = load_scenario(TENDERMINT_HARD_FORK)
    assert scenario.counterparty.format == "tendermint"
    result = run_scenario(scenario, tmp_path, vm=vm)
    assert result.ok, result.outcomes
    events = read_trace(result.trace_path).events
    (halted,) = [e for e in events if e.actor == "host" and e.kind == "halted"]
    (restarted,) = [e for e in events if e.actor == "host" and e.kind == "restarted"]
    assert restarted.t_ns - halted.t_ns == 30 * 60 * 10**9
    updates = [
        (e.t_ns, tx)
        for e in events
        if e.actor == "host" and e.kind == "block"
        for tx in e.data["txs"]
        if tx["message"] == "MsgUpdateClient"
    ]
    refused = [(t_ns, tx) for t_ns, tx in updates if not tx["ok"]]
    assert refused and all(t_ns < halted.t_ns for t_ns, _ in refused)
    assert {tx["reason"] for _, tx in refused} == {
        "unsupported public key: tendermint-v1 cannot verify secp256k1"
    }
    assert any(tx["ok"] for t_ns, tx in updates if t_ns >= restarted.t_ns)
