"""Every bad scenario gets one line: the source, the place in it, what belongs there, what was
found; and always the same line for the same file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from relayer_sim.cli import EXIT_BAD_INPUT, main
from relayer_sim.scenario import ClientSpec, ScenarioError, load_scenario, parse_scenario
from relayer_sim.scenario.validation import faults_of

BASE = """\
name = "t"
description = "A scenario to break."
duration = "1h"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"
"""
ACTIONS = (
    "consensus_switch, store_code, migrate, remove_checksum, recover, update_params, "
    "create_client, planned_upgrade, software_upgrade, fork, garbage, relayer_offline, "
    "validator_change, validators_offline"
)
DURATION = 'a duration like "6s", "250ms" or "1h30m"'
CONTRACTS = (
    "one of sim-tendermint-v1, sim-tendermint-v1-flawed, sim-tendermint-v2, "
    "tendermint-v1, tendermint-v2"
)
OR_FILE = "or a .wasm or .wasm.gz file"
RELAYER = '[[relayers]]\nname = "r1"\nclient = "main"\n'
BYZANTINE = '[[relayers]]\nname = "evil"\nclient = "main"\nbyzantine = true\n'


def top(lines: str) -> str:
    """``BASE`` with top-level ``lines`` added (before the first table)."""
    return lines + "\n" + BASE


def table(lines: str) -> str:
    """``BASE`` with a table added after it."""
    return f"{BASE}{lines}\n"


def entry(lines: str) -> str:
    """``BASE`` with one timeline entry."""
    return f"{BASE}[[timeline]]\n{lines}\n"


def error_of(text: str, source: str = "x.toml") -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source=source)
    return caught.value


CASES = [
    # invalid TOML
    pytest.param(
        BASE + "seed = \n",
        "line 8, column 8: expected valid TOML (got invalid value)",
        id="toml-invalid-value",
    ),
    pytest.param(
        BASE + "seed 7\n",
        "line 8, column 6: expected '=' after a key in a key/value pair",
        id="toml-expected",
    ),
    pytest.param(
        BASE + 'name = "again"\n',
        "line 8, column 15: expected valid TOML (got cannot overwrite a value)",
        id="toml-duplicate-key",
    ),
    pytest.param(
        BASE + "x = [1, 2\n",
        "end of document: expected valid TOML (got unclosed array)",
        id="toml-unclosed",
    ),
    # missing fields
    pytest.param(
        BASE.replace('name = "t"\n', ""), "name: expected a value (got nothing)", id="missing-top"
    ),
    pytest.param(
        BASE.replace('contract = "sim-tendermint-v1"\n', ""),
        "clients[0].contract: expected a value (got nothing)",
        id="missing-nested",
    ),
    pytest.param(
        entry('at = "1m"\naction = "consensus_switch"'),
        "timeline[0].version: expected a value (got nothing)",
        id="missing-action-field",
    ),
    pytest.param(
        BASE + RELAYER + 'update = { policy = "interval" }\n',
        "relayers[0].update.every: expected a value (got nothing)",
        id="missing-policy-field",
    ),
    pytest.param(
        BASE.replace("[[clients]]", "[[other]]"),
        "other: expected one of the fields name, description, seed, duration, counterparty, "
        "counterparties, host, clients, relayers, monitors, channels, traffic, timeline, expect, "
        "limits, sweep (got an unknown field)",
        id="unknown-top-table",
    ),
    # wrong types
    pytest.param(top('seed = "7"'), 'seed: expected an integer (got "7")', id="type-int"),
    pytest.param(top("seed = 7.0"), "seed: expected an integer (got 7.0)", id="type-float-int"),
    pytest.param(top("seed = true"), "seed: expected an integer (got true)", id="type-bool-int"),
    pytest.param(
        top("description = 5").replace('description = "A scenario to break."\n', ""),
        "description: expected a string (got 5)",
        id="type-string",
    ),
    pytest.param(
        BASE + RELAYER + 'packets = "yes"\n',
        'relayers[0].packets: expected true or false (got "yes")',
        id="type-bool",
    ),
    pytest.param(
        BASE + RELAYER + 'drop = "0.1"\n',
        'relayers[0].drop: expected a number (got "0.1")',
        id="type-number",
    ),
    pytest.param(
        top("counterparty = 5"), "counterparty: expected a table (got 5)", id="type-table"
    ),
    pytest.param(
        table("[counterparty]\nvalidators = { alice = 1 }"),
        "counterparty.validators: expected a list (got a table)",
        id="type-list",
    ),
    pytest.param(
        table('[counterparty]\nvalidators = ["alice"]'),
        'counterparty.validators[0]: expected a table (got "alice")',
        id="type-list-entry",
    ),
    pytest.param(
        table("[host]\nchain_id = 1979-05-27"),
        "host.chain_id: expected a string (got 1979-05-27)",
        id="type-date",
    ),
    pytest.param(
        BASE + RELAYER + "update = 5\n",
        "relayers[0].update: expected a table (got 5)",
        id="type-union-table",
    ),
    # unknown fields, at every depth
    pytest.param(
        top("timelines = []"),
        "timelines: expected one of the fields name, description, seed, duration, counterparty, "
        "counterparties, host, clients, relayers, monitors, channels, traffic, timeline, expect, "
        "limits, sweep (got an unknown field)",
        id="unknown-top",
    ),
    pytest.param(
        BASE + RELAYER + 'latncy = "1s"\n',
        "relayers[0].latncy: expected one of the fields name, client, latency, drop, duplicate, "
        "update, packets, byzantine, retry_backoff (got an unknown field)",
        id="unknown-nested",
    ),
    pytest.param(
        BASE + RELAYER + 'update = { policy = "lag", block = 3 }\n',
        "relayers[0].update.block: expected one of the fields policy, blocks "
        "(got an unknown field)",
        id="unknown-in-union",
    ),
    pytest.param(
        entry('at = "1m"\naction = "garbage"\nrelayer = "evil"\nsize = 3'),
        "timeline[0].size: expected one of the fields name, at, at_height, after, delay, "
        "counterparty, action, relayer, bytes (got an unknown field)",
        id="unknown-in-action",
    ),
    pytest.param(
        table('[host]\n"chain id" = "x"'),
        'host."chain id": expected one of the fields chain_id, block_time, dialect, '
        "voting_period, quorum, threshold, validators, tx_gas_limit, binary, upgrade_delay (got an "
        "unknown field)",
        id="unknown-quoted-key",
    ),
    pytest.param(
        entry('at_heigth = 5\naction = "garbage"\nrelayer = "evil"'),
        "timeline[0].at_heigth: expected one of the fields name, at, at_height, after, delay, "
        "counterparty, action, relayer, bytes (got an unknown field)",
        id="unknown-before-missing-trigger",
    ),
    # kinds
    pytest.param(
        entry('at = "1m"\naction = "explode"'),
        f'timeline[0].action: expected one of {ACTIONS} (got "explode")',
        id="unknown-action",
    ),
    pytest.param(
        entry('at = "1m"'),
        f"timeline[0].action: expected one of {ACTIONS} (got nothing)",
        id="missing-action",
    ),
    pytest.param(
        BASE + RELAYER + 'update = { policy = "sometimes" }\n',
        "relayers[0].update.policy: expected one of every_block, interval, lag, before_expiry "
        '(got "sometimes")',
        id="unknown-policy",
    ),
    pytest.param(
        BASE + '[[expect]]\nkind = "vibes"\n',
        "expect[0].kind: expected one of client_status, packets_delivered, packet_latency, "
        "max_client_lag, misbehaviour_detected, forged_packets_received, "
        'client_height_at_least, proposal_passed (got "vibes")',
        id="unknown-expectation",
    ),
    pytest.param(
        table('[counterparty]\nconsensus = "tm-bls"'),
        'counterparty.consensus: expected one of tm-ed25519, tm-secp256k1 (got "tm-bls")',
        id="literal-consensus",
    ),
    pytest.param(
        table('[host]\ndialect = "v8"'),
        'host.dialect: expected one of v10, v0.1 (got "v8")',
        id="literal-dialect",
    ),
    pytest.param(
        BASE + '[[expect]]\nkind = "client_status"\nclient = "main"\nstatus = "Dead"\n',
        'expect[0].status: expected one of Active, Frozen, Expired, Unauthorized (got "Dead")',
        id="literal-status",
    ),
    pytest.param(
        entry('at = "1m"\naction = "fork"\nkind = "spicy"\ncoalition = ["alice"]\nrelayer = "e"'),
        "timeline[0].kind: expected one of equivocation, lunatic, backdated, impostor "
        '(got "spicy")',
        id="literal-fork-kind",
    ),
    pytest.param(
        entry('at = "1m"\naction = "fork"\nkind = "lunatic"\nrelayer = "e"'),
        "timeline[0].coalition: expected at least one validator to sign the lunatic fork "
        "(got nothing)",
        id="fork-no-coalition",
    ),
    pytest.param(
        entry('at = "1m"\naction = "fork"\nkind = "equivocation"\ncoalition = []\nrelayer = "e"'),
        "timeline[0].coalition: expected at least one validator to sign the equivocation fork "
        "(got an empty list)",
        id="fork-empty-coalition",
    ),
    pytest.param(
        entry(
            'at = "1m"\naction = "fork"\nkind = "impostor"\ncoalition = ["alice"]\nrelayer = "e"'
        ),
        "timeline[0].coalition: expected no coalition on an impostor fork (invented keys sign it) "
        "(got a list)",
        id="fork-impostor-coalition",
    ),
    # contracts
    pytest.param(
        BASE.replace("sim-tendermint-v1", "sim-tendermint-v3"),
        f'clients[0].contract: expected {CONTRACTS}, native, {OR_FILE} (got "sim-tendermint-v3")',
        id="contract-unknown",
    ),
    pytest.param(
        BASE.replace("sim-tendermint-v1", "probe"),
        f"clients[0].contract: expected {CONTRACTS}, native, {OR_FILE} "
        '(got "probe", a test contract)',
        id="contract-probe",
    ),
    pytest.param(
        entry('at = "1m"\naction = "store_code"\ncontract = "rogue"'),
        f'timeline[0].contract: expected {CONTRACTS}, {OR_FILE} (got "rogue", a test contract)',
        id="contract-rogue",
    ),
    # durations
    pytest.param(
        BASE.replace('"1h"', '"-1h"'),
        'duration: expected a duration that is not negative (got "-1h")',
        id="duration-negative",
    ),
    pytest.param(
        BASE.replace('"1h"', '"0s"'),
        'duration: expected a duration longer than 0s (got "0s")',
        id="duration-zero",
    ),
    pytest.param(
        BASE.replace('"1h"', '"1 hour"'),
        f'duration: expected {DURATION} (got "1 hour")',
        id="duration-malformed",
    ),
    pytest.param(
        BASE.replace('"1h"', "3600"),
        f"duration: expected {DURATION} (got 3600)",
        id="duration-number",
    ),
    pytest.param(
        BASE.replace('"1h"', '"30m1h"'),
        'duration: expected units from the largest to the smallest, each once ("1h30m") '
        '(got "30m1h")',
        id="duration-order",
    ),
    pytest.param(
        BASE + RELAYER + 'latency = "-1s"\n',
        'relayers[0].latency: expected a duration that is not negative (got "-1s")',
        id="duration-negative-or-zero-field",
    ),
    pytest.param(
        BASE + 'create_at = "soon"\n',
        f'clients[0].create_at: expected {DURATION}, or "never" (got "soon")',
        id="create-at",
    ),
    pytest.param(
        entry('at = "1m"\naction = "relayer_offline"\nrelayer = "r1"\nfor = "0ms"'),
        'timeline[0].for: expected a duration longer than 0s (got "0ms")',
        id="duration-alias",
    ),
    pytest.param(
        table('[counterparty]\nblock_jitter = "6s"'),
        'counterparty.block_jitter: expected a jitter shorter than the block time (6s) (got "6s")',
        id="jitter",
    ),
    # fractions, numbers, names, lists
    pytest.param(
        BASE + 'trust_level = "1/4"\n',
        'clients[0].trust_level: expected a fraction "n/d" from 1/3 to 1 (got "1/4")',
        id="trust-level-low",
    ),
    pytest.param(
        BASE + 'trust_level = "4/3"\n',
        'clients[0].trust_level: expected a fraction "n/d" from 1/3 to 1 (got "4/3")',
        id="trust-level-high",
    ),
    pytest.param(
        BASE + 'trust_level = "1:3"\n',
        'clients[0].trust_level: expected a fraction "n/d" from 1/3 to 1 (got "1:3")',
        id="trust-level-malformed",
    ),
    pytest.param(
        table('[host]\nquorum = "1/0"'),
        'host.quorum: expected a fraction "n/d" from 0 to 1 (got "1/0")',
        id="quorum",
    ),
    pytest.param(
        table('[host]\nthreshold = "0/2"'),
        'host.threshold: expected a fraction "n/d" above 0, at most 1 (got "0/2")',
        id="threshold",
    ),
    pytest.param(
        BASE + RELAYER + "duplicate = 1\n",
        "relayers[0].duplicate: expected a probability from 0 up to, not including, 1 (got 1)",
        id="probability",
    ),
    pytest.param(top("seed = -1"), "seed: expected a number of at least 0 (got -1)", id="seed"),
    pytest.param(
        table('[counterparty]\nvalidators = [{ name = "a", power = 0 }]'),
        "counterparty.validators[0].power: expected a number greater than 0 (got 0)",
        id="power",
    ),
    pytest.param(
        table("[counterparty]\nvalidators = []"),
        "counterparty.validators: expected at least 1 entry (got an empty list)",
        id="empty-list",
    ),
    pytest.param(
        BASE.replace('name = "main"', 'name = "Main Client"'),
        "clients[0].name: expected a name of up to 48 lowercase letters, digits and dashes "
        '(got "Main Client")',
        id="name",
    ),
    pytest.param(
        BASE.replace('"A scenario to break."', '"""two\nlines"""'),
        "description: expected one line of printable text, at most 300 characters "
        '(got "two\\nlines")',
        id="one-line",
    ),
    # triggers
    pytest.param(
        entry('action = "garbage"\nrelayer = "evil"'),
        "timeline[0]: expected exactly one trigger: at, at_height or after (got none)",
        id="trigger-none",
    ),
    pytest.param(
        entry('at = "1m"\nat_height = 5\naction = "garbage"\nrelayer = "evil"'),
        "timeline[0]: expected exactly one trigger: at, at_height or after (got at and at_height)",
        id="trigger-two",
    ),
    pytest.param(
        entry('at = "1m"\ndelay = "1m"\naction = "garbage"\nrelayer = "evil"'),
        'timeline[0].delay: expected no delay without an after trigger (got "1m")',
        id="trigger-delay",
    ),
    pytest.param(
        entry('at = "2h"\naction = "store_code"\ncontract = "sim-tendermint-v2"'),
        "timeline[0].at: expected a time within the scenario's duration (1h) (got 2h)",
        id="trigger-late",
    ),
    pytest.param(
        BASE + 'create_at = "1d"\n',
        "clients[0].create_at: expected a time within the scenario's duration (1h) (got 1d)",
        id="create-late",
    ),
    # unknown names
    pytest.param(
        BASE + '[[relayers]]\nname = "r1"\nclient = "mian"\n',
        'relayers[0].client: expected one of the clients: main (got "mian")',
        id="ref-relayer-client",
    ),
    pytest.param(
        BASE + '[[monitors]]\nname = "m"\nclient = "other"\n',
        'monitors[0].client: expected one of the clients: main (got "other")',
        id="ref-monitor-client",
    ),
    pytest.param(
        BASE + '[[expect]]\nkind = "max_client_lag"\nclient = "other"\nblocks = 3\n',
        'expect[0].client: expected one of the clients: main (got "other")',
        id="ref-expect-client",
    ),
    pytest.param(
        entry('after = "nowhere"\naction = "store_code"\ncontract = "sim-tendermint-v2"'),
        "timeline[0].after: expected one of the named timeline entries, but there are none "
        '(got "nowhere")',
        id="ref-after",
    ),
    pytest.param(
        entry('at = "1m"\naction = "migrate"\nclient = "other"\ncontract = "sim-tendermint-v2"'),
        'timeline[0].client: expected one of the clients: main (got "other")',
        id="ref-migrate",
    ),
    pytest.param(
        entry('at = "1m"\naction = "recover"\nsubject = "main"\nsubstitute = "main"'),
        "timeline[0].substitute: expected one of the other clients, but there are none "
        '(got "main")',
        id="ref-recover-itself",
    ),
    pytest.param(
        entry('at = "1m"\naction = "create_client"\nclient = "main"'),
        'timeline[0].client: expected one of the clients with create_at = "never", '
        'but there are none (got "main")',
        id="ref-create-client",
    ),
    pytest.param(
        BASE
        + BYZANTINE
        + '[[timeline]]\nat = "1m"\naction = "fork"\nkind = "lunatic"\n'
        + 'coalition = ["alice", "mallory"]\nrelayer = "evil"\n',
        "timeline[0].coalition[1]: expected one of the validators: alice, bob, carol, dave "
        '(got "mallory")',
        id="ref-fork-validator",
    ),
    pytest.param(
        BASE
        + RELAYER
        + '[[timeline]]\nat = "1m"\naction = "fork"\nkind = "equivocation"\n'
        + 'coalition = ["alice"]\nrelayer = "r1"\n',
        "timeline[0].relayer: expected one of the byzantine relayers, but there are none "
        '(got "r1")',
        id="ref-fork-honest-relayer",
    ),
    pytest.param(
        BASE + BYZANTINE + '[[timeline]]\nat = "1m"\naction = "garbage"\nrelayer = "r1"\n',
        'timeline[0].relayer: expected one of the byzantine relayers: evil (got "r1")',
        id="ref-garbage",
    ),
    pytest.param(
        entry('at = "1m"\naction = "relayer_offline"\nrelayer = "r9"\nfor = "1m"'),
        'timeline[0].relayer: expected one of the honest relayers, but there are none (got "r9")',
        id="ref-relayer-offline",
    ),
    pytest.param(
        BASE
        + RELAYER
        + BYZANTINE
        + '[[timeline]]\nat = "1m"\naction = "relayer_offline"\nrelayer = "evil"\nfor = "1m"\n',
        'timeline[0].relayer: expected one of the honest relayers: r1 (got "evil")',
        id="ref-relayer-offline-byzantine",
    ),
    pytest.param(
        BASE + BYZANTINE.replace("byzantine = true", 'byzantine = true\nlatency = "2s"'),
        'relayers[0].latency: expected no link faults on a byzantine relayer (got "2s")',
        id="byzantine-link-faults",
    ),
    pytest.param(
        entry('at = "1m"\naction = "validator_change"\nvalidator = "erin"\npower = 0'),
        "timeline[0].validator: expected one of the validators: alice, bob, carol, dave "
        '(got "erin")',
        id="ref-validator-leaves",
    ),
    pytest.param(
        entry('at = "1m"\naction = "validators_offline"\nvalidators = ["zed"]\nfor = "1m"'),
        "timeline[0].validators[0]: expected one of the validators: alice, bob, carol, dave "
        '(got "zed")',
        id="ref-validators-offline",
    ),
    pytest.param(
        entry(
            'at = "1m"\naction = "store_code"\ncontract = "sim-tendermint-v2"\n'
            'votes = { val-a = "Maybe" }'
        ),
        'timeline[0].votes.val-a: expected one of Yes, No, Abstain, NoWithVeto (got "Maybe")',
        id="vote-option",
    ),
    # duplicate names
    pytest.param(
        BASE + '[[clients]]\nname = "main"\ncontract = "sim-tendermint-v2"\n',
        'clients[1].name: expected a name not taken by clients[0] (got "main")',
        id="dup-client",
    ),
    pytest.param(
        BASE + RELAYER + RELAYER,
        'relayers[1].name: expected a name not taken by relayers[0] (got "r1")',
        id="dup-relayer",
    ),
    pytest.param(
        BASE + '[[monitors]]\nname = "m"\nclient = "main"\n' * 2,
        'monitors[1].name: expected a name not taken by monitors[0] (got "m")',
        id="dup-monitor",
    ),
    pytest.param(
        table(
            '[counterparty]\nvalidators = [{ name = "a", power = 1 }, { name = "a", power = 2 }]'
        ),
        "counterparty.validators[1].name: expected a name not taken by "
        'counterparty.validators[0] (got "a")',
        id="dup-validator",
    ),
    pytest.param(
        table('[host]\nvalidators = [{ name = "v", power = 1 }, { name = "v", power = 1 }]'),
        'host.validators[1].name: expected a name not taken by host.validators[0] (got "v")',
        id="dup-voter",
    ),
    pytest.param(
        BASE
        + BYZANTINE
        + '[[timeline]]\nname = "s"\nat = "1m"\naction = "garbage"\nrelayer = "evil"\n' * 2,
        'timeline[1].name: expected a name not taken by timeline[0] (got "s")',
        id="dup-timeline",
    ),
    pytest.param(
        BASE
        + '[[clients]]\nname = "late"\ncontract = "sim-tendermint-v2"\ncreate_at = "never"\n'
        + '[[timeline]]\nat = "1m"\naction = "create_client"\nclient = "late"\n' * 2,
        'timeline[1].client: expected a client not created by timeline[0] (got "late")',
        id="dup-create-client",
    ),
    pytest.param(
        entry('at = "1m"\naction = "validators_offline"\nvalidators = ["bob", "bob"]\nfor = "1m"'),
        'timeline[0].validators[1]: expected validators listed once each (got "bob")',
        id="dup-in-list",
    ),
]


@pytest.mark.parametrize(("text", "line"), CASES)
def test_a_bad_scenario_gets_one_line(text: str, line: str) -> None:
    error = error_of(text)
    assert str(error) == f"x.toml: {line}"
    assert "\n" not in str(error)
    assert error.source == "x.toml"
    assert line.startswith(f"{error.path}: expected {error.expected}")


def test_the_parts_of_an_error() -> None:
    error = error_of(entry('at = "1m"\naction = "explode"'), source="scenarios/x.toml")
    assert (error.source, error.path, error.got) == (
        "scenarios/x.toml",
        "timeline[0].action",
        '"explode"',
    )
    assert error.expected == f"one of {ACTIONS}"
    assert str(error) == (
        f'scenarios/x.toml: timeline[0].action: expected one of {ACTIONS} (got "explode")'
    )


def cycle_entries(*pairs: tuple[str, str]) -> str:
    text = BASE
    for name, after in pairs:
        text += (
            f'[[timeline]]\nname = "{name}"\nafter = "{after}"\n'
            'action = "store_code"\ncontract = "sim-tendermint-v2"\n'
        )
    return text


def test_a_trigger_cycle_is_named() -> None:
    error = error_of(cycle_entries(("a", "b"), ("b", "a")))
    assert str(error) == (
        "x.toml: timeline[0].after: expected after triggers without a cycle (got a -> b -> a)"
    )


def test_an_entry_waiting_on_itself_is_a_cycle() -> None:
    error = error_of(cycle_entries(("a", "a")))
    assert (error.path, error.got) == ("timeline[0].after", "a -> a")


def test_a_cycle_is_named_from_its_first_entry_in_the_file() -> None:
    # "lead" waits on the cycle without being part of it.
    text = cycle_entries(("lead", "c"), ("d", "c"), ("c", "e"), ("e", "d"))
    error = error_of(text)
    assert (error.path, error.got) == ("timeline[1].after", "d -> c -> e -> d")


def test_every_fault_is_a_line_of_its_own_in_file_order() -> None:
    text = BASE.replace('"1h"', '"1x"') + 'trust_level = "9/1"\n' + RELAYER + "drop = 2.0\n"
    error = error_of(text)
    assert [fault.path for fault in error.faults] == [
        "duration",
        "clients[0].trust_level",
        "relayers[0].drop",
    ]
    assert str(error).splitlines() == error.lines() and len(error.lines()) == 3
    assert error.path == "duration"  # the first fault's parts, for one-fault callers


def test_every_reference_fault_is_a_line_of_its_own() -> None:
    text = (
        BASE
        + RELAYER.replace('client = "main"', 'client = "nope"')
        + '[[timeline]]\nat = "2h"\naction = "migrate"\nclient = "other"\n'
        + 'contract = "sim-tendermint-v2"\n'
    )
    assert error_of(text).lines() == [
        'x.toml: relayers[0].client: expected one of the clients: main (got "nope")',
        "x.toml: timeline[0].at: expected a time within the scenario's duration (1h) (got 2h)",
        'x.toml: timeline[0].client: expected one of the clients: main (got "other")',
    ]


def test_a_file_wrong_in_many_places_says_how_many_more() -> None:
    text = BASE + "".join(
        RELAYER.replace('name = "r1"', f'name = "r{index}"').replace('"main"', f'"c{index}"')
        for index in range(40)
    )
    lines = error_of(text).lines()
    assert len(lines) == 26 and lines[-1] == "x.toml: and 15 more faults"


def test_the_same_file_always_gets_the_same_line(tmp_path: Path) -> None:
    # Several faults at once; the line must not depend on the run (hash seeds, set order).
    text = BASE.replace('"1h"', '"90"') + "zeta = 1\nalpha = 2\n" + RELAYER * 2
    text += '[[timeline]]\naction = "explode"\n'

    path = tmp_path / "many.toml"
    path.write_text(text, encoding="utf-8")
    program = (
        "import sys; from pathlib import Path\n"
        "from relayer_sim.scenario import load_scenario, ScenarioError\n"
        "try:\n    load_scenario(Path(sys.argv[1]))\n"
        "except ScenarioError as error:\n    print(error)\n"
    )
    lines = {
        subprocess.run(
            [sys.executable, "-c", program, str(path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    (output,) = lines
    assert output.startswith(f'{path}: duration: expected {DURATION} (got "90")\n')


def test_an_unforeseen_pydantic_error_is_told_in_its_own_words() -> None:
    error = ValidationError.from_exception_data(
        "Scenario", [{"type": "less_than", "loc": ("seed",), "input": 5, "ctx": {"lt": 1}}]
    )
    (fault,) = faults_of(error, {"seed": 5})
    assert fault.line("x.toml") == "x.toml: seed: expected less than 1 (got 5)"


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: expected an existing file (got no such file)"


def test_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path)
    assert str(caught.value) == f"{tmp_path}: expected a regular file (got a directory)"


def test_a_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    path = tmp_path / "file" / "x.toml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: expected a readable file (got Not a directory)"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE.encode() + 'note = "café"\n'.encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert (
        str(caught.value) == f"{path}: line 8, column 12: expected UTF-8 text (got the byte 0xe9)"
    )


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "mixed.toml"
    path.write_bytes(BASE.encode() + "# é\n# éé".encode() + b"\xff\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.path == "line 9, column 5"


def test_a_file_names_itself_in_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(top("sed = 7"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}: sed: expected one of the fields name, ")


def test_a_file_must_write_durations_as_text_but_python_may_give_nanoseconds() -> None:
    client = ClientSpec(name="c", contract="sim-tendermint-v1", trusting_period=10**9)
    assert client.trusting_period == 10**9
    error = error_of(BASE + "trusting_period = 1000000000\n")
    assert (error.path, error.got) == ("clients[0].trusting_period", "1000000000")


def test_the_command_line_prints_a_line_per_fault_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "three.toml"
    text = BASE.replace('"1h"', '"1x"') + 'trust_level = "9/1"\n' + RELAYER + "drop = 2.0\n"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[2] for line in lines] == [
        "duration",
        "clients[0].trust_level",
        "relayers[0].drop",
    ]
    assert all(line.startswith(f"error: {path}: ") for line in lines)
