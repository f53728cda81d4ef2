"""``[counterparty] format``: the wire format the counterparty speaks, ``sim-tendermint`` by
default, which every contract the scenario names must read; what a format cannot honour yet is
one line naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.scenario import ScenarioError, parse_scenario
from relayer_sim.scenario.contracts import format_read_by
from relayer_sim.sim.runtime import chain_config


def text(contract: str, format_line: str = "", timeline: str = "") -> str:
    return f"""\
name = "t"
description = "The counterparty's wire format."
duration = "1h"

[counterparty]
{format_line}

[[clients]]
name = "main"
contract = "{contract}"
{timeline}"""


def refusal(scenario: str, base_dir: Path | None = None) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario, "x.toml", base_dir)
    return str(caught.value)


def test_the_default_format_is_sim_tendermint() -> None:
    assert parse_scenario(text("sim-tendermint-v1")).counterparty.format == "sim-tendermint"
    explicit = parse_scenario(text("sim-tendermint-v2", 'format = "sim-tendermint"'))
    assert explicit.counterparty.format == "sim-tendermint"


def test_an_unknown_format_is_refused() -> None:
    assert refusal(text("sim-tendermint-v1", 'format = "cometbft"')) == (
        'x.toml: counterparty.format: expected one of sim-tendermint, tendermint (got "cometbft")'
    )


def test_shipped_contracts_read_the_format_their_name_says() -> None:
    assert format_read_by("sim-tendermint-v1") == "sim-tendermint"
    assert format_read_by("sim-tendermint-v1-flawed") == "sim-tendermint"
    assert format_read_by("tendermint-v1") == "tendermint"
    assert format_read_by("native") is None


def test_a_contract_of_the_other_format_is_refused_with_its_field() -> None:
    tendermint = 'format = "tendermint"'
    assert refusal(text("sim-tendermint-v1", tendermint)) == (
        "x.toml: clients[0].contract: expected a contract that reads the counterparty's format, "
        'tendermint (got "sim-tendermint-v1", which reads sim-tendermint)'
    )


def test_the_native_client_reads_either_format() -> None:
    """The host binary carries its native client's rules for each format."""
    for wire in ("sim-tendermint", "tendermint"):
        scenario = parse_scenario(text("native", f'format = "{wire}"'))
        assert scenario.counterparty.format == wire
        assert scenario.clients[0].contract == "native"


def test_a_trusting_period_the_tendermint_format_cannot_honour_is_refused() -> None:
    """ibc-go's ClientState.Validate: the trusting period must stay below the unbonding period,
    which the tendermint counterparty publishes as 21 days."""

    def trusting(contract: str, period: str, format_line: str = "") -> str:
        written = f'contract = "{contract}"'
        return text(contract, format_line).replace(
            written, f'{written}\ntrusting_period = "{period}"'
        )

    tendermint = 'format = "tendermint"'
    assert parse_scenario(trusting("tendermint-v1", "20d", tendermint)).clients[0]
    assert refusal(trusting("tendermint-v1", "21d", tendermint)) == (
        "x.toml: clients[0].trusting_period: expected a duration below 21d, the counterparty's "
        'unbonding period in the tendermint format (got "21d")'
    )
    sim = parse_scenario(trusting("sim-tendermint-v1", "30d"))
    assert sim.clients[0].trusting_period == 30 * 24 * 3600 * 10**9


def test_a_contract_file_may_read_either_format(tmp_path: Path) -> None:
    (tmp_path / "client.wasm").write_bytes(load_contract("sim-tendermint-v1"))
    store = '[[timeline]]\nat = "5m"\naction = "store_code"\ncontract = "sim-tendermint-v2"\n'
    for wire in ("sim-tendermint", "tendermint"):
        scenario = parse_scenario(text("client.wasm", f'format = "{wire}"'), "x.toml", tmp_path)
        assert scenario.counterparty_specs()[0].format == wire
    assert refusal(text("client.wasm", 'format = "tendermint"', store), tmp_path) == (
        "x.toml: timeline[0].contract: expected a contract that reads a format a counterparty "
        'speaks, tendermint (got "sim-tendermint-v2", which reads sim-tendermint)'
    )
    migrate = store.replace('"store_code"', '"migrate"\nclient = "main"')
    assert refusal(text("client.wasm", 'format = "tendermint"', migrate), tmp_path).startswith(
        "x.toml: timeline[0].contract: expected a contract that reads the format of the "
        "client's counterparty, tendermint"
    )


def test_the_runtime_gives_the_counterparty_its_format(tmp_path: Path) -> None:
    (tmp_path / "client.wasm").write_bytes(load_contract("sim-tendermint-v1"))
    for wire in ("sim-tendermint", "tendermint"):
        scenario = parse_scenario(text("client.wasm", f'format = "{wire}"'), "x.toml", tmp_path)
        assert chain_config(scenario, scenario.counterparty_specs()[0], 0).format == wire
