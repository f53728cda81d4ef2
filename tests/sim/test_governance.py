"""Governance as a scenario scripts it: votes other than Yes, and a vote by a validator the
host does not have refused before the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.scenario import ScenarioError, parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

VOTED = """
name = "votes"
description = "One proposal voted down, one through."
seed = 3
duration = "12m"

[host]
voting_period = "2m"
validators = [{{ name = "val-a", power = 2 }}, {{ name = "val-b", power = 1 }}]

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[timeline]]
at = "1m"
action = "store_code"
contract = "sim-tendermint-v2"
votes = {votes}

[[timeline]]
at = "6m"
action = "store_code"
contract = "sim-tendermint-v2"

[[expect]]
kind = "proposal_passed"
count = 1
"""


def test_validators_vote_as_the_scenario_says(vm: WasmVM, tmp_path: Path) -> None:
    """val-a's No outweighs val-b's Yes: the first store is rejected, the second passes."""
    scenario = parse_scenario(VOTED.format(votes='{ val-a = "No" }'), "votes.toml")
    result = run_scenario(scenario, tmp_path, vm=vm)
    assert result.ok, result.outcomes
    events = read_trace(result.trace_path).events
    votes = [
        (tx["proposal"], tx["option"])
        for event in events
        if event.actor == "host" and event.kind == "block"
        for tx in event.data["txs"]
        if tx["message"] == "MsgVote"
    ]
    assert sorted(votes) == [(1, "No"), (1, "Yes"), (2, "Yes"), (2, "Yes")]
    outcomes = [
        (outcome["id"], outcome["status"])
        for event in events
        if event.actor == "host" and event.kind == "block"
        for outcome in event.data["proposals"]
    ]
    assert outcomes == [(1, "Rejected"), (2, "Passed")]


def test_a_vote_by_a_stranger_is_refused() -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(VOTED.format(votes='{ val-z = "No" }'), "votes.toml")
    assert str(refused.value) == (
        "votes.toml: timeline[0].votes.val-z: expected one of the host validators: val-a, val-b "
        '(got "val-z")'
    )
