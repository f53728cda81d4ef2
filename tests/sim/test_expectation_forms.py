"""The expectation forms beyond end-of-run values: never and always, windows, bounds on counts
and on packet latency, each met or not by what the run measured."""

from __future__ import annotations

import pytest

from relayer_sim.scenario import ScenarioError, parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM

AWAY = """
name = "away"
description = "A relayer away from 10m to 15m of a half-hour run."
seed = 4
duration = "30m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"

[traffic]
every = "20s"

[[timeline]]
at = "10m"
action = "relayer_offline"
relayer = "r1"
for = "5m"
"""

EXPECTATIONS = {
    'kind = "client_status"\nclient = "main"\nnever = "Frozen"': True,
    'kind = "client_status"\nclient = "main"\nalways = "Active"\nduring = ["1m", "30m"]': True,
    'kind = "client_status"\nclient = "main"\nalways = "Frozen"': False,
    'kind = "client_status"\nclient = "main"\nstatus = "Active"\nduring = ["0s", "20m"]': True,
    'kind = "max_client_lag"\nclient = "main"\nblocks = 3\nduring = ["1m", "9m"]': True,
    'kind = "max_client_lag"\nclient = "main"\nblocks = 3\nduring = ["10m", "15m"]': False,
    'kind = "packets_delivered"\nat_least = 80': True,
    'kind = "packets_delivered"\nat_least = 12\nat_most = 14\nduring = ["0s", "5m"]': True,
    'kind = "packets_delivered"\nexactly = 1000': False,
    'kind = "packet_latency"\npercentile = 50\nat_most = "30s"': True,
    'kind = "packet_latency"\nat_most = "30s"': False,
    'kind = "packet_latency"\nat_most = "30s"\nduring = ["20m", "28m"]': True,
    'kind = "proposal_passed"\nat_most = 0': True,
}


@pytest.fixture(scope="module")
def outcomes(vm: WasmVM, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, str]]:
    text = AWAY + "".join(f"\n[[expect]]\n{body}\n" for body in EXPECTATIONS)
    result = run_scenario(parse_scenario(text, "away.toml"), tmp_path_factory.mktemp("away"), vm=vm)
    assert len(result.outcomes) == len(EXPECTATIONS)
    return {
        body: (outcome.met, f"{outcome.name}: {outcome.detail}")
        for body, outcome in zip(EXPECTATIONS, result.outcomes, strict=True)
    }


@pytest.mark.parametrize(("body", "met"), EXPECTATIONS.items())
def test_each_form_is_met_or_not_by_what_was_measured(
    outcomes: dict[str, tuple[bool, str]], body: str, met: bool
) -> None:
    assert outcomes[body][0] is met, outcomes[body][1]


def test_the_outcomes_say_what_was_measured(outcomes: dict[str, tuple[bool, str]]) -> None:
    said = [text for _, text in outcomes.values()]
    assert "client main is never Frozen: it was Active" in said
    assert "client main is always Frozen: it was Active" in said
    lag = next(text for text in said if "during 10m-15m" in text)
    assert lag.startswith("client main lags at most 3 blocks during 10m-15m: largest lag ")
    assert any(
        text.startswith("packets delivered during 0s-5m: between 12 and 14: 13 of 13")
        for text in said
    )
    assert any("packet latency p99 at most 00:00:30.000: p99 " in text for text in said)


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            'kind = "client_status"\nclient = "main"\nstatus = "Active"\nnever = "Frozen"',
            "expect[0]: expected one of status, always or never (got status and never)",
        ),
        (
            'kind = "max_client_lag"\nclient = "main"\nblocks = 1\nduring = ["20m", "10m"]',
            "expect[0].during: expected a window whose end comes after its start "
            '(got ["20m", "10m"])',
        ),
        (
            'kind = "packets_delivered"\nexactly = 3\nat_least = 1',
            "expect[0].exactly: expected exactly alone, or at_least and at_most (got 3)",
        ),
        (
            'kind = "proposal_passed"',
            "expect[0].at_least: expected a bound: at_least, at_most or exactly (got nothing)",
        ),
        (
            'kind = "packets_delivered"\nat_least = 5\nat_most = 2',
            "expect[0].at_most: expected at_least no more than at_most (got 2)",
        ),
        (
            'kind = "max_client_lag"\nclient = "main"\nblocks = 1\nduring = ["1m", "2h"]',
            "expect[0].during[1]: expected a time within the scenario's duration (30m) (got 2h)",
        ),
        (
            'kind = "packet_latency"\npercentile = 0\nat_most = "1s"',
            "expect[0].percentile: expected a number of at least 1 (got 0)",
        ),
    ],
)
def test_a_form_that_cannot_be_is_refused(body: str, line: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(f"{AWAY}\n[[expect]]\n{body}\n", "x.toml")
    assert str(caught.value) == f"x.toml: {line}"
