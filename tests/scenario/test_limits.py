"""Sanity limits on a scenario's scale: past one, the file is refused with the limit named and
how to loosen it; a ``[limits]`` table that loosens it lets the same file through."""

from __future__ import annotations

import pytest

from relayer_sim.scenario import Limits, ScenarioError, parse_scenario
from relayer_sim.scenario.durations import DAY, MILLISECOND
from relayer_sim.scenario.shipped import shipped_scenarios

BASE = """\
name = "big"
description = "A scenario at the edge of a limit."
duration = "{duration}"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"
"""
RELAYER = '\n[[relayers]]\nname = "r{}"\nclient = "main"\n'
MONITOR = '\n[[monitors]]\nname = "m{}"\nclient = "main"\n'
CLIENT = '\n[[clients]]\nname = "c{}"\ncontract = "sim-tendermint-v1"\n'
SWITCH = '\n[[timeline]]\nat = "{}s"\naction = "consensus_switch"\nversion = "tm-ed25519"\n'


def _validators(count: int) -> str:
    entries = ", ".join(f'{{ name = "v{n}", power = 1 }}' for n in range(count))
    return f"\n[counterparty]\nvalidators = [{entries}]\n"


#: (a scenario past one default limit, the field path refused, the limit, the loosening table)
PAST = [
    pytest.param(_validators(201), "counterparty.validators", "validators", "validators = 201"),
    pytest.param(
        "".join(CLIENT.format(n) for n in range(100)), "clients", "clients", "clients = 101"
    ),
    pytest.param(
        "".join(RELAYER.format(n) for n in range(101)), "relayers", "relayers", "relayers = 101"
    ),
    pytest.param(
        "".join(MONITOR.format(n) for n in range(101)), "monitors", "monitors", "monitors = 101"
    ),
    pytest.param(
        "".join(SWITCH.format(n) for n in range(1001)), "timeline", "timeline", "timeline = 1001"
    ),
    pytest.param('\n[host]\nblock_time = "10ms"\n', "host.block_time", "period", 'period = "10ms"'),
    pytest.param('\n[traffic]\nevery = "50ms"\n', "traffic.every", "period", 'period = "50ms"'),
    pytest.param(
        '\n[traffic]\nevery = "1s"\nsize = 1048576\n',
        "traffic.size",
        "packet_bytes",
        "packet_bytes = 3774873600",
    ),
]


@pytest.mark.parametrize(("extra", "path", "limit", "loosened"), PAST)
def test_past_a_limit_is_refused_and_limits_loosen_it(
    extra: str, path: str, limit: str, loosened: str
) -> None:
    text = BASE.format(duration="1h") + extra
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, "big.toml")
    message = str(refused.value)
    assert message.startswith(f"big.toml: {path}: expected at")
    assert f"(the limit {limit}; a [limits] table with {limit} = " in message
    assert "\n" not in message
    parse_scenario(text + f"\n[limits]\n{loosened}\n")


def test_duration_blocks_and_packets() -> None:
    with pytest.raises(ScenarioError, match=r"duration: expected at most 30d \(the limit duration"):
        parse_scenario(BASE.format(duration="31d"))
    parse_scenario(BASE.format(duration="31d") + '\n[limits]\nduration = "31d"\n')

    month = BASE.format(duration="30d") + '\n[counterparty]\nblock_time = "2s"\n'
    with pytest.raises(ScenarioError, match=r"counterparty\.block_time: expected at most 1000000 "):
        parse_scenario(month)
    parse_scenario(month + "\n[limits]\nblocks = 1296000\n")

    packets = BASE.format(duration="30d") + '\n[traffic]\nevery = "1s"\n'
    with pytest.raises(ScenarioError, match="got 2592000 packets, 1s apart for 30d"):
        parse_scenario(packets)
    parse_scenario(packets + "\n[limits]\npackets = 2592000\n")


def test_validators_a_change_adds_count() -> None:
    change = (
        '\n[[timeline]]\nat = "1m"\naction = "validator_change"\nvalidator = "v200"\npower = 5\n'
    )
    with pytest.raises(ScenarioError, match=r"counterparty\.validators: expected at most 200"):
        parse_scenario(BASE.format(duration="1h") + _validators(200) + change)


def test_the_defaults_and_the_shipped_scenarios() -> None:
    limits = Limits()
    assert (limits.duration, limits.period) == (30 * DAY, 100 * MILLISECOND)
    assert (limits.validators, limits.blocks, limits.packets) == (200, 10**6, 10**6)
    assert limits.packet_bytes == 256 * 2**20
    assert len(shipped_scenarios()) >= 15  # each loaded, so each within the limits
