"""Several counterparties in one scenario: ``[[counterparties]]`` beside the ``[counterparty]``
shorthand, and every name that picks a chain (a client's, a chain action's, a height trigger's)
checked when the file is read."""

from __future__ import annotations

import pytest

from relayer_sim.scenario import ScenarioError, parse_scenario

TWO_CHAINS = """
name = "two"
description = "Two counterparties."
duration = "1h"

[[counterparties]]
name = "gaia"

[[counterparties]]
name = "osmosis"
format = "tendermint"
validators = [{ name = "val-1", power = 10 }, { name = "val-2", power = 10 }]

[[clients]]
name = "a"
counterparty = "gaia"
contract = "sim-tendermint-v1"

[[clients]]
name = "b"
counterparty = "osmosis"
contract = "tendermint-v1"

[[relayers]]
name = "evil"
client = "b"
byzantine = true
"""


def refusal(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "x.toml")
    return str(caught.value)


def test_each_client_follows_the_chain_it_names() -> None:
    scenario = parse_scenario(TWO_CHAINS, "x.toml")
    assert [spec.name for spec in scenario.counterparty_specs()] == ["gaia", "osmosis"]
    assert scenario.followed_by("a").name == "gaia"
    assert scenario.followed_by("b").format == "tendermint"


def test_the_shorthand_is_a_list_of_one_and_names_may_be_left_out() -> None:
    text = """
name = "one"
description = "One counterparty."
duration = "1h"

[counterparty]
name = "gaia"

[[clients]]
name = "a"
contract = "sim-tendermint-v1"

[[timeline]]
at_height = 5
action = "consensus_switch"
version = "tm-secp256k1"
"""
    scenario = parse_scenario(text, "x.toml")
    (gaia,) = scenario.counterparty_specs()
    assert scenario.followed_by("a") == gaia
    entry_chain = scenario.entry_counterparty(scenario.timeline[0])
    assert entry_chain is not None and entry_chain.name == "gaia"
    both = text.replace("[counterparty]", "[[counterparties]]\nname = 'x'\n\n[counterparty]")
    assert refusal(both) == (
        "x.toml: counterparties: expected either [counterparty] or [[counterparties]] (got both)"
    )


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            ('counterparty = "gaia"\n', ""),
            "clients[0].counterparty: expected the counterparty it follows: one of gaia, "
            "osmosis (got none)",
        ),
        (
            ('counterparty = "gaia"', 'counterparty = "cosmos"'),
            "clients[0].counterparty: expected one of the counterparties: gaia, osmosis "
            '(got "cosmos")',
        ),
        (
            ('name = "osmosis"', 'name = "gaia"'),
            'counterparties[1].name: expected a name not taken by counterparties[0] (got "gaia")\n'
            "x.toml: clients[1].counterparty: expected one of the counterparties: gaia "
            '(got "osmosis")',
        ),
        (
            ('name = "evil"', 'name = "gaia"'),
            'relayers[0].name: expected a name not taken by counterparties[0] (got "gaia")',
        ),
        (
            ('name = "osmosis"', 'name = "host"'),
            "counterparties[1].name: expected a name other than the simulator's own actors "
            '(host, metrics, governance, timeline, expect) (got "host")\n'
            "x.toml: clients[1].counterparty: expected one of the counterparties: gaia, host "
            '(got "osmosis")',
        ),
    ],
    ids=["client-without-chain", "unknown-chain", "chain-twice", "relayer-as-chain", "reserved"],
)
def test_a_name_that_picks_no_single_chain_is_refused(change: tuple[str, str], line: str) -> None:
    assert refusal(TWO_CHAINS.replace(*change, 1)) == f"x.toml: {line}"


@pytest.mark.parametrize(
    ("entry", "line"),
    [
        (
            'at = "1m"\naction = "consensus_switch"\nversion = "tm-secp256k1"',
            "timeline[0].counterparty: expected the counterparty it acts on: one of gaia, "
            "osmosis (got none)",
        ),
        (
            'at_height = 9\naction = "store_code"\ncontract = "sim-tendermint-v2"',
            "timeline[0].counterparty: expected the counterparty whose height it waits for: "
            "one of gaia, osmosis (got none)",
        ),
        (
            'at = "1m"\ncounterparty = "gaia"\naction = "store_code"\n'
            'contract = "sim-tendermint-v2"',
            "timeline[0].counterparty: expected no counterparty on a store_code entry without "
            'an at_height trigger (got "gaia")',
        ),
        (
            'at = "1m"\ncounterparty = "gaia"\naction = "validators_offline"\n'
            'validators = ["val-1"]\nfor = "1m"',
            "timeline[0].validators[0]: expected one of the validators: alice, bob, carol, dave "
            '(got "val-1")',
        ),
        (
            'at = "1m"\naction = "fork"\nkind = "equivocation"\nrelayer = "evil"\n'
            'coalition = ["alice"]',
            'timeline[0].coalition[0]: expected one of the validators: val-1, val-2 (got "alice")',
        ),
        (
            'at = "1m"\ncounterparty = "gaia"\naction = "fork"\nkind = "equivocation"\n'
            'relayer = "evil"\ncoalition = ["val-1"]',
            "timeline[0].counterparty: expected the counterparty its relayer's client follows, "
            'osmosis (got "gaia")',
        ),
        (
            'at = "1m"\naction = "migrate"\nclient = "b"\ncontract = "sim-tendermint-v2"',
            "timeline[0].contract: expected a contract that reads the format of the client's "
            'counterparty, tendermint (got "sim-tendermint-v2", which reads sim-tendermint)',
        ),
    ],
    ids=[
        "switch-without-chain",
        "height-without-chain",
        "chain-on-store-code",
        "validator-of-the-other-chain",
        "coalition-of-the-other-chain",
        "fork-on-another-chain",
        "migrate-to-the-other-format",
    ],
)
def test_a_timeline_entry_acts_on_one_named_chain(entry: str, line: str) -> None:
    assert refusal(f"{TWO_CHAINS}\n[[timeline]]\n{entry}\n") == f"x.toml: {line}"


def test_each_chain_has_its_own_validators_power_and_limits() -> None:
    joins = (
        '\n[[timeline]]\nat = "1m"\ncounterparty = "osmosis"\naction = "validator_change"\n'
        'validator = "alice"\npower = 1152921504606846975\n'
    )
    # alice joining osmosis counts against osmosis's power, with its val-1 and val-2
    assert refusal(TWO_CHAINS + joins) == (
        "x.toml: counterparties[1].validators: expected powers adding up to at most "
        "1152921504606846975 (CometBFT's maximum) (got 1152921504606846995)"
    )
    fast = TWO_CHAINS.replace('name = "osmosis"', 'name = "osmosis"\nblock_time = "10ms"')
    assert refusal(fast).startswith("x.toml: counterparties[1].block_time: expected at least")


def test_native_clients_follow_chains_of_one_format() -> None:
    native = TWO_CHAINS.replace('contract = "sim-tendermint-v1"', 'contract = "native"').replace(
        'contract = "tendermint-v1"', 'contract = "native"'
    )
    assert refusal(native) == (
        "x.toml: clients[1].counterparty: expected a counterparty of sim-tendermint, the format "
        "of the other native clients (got a counterparty of tendermint)"
    )
