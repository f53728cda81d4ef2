"""A run exported to genesis mid-way, and a host started from the file: it makes every later
block with the same app hash as the run's host, through packets and handshakes, governance, a
software upgrade's halt and the native client, and the run's trace is the same with or without
the check."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.scenario import load_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize(
    ("name", "height"),
    [("channels.toml", 300), ("consensus-upgrade-hardfork.toml", 200)],
)
def test_a_host_started_from_an_exported_genesis_continues_identically(
    vm: WasmVM, tmp_path: Path, name: str, height: int
) -> None:
    scenario = load_scenario(SCENARIOS / name)
    checked = run_scenario(scenario, tmp_path / "checked", vm=vm, genesis_at=height)
    check = checked.genesis
    assert check is not None and check.ok, check
    assert check.path == tmp_path / "checked" / f"genesis-{height}.json"
    blocks = [e for e in read_trace(checked.trace_path).events if e.kind == "block"]
    last = max(e.data["height"] for e in blocks if e.actor == "host")
    assert check.blocks_matched == last - height  # every block to the end
    plain = run_scenario(scenario, tmp_path / "plain", vm=vm)
    assert checked.trace_path.read_bytes() == plain.trace_path.read_bytes()


def test_a_run_that_ends_before_the_height_says_so(vm: WasmVM, tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "channels.toml")
    result = run_scenario(scenario, tmp_path, vm=vm, genesis_at=10**6)
    assert result.genesis is None and not result.ok
