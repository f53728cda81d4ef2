"""Valid scenario files read into the values they say, with the documented defaults."""

from __future__ import annotations

import typing
from fractions import Fraction
from pathlib import Path

import pytest
from pydantic import BaseModel

import relayer_sim.scenario as scenario_api
from relayer_sim.scenario import (
    After,
    AtHeight,
    AtTime,
    ClientSpec,
    ConsensusSwitch,
    CreateClient,
    DurationError,
    ExpectClientHeightAtLeast,
    ExpectClientStatus,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
    ExpectPacketsDelivered,
    ExpectProposalsPassed,
    Fork,
    Garbage,
    Migrate,
    PlannedUpgrade,
    Recover,
    RelayerOffline,
    RemoveChecksum,
    StoreCode,
    UpdateBeforeExpiry,
    UpdateEveryBlock,
    UpdateOnInterval,
    UpdateOnLag,
    ValidatorChange,
    ValidatorPower,
    ValidatorsOffline,
    format_duration,
    load_scenario,
    parse_duration,
    parse_scenario,
    scenario_contracts,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
MS, S, MIN, H, D = 10**6, 10**9, 60 * 10**9, 3600 * 10**9, 86400 * 10**9

MINIMAL = """
name = "minimal"
description = "The least a scenario says."
duration = "1h"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"
"""

FULL = """
name = "everything-1"
description = "Every section, every action, every expectation."
seed = 42
duration = "2d"

[counterparty]
name = "gaia"
block_time = "5s"
block_jitter = "500ms"
consensus = "tm-secp256k1"
validators = [{ name = "alice", power = 60 }, { name = "bob", power = 40 }]

[host]
chain_id = "osmo-7"
block_time = "3s"
dialect = "v0.1"
voting_period = "1h30m"
quorum = "2/5"
threshold = "2/3"
validators = [{ name = "val-a", power = 3 }, { name = "val-b", power = 1 }]
tx_gas_limit = 5_000_000

[[clients]]
name = "main"
contract = "sim-tendermint-v1"
trusting_period = "7d"
max_clock_drift = "5s"
trust_level = "2/3"
create_at = "10m"

[[clients]]
name = "backup"
contract = "sim-tendermint-v2"
create_at = "never"

[[relayers]]
name = "r1"
client = "main"
update = { policy = "interval", every = "1m" }
packets = false
latency = "200ms"
drop = 0.1
duplicate = 0.05
retry_backoff = "5s"

[[relayers]]
name = "r2"
client = "backup"
update = { policy = "lag", blocks = 10 }

[[relayers]]
name = "evil"
client = "main"
update = { policy = "before_expiry", margin = "1h" }
byzantine = true

[[monitors]]
name = "watch"
client = "main"
poll = "45s"

[[channels]]
name = "payments"
client = "main"
port = "pay"
ordering = "ordered"
version = "pay-1"
delay_period = "1m"

[traffic]
every = "10s"
channel = "payments"
sender = "host"
size = 128
timeout = "5m"
timeout_blocks = 40

[[timeline]]
name = "store"
at = "1h"
action = "store_code"
contract = "sim-tendermint-v2"

[[timeline]]
name = "move"
after = "store"
delay = "15m"
action = "migrate"
client = "main"
contract = "sim-tendermint-v2"

[[timeline]]
after = "move"
action = "consensus_switch"
version = "tm-ed25519"

[[timeline]]
at = "3h"
action = "remove_checksum"
contract = "sim-tendermint-v1"

[[timeline]]
at = "4h"
action = "create_client"
client = "backup"

[[timeline]]
at = "5h"
action = "recover"
subject = "main"
substitute = "backup"

[[timeline]]
at_height = 500
action = "planned_upgrade"
upgrade_name = "v2.0.0"
height = 600

[[timeline]]
at = "6h"
action = "fork"
kind = "lunatic"
coalition = ["alice", "carol"]
relayer = "evil"
height = 700

[[timeline]]
at = "7h"
action = "garbage"
relayer = "evil"

[[timeline]]
at = "8h"
action = "relayer_offline"
relayer = "r1"
for = "20m"

[[timeline]]
at = "9h"
action = "validator_change"
validator = "carol"
power = 25

[[timeline]]
at = "10h"
action = "validators_offline"
validators = ["alice"]
for = "2m"

[[expect]]
kind = "client_status"
client = "main"
status = "Frozen"

[[expect]]
kind = "packets_delivered"
min = 100

[[expect]]
kind = "max_client_lag"
client = "main"
blocks = 20

[[expect]]
kind = "misbehaviour_detected"
client = "main"
within = "5m"

[[expect]]
kind = "client_height_at_least"
client = "backup"
revision = 2
height = 1

[[expect]]
kind = "proposal_passed"
count = 3
"""


def test_a_full_scenario_reads_into_its_values() -> None:
    scenario = parse_scenario(FULL, source="full.toml")

    assert (scenario.name, scenario.seed, scenario.duration) == ("everything-1", 42, 2 * D)
    assert scenario.description == "Every section, every action, every expectation."

    counterparty = scenario.counterparty
    assert (counterparty.name, counterparty.chain_id) == ("gaia", "gaia-1")
    assert (counterparty.block_time, counterparty.block_jitter) == (5 * S, 500 * MS)
    assert counterparty.consensus == "tm-secp256k1"
    assert counterparty.validators == (
        ValidatorPower(name="alice", power=60),
        ValidatorPower(name="bob", power=40),
    )

    host = scenario.host
    assert (host.chain_id, host.block_time, host.dialect) == ("osmo-7", 3 * S, "v0.1")
    assert host.voting_period == 90 * MIN
    assert (host.quorum, host.threshold) == (Fraction(2, 5), Fraction(2, 3))
    assert [(v.name, v.power) for v in host.validators] == [("val-a", 3), ("val-b", 1)]
    assert host.tx_gas_limit == 5_000_000

    main, backup = scenario.clients
    assert main == ClientSpec(
        name="main",
        contract="sim-tendermint-v1",
        trusting_period=7 * D,
        max_clock_drift=5 * S,
        trust_level=(2, 3),
        create_at=10 * MIN,
    )
    assert (backup.contract, backup.create_at) == ("sim-tendermint-v2", None)

    r1, r2, evil = scenario.relayers
    assert r1.update == UpdateOnInterval(every=MIN)
    assert (r1.packets, r1.byzantine, r1.latency) == (False, False, 200 * MS)
    assert (r1.drop, r1.duplicate, r1.retry_backoff) == (0.1, 0.05, 5 * S)
    assert r2.update == UpdateOnLag(blocks=10)
    assert evil.update == UpdateBeforeExpiry(margin=H)
    assert evil.byzantine

    (watch,) = scenario.monitors
    assert (watch.name, watch.client, watch.poll) == ("watch", "main", 45 * S)

    (channel,) = scenario.channels
    assert (channel.name, channel.client, channel.port, channel.ordering) == (
        "payments",
        "main",
        "pay",
        "ordered",
    )
    assert (channel.version, channel.delay_period) == ("pay-1", MIN)
    (traffic,) = scenario.traffic
    assert (traffic.every, traffic.channel, traffic.sender, traffic.size) == (
        10 * S,
        "payments",
        "host",
        128,
    )
    assert (traffic.timeout, traffic.timeout_blocks) == (5 * MIN, 40)

    assert [type(entry) for entry in scenario.timeline] == [
        StoreCode,
        Migrate,
        ConsensusSwitch,
        RemoveChecksum,
        CreateClient,
        Recover,
        PlannedUpgrade,
        Fork,
        Garbage,
        RelayerOffline,
        ValidatorChange,
        ValidatorsOffline,
    ]
    store, move, switch, remove, create, recover, upgrade, fork, garbage, *rest = scenario.timeline
    offline, change, validators_offline = rest
    assert store == StoreCode(name="store", at=H, contract="sim-tendermint-v2")
    assert isinstance(move, Migrate)
    assert (move.client, move.contract, move.after, move.delay) == (
        "main",
        "sim-tendermint-v2",
        "store",
        15 * MIN,
    )
    assert isinstance(switch, ConsensusSwitch)
    assert (switch.version, switch.after, switch.delay) == ("tm-ed25519", "move", 0)
    assert isinstance(remove, RemoveChecksum) and remove.contract == "sim-tendermint-v1"
    assert isinstance(create, CreateClient) and create.client == "backup"
    assert isinstance(recover, Recover)
    assert (recover.subject, recover.substitute) == ("main", "backup")
    assert isinstance(upgrade, PlannedUpgrade)
    assert (upgrade.upgrade_name, upgrade.height, upgrade.at_height) == ("v2.0.0", 600, 500)
    assert isinstance(fork, Fork)
    assert (fork.kind, fork.coalition, fork.relayer, fork.height) == (
        "lunatic",
        ("alice", "carol"),
        "evil",
        700,
    )
    assert isinstance(garbage, Garbage) and (garbage.relayer, garbage.bytes) == ("evil", 200)
    assert isinstance(offline, RelayerOffline)
    assert (offline.relayer, offline.duration) == ("r1", 20 * MIN)
    assert isinstance(change, ValidatorChange)
    assert (change.validator, change.power) == ("carol", 25)
    assert isinstance(validators_offline, ValidatorsOffline)
    assert (validators_offline.validators, validators_offline.duration) == (("alice",), 2 * MIN)

    assert scenario.expect == (
        ExpectClientStatus(client="main", status="Frozen"),
        ExpectPacketsDelivered(min=100),
        ExpectMaxClientLag(client="main", blocks=20),
        ExpectMisbehaviourDetected(client="main", within=5 * MIN),
        ExpectClientHeightAtLeast(client="backup", revision=2, height=1),
        ExpectProposalsPassed(count=3),
    )


def test_triggers_are_values_to_match_on() -> None:
    timeline = parse_scenario(FULL).timeline
    assert timeline[0].trigger == AtTime(H)
    assert timeline[1].trigger == After("store", 15 * MIN)
    assert timeline[2].trigger == After("move", 0)
    assert timeline[6].trigger == AtHeight(500)


def test_omitted_fields_take_their_defaults() -> None:
    scenario = parse_scenario(MINIMAL)

    assert (scenario.seed, scenario.duration) == (0, H)
    (counterparty,) = scenario.counterparty_specs()
    assert (counterparty.name, counterparty.chain_id) == ("counterparty", "counterparty-1")
    assert (counterparty.block_time, counterparty.block_jitter) == (6 * S, 0)
    assert counterparty.consensus == "tm-ed25519"
    assert [(v.name, v.power) for v in counterparty.validators] == [
        ("alice", 40),
        ("bob", 30),
        ("carol", 20),
        ("dave", 10),
    ]
    host = scenario.host
    assert (host.chain_id, host.block_time, host.dialect) == ("host-1", 5 * S, "v10")
    assert (host.voting_period, host.quorum, host.threshold) == (
        10 * MIN,
        Fraction(1, 3),
        Fraction(1, 2),
    )
    assert host.validators == (ValidatorPower(name="val-a", power=1),)
    assert host.tx_gas_limit == 20_000_000
    (client,) = scenario.clients
    assert (client.trusting_period, client.max_clock_drift) == (14 * D, 10 * S)
    assert (client.trust_level, client.create_at) == ((1, 3), 0)
    assert (scenario.relayers, scenario.monitors, scenario.timeline, scenario.expect) == (
        (),
        (),
        (),
        (),
    )
    assert scenario.traffic == scenario.channels == scenario.channel_specs() == ()


def test_relayer_and_monitor_defaults() -> None:
    text = MINIMAL + '[[relayers]]\nname = "r"\nclient = "main"\n'
    text += '[[monitors]]\nname = "m"\nclient = "main"\n[traffic]\nevery = "1s"\n'
    scenario = parse_scenario(text)
    (relayer,) = scenario.relayers
    assert relayer.update == UpdateEveryBlock()
    assert (relayer.packets, relayer.byzantine, relayer.latency) == (True, False, 0)
    assert (relayer.drop, relayer.duplicate, relayer.retry_backoff) == (0.0, 0.0, 2 * S)
    assert scenario.monitors[0].poll == 30 * S
    (traffic,) = scenario.traffic
    assert (traffic.name, traffic.channel, traffic.sender, traffic.size) == (
        "traffic",
        None,
        "counterparty",
        64,
    )
    assert (traffic.timeout, traffic.timeout_blocks) == (24 * H, 0)
    # Traffic and no channel: the default one, over the first client.
    (channel,) = scenario.channel_specs()
    assert (channel.name, channel.client, channel.port, channel.ordering) == (
        "transfer",
        "main",
        "transfer",
        "unordered",
    )
    assert (channel.version, channel.delay_period) == ("ics20-1", 0)
    assert scenario.traffic_channel(traffic) == "transfer"


def test_models_are_frozen() -> None:
    scenario = parse_scenario(MINIMAL)
    with pytest.raises(ValueError, match="frozen"):
        scenario.seed = 1


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("250ms", 250 * MS),
        ("6s", 6 * S),
        ("5m", 5 * MIN),
        ("2h", 2 * H),
        ("14d", 14 * D),
        ("1h30m", 90 * MIN),
        ("1d2h3m4s5ms", D + 2 * H + 3 * MIN + 4 * S + 5 * MS),
        ("0s", 0),
        ("90m", 90 * MIN),
        ("007s", 7 * S),
    ],
)
def test_parse_duration(text: str, nanoseconds: int) -> None:
    assert parse_duration(text) == nanoseconds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 'a duration like "6s", "250ms" or "1h30m"'),
        ("6", 'a duration like "6s", "250ms" or "1h30m"'),
        ("s", 'a duration like "6s", "250ms" or "1h30m"'),
        ("1.5s", 'a duration like "6s", "250ms" or "1h30m"'),
        ("6 s", 'a duration like "6s", "250ms" or "1h30m"'),
        ("6S", 'a duration like "6s", "250ms" or "1h30m"'),
        ("6sec", 'a duration like "6s", "250ms" or "1h30m"'),
        ("1w", 'a duration like "6s", "250ms" or "1h30m"'),
        ("-5s", "a duration that is not negative"),
        ("30m1h", 'units from the largest to the smallest, each once ("1h30m")'),
        ("1h1h", 'units from the largest to the smallest, each once ("1h30m")'),
    ],
)
def test_parse_duration_refuses(text: str, expected: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert caught.value.expected == expected
    assert str(caught.value) == f"expected {expected} (got {text!r})"


@pytest.mark.parametrize("text", ["0s", "250ms", "6s", "1h30m", "14d", "1d2h3m4s5ms"])
def test_format_duration_is_read_back(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


def test_format_duration_takes_the_largest_units() -> None:
    assert format_duration(5400 * S) == "1h30m"
    assert format_duration(48 * H) == "2d"


@pytest.mark.parametrize("nanoseconds", [-S, 1, MS + 1])
def test_format_duration_refuses_what_no_file_can_write(nanoseconds: int) -> None:
    with pytest.raises(ValueError, match="milliseconds"):
        format_duration(nanoseconds)


def test_scenarios_may_name_every_shipped_contract_but_the_test_ones() -> None:
    assert scenario_contracts() == (
        "sim-tendermint-v1",
        "sim-tendermint-v1-flawed",
        "sim-tendermint-v2",
        "tendermint-v1",
        "tendermint-v2",
    )


def _models() -> list[type[BaseModel]]:
    return sorted(
        (
            value
            for value in vars(scenario_api).values()
            if isinstance(value, type) and issubclass(value, BaseModel)
        ),
        key=lambda model: model.__name__,
    )


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_every_model_and_field_is_documented(model: type[BaseModel]) -> None:
    assert model.__doc__, model.__name__
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []


def test_every_action_and_expectation_is_exported() -> None:
    for union in (scenario_api.Action, scenario_api.Expectation):
        (members, *_) = typing.get_args(union)
        for member in typing.get_args(members):
            assert getattr(scenario_api, member.__name__) is member


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda path: path.name)
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def test_the_default_scenario_is_shipped() -> None:
    scenario = load_scenario(SCENARIOS / "quick-start.toml")
    assert scenario.duration == 6 * H
    assert [client.contract for client in scenario.clients] == ["sim-tendermint-v1"]
    assert [relayer.update for relayer in scenario.relayers] == [UpdateEveryBlock()]
    assert [traffic.every for traffic in scenario.traffic] == [30 * S]
    assert scenario.monitors == ()
    assert [type(expectation) for expectation in scenario.expect] == [
        ExpectClientStatus,
        ExpectPacketsDelivered,
        ExpectMaxClientLag,
    ]
