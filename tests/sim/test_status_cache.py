"""The status cache in whole runs: a run with the cache writes the very bytes of the trace a run
without it writes (every tx's gas, contract gas, error and every status the actors saw), for
scenarios that freeze, expire, recover, migrate, remove code and upgrade the host binary, in
both wire formats; and the cache does answer (the runs are not equal because it never hits)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.scenario import Scenario, load_scenario, parse_scenario
from relayer_sim.scenario.shipped import SCENARIOS_DIR
from relayer_sim.sim import runtime
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM

MINUTE = 60 * 10**9

HARD_FORK = """
name = "hard-fork"
description = "A software upgrade while a native and a wasm client are in use."
seed = 5
duration = "12m"

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
at = "2m"
action = "software_upgrade"
upgrade_name = "v2"
binary = "v2"
halt_after = "1m"
"""


def _shipped(name: str, minutes: int | None) -> Scenario:
    scenario = load_scenario(SCENARIOS_DIR / f"{name}.toml")
    if minutes is None:
        return scenario
    return scenario.model_copy(update={"duration": minutes * MINUTE, "expect": ()})


def run(scenario: Scenario, out: Path, vm: WasmVM, cached: bool) -> tuple[bytes, list[HostApp]]:
    """The trace bytes of a run, and its host app(s), with the status cache on or off."""
    apps: list[HostApp] = []

    class Host(HostApp):
        def __init__(self, vm: WasmVM, config: HostConfig | None = None, **kwargs: Any) -> None:
            config = dataclasses.replace(config or HostConfig(), status_cache=cached)
            super().__init__(vm, config, **kwargs)
            apps.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "HostApp", Host)
        result = run_scenario(scenario, out, vm=vm)
    return result.trace_path.read_bytes(), apps


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
    "hard-fork": lambda: parse_scenario(HARD_FORK, "hard-fork", SCENARIOS_DIR),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_cached_run_writes_the_trace_of_an_uncached_one(
    name: str, vm: WasmVM, tmp_path: Path
) -> None:
    scenario = CASES[name]()
    cached, (app,) = run(scenario, tmp_path / "cached", vm, cached=True)
    fresh, (plain,) = run(scenario, tmp_path / "fresh", vm, cached=False)
    assert plain.status_cache is None
    assert app.status_cache is not None
    assert app.status_cache.hits > 0
    assert cached == fresh
