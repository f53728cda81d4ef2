"""The status cache in whole runs: a run with the cache writes the very bytes of the trace a run
without it writes (every tx's gas, contract gas, error and every status the actors saw), for
scenarios that freeze, expire, recover, migrate, remove code and upgrade the host binary, in
both wire formats; and the cache does answer (the runs are not equal because it never hits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.host.app import HostApp
from relayer_sim.scenario import Scenario, load_scenario, parse_scenario
from relayer_sim.scenario.shipped import SCENARIOS_DIR
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM
from relayer_sim.world import World
from tests.sim.test_hard_fork import TWO_CONNECTIONS

MINUTE = 60 * 10**9


def _shipped(name: str, minutes: int | None) -> Scenario:
    scenario = load_scenario(SCENARIOS_DIR / f"{name}.toml")
    if minutes is None:
        return scenario
    return scenario.model_copy(update={"duration": minutes * MINUTE, "expect": ()})


def _hard_fork() -> Scenario:
    scenario = parse_scenario(TWO_CONNECTIONS, "hard-fork", SCENARIOS_DIR)
    return scenario.model_copy(update={"duration": 13 * MINUTE, "expect": ()})


def run(scenario: Scenario, out: Path, vm: WasmVM, cached: bool) -> tuple[bytes, HostApp]:
    """The trace bytes of a run, and its host app, with the status cache on or off."""
    apps: list[HostApp] = []

    def note_app(world: World) -> None:
        apps[:] = [world.host.app]

    result = run_scenario(scenario, out, vm=vm, observer=note_app, status_cache=cached)
    return result.trace_path.read_bytes(), apps[0]


CASES = {
    # shortened where the whole run adds nothing the first part does not show
    "quick-start": lambda: _shipped("quick-start", 20),
    # attack at 20 min, the monitor's freeze, a new client and recovery
    "fork-detected": lambda: _shipped("fork-detected", 50),
    # offline past a 30 min trusting period: Expired, then recovered by governance
    "expiry-recovery": lambda: _shipped("expiry-recovery", None),
    # v2 stored by governance, clients migrated (MsgMigrateContract)
    "consensus-upgrade": lambda: _shipped("consensus-upgrade", 40),
    # the client's code removed: Unauthorized
    "checksum-removed": lambda: _shipped("checksum-removed", 25),
    "tendermint/fork-detected": lambda: _shipped("tendermint/fork-detected", 45),
    # native clients and a host binary upgrade (a halt and a new binary)
    "hard-fork": _hard_fork,
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_cached_run_writes_the_trace_of_an_uncached_one(
    name: str, vm: WasmVM, tmp_path: Path
) -> None:
    scenario = CASES[name]()
    cached, app = run(scenario, tmp_path / "cached", vm, cached=True)
    fresh, plain = run(scenario, tmp_path / "fresh", vm, cached=False)
    assert plain.status_cache is None
    assert app.status_cache is not None
    assert app.status_cache.hits > 0
    assert cached == fresh
