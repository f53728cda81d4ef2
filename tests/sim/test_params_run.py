"""IBC params changed by governance in a run (``update_params``): the client types taken off
02-client's allow list become ``Unauthorized``; a scenario asking for an allow list ibc-go
refuses, or for no change at all, is refused when read."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.scenario import parse_scenario
from relayer_sim.scenario.errors import ScenarioError
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM

SCENARIO = """
name = "params"
description = "Governance takes 07-tendermint off the allow list."
duration = "30m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[clients]]
name = "old"
contract = "native"

[[relayers]]
name = "r1"
client = "main"

[[timeline]]
name = "wasm-only"
at = "5m"
action = "update_params"
{params}

[[expect]]
kind = "client_status"
client = "old"
status = "Unauthorized"

[[expect]]
kind = "client_status"
client = "main"
status = "Active"
"""


def test_governance_takes_a_client_type_off_the_allow_list(vm: WasmVM, tmp_path: Path) -> None:
    params = 'allowed_clients = ["08-wasm"]\nmax_expected_time_per_block = "10s"'
    result = run_scenario(parse_scenario(SCENARIO.format(params=params)), tmp_path, vm=vm)
    assert result.ok, result.outcomes
    assert result.metrics.proposals_passed == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("", "timeline[0].allowed_clients: expected allowed_clients or max_expected_time"),
        (
            'allowed_clients = ["*", "08-wasm"]',
            "timeline[0].allowed_clients: expected an allow list ibc-go takes (allow list must "
            "have only one element",
        ),
        ('allowed_clients = ["08-wasm", "08-wasm"]', "duplicate client type: 08-wasm"),
    ],
)
def test_a_params_change_ibc_go_refuses_is_refused_when_read(params: str, message: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(SCENARIO.format(params=params))
    assert message in str(refused.value)
