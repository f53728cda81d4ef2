"""A proposal's life in the trace: sent, open, each vote, and its end: passed, rejected with
the part of the rule the tally failed, or failed with its message's error."""

from __future__ import annotations

from pathlib import Path

from relayer_sim.scenario import parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

VOTES = """
name = "votes"
description = "Three proposals: one passes, one is voted down, one fails when it runs."
duration = "10m"

[host]
voting_period = "1m"
validators = [{ name = "val-a", power = 60 }, { name = "val-b", power = 40 }]

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[timeline]]
at = "1m"
action = "store_code"
contract = "sim-tendermint-v2"

[[timeline]]
at = "1m"
action = "remove_checksum"
contract = "sim-tendermint-v2"
votes = { val-a = "No" }

[[timeline]]
at = "1m"
action = "migrate"
client = "main"
contract = "sim-tendermint-v1-flawed"
"""


def test_every_step_of_a_proposals_life_is_traced(vm: WasmVM, tmp_path: Path) -> None:
    scenario = parse_scenario(VOTES, "votes.toml")
    events = read_trace(run_scenario(scenario, tmp_path, vm=vm).trace_path).events
    life = [(e.kind, e.data) for e in events if e.actor == "governance"]
    assert [kind for kind, _ in life].count("proposal_sent") == 3
    assert [kind for kind, _ in life].count("proposal_open") == 3
    votes = [data for kind, data in life if kind == "vote"]
    assert len(votes) == 6 and all(vote["ok"] for vote in votes)
    assert {(vote["voter"], vote["option"]) for vote in votes if vote["proposal"] == 2} == {
        ("val-a", "No"),
        ("val-b", "Yes"),
    }
    ends = {kind: data for kind, data in life if kind.startswith("proposal_") and "tally" in data}
    assert ends["proposal_passed"]["title"] == "store sim-tendermint-v2"
    assert ends["proposal_passed"]["reason"] is None
    rejected = ends["proposal_rejected"]
    assert rejected["tally"] == {
        "yes": 40,
        "no": 60,
        "abstain": 0,
        "no_with_veto": 0,
        "total_power": 100,
    }
    assert rejected["reason"] == (
        "40 of 100 power voted Yes among those that did not abstain, not more than 1/2"
    )
    failed = ends["proposal_failed"]
    assert (
        failed["title"] == "migrate main to sim-tendermint-v1-flawed"
        and "not found" in failed["reason"]
    )
