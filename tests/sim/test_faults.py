"""Faults a scenario injects, run for real: a lossy, slow, duplicating link between a relayer
and the chains; validators changing, leaving and going offline; byzantine relayers with a
backdated header, a forged packet, or keys of their own passed off as the trusted validators.
Each run is short and checked through its trace."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.counterparty.chain import ChainConfig
from relayer_sim.counterparty.roster import RosterChange, RosterError, ValidatorSpec
from relayer_sim.lightclient.headers import Height
from relayer_sim.relayer.link import LinkFaults
from relayer_sim.scenario import parse_scenario
from relayer_sim.sim.runtime import RunResult, run_scenario
from relayer_sim.sim.trace import Event, read_trace
from relayer_sim.vm import WasmVM
from tests.sim import in_tendermint_format

HEALTHY = """
name = "faults"
description = "A short run to inject faults into."
seed = 7
duration = "{duration}"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"
{relayer}

[traffic]
every = "20s"

{rest}
"""


def run(
    vm: WasmVM, tmp_path: Path, relayer: str = "", rest: str = "", duration: str = "15m"
) -> tuple[RunResult, list[Event]]:
    text = HEALTHY.format(duration=duration, relayer=relayer, rest=rest)
    result = run_scenario(parse_scenario(text, "faults.toml"), tmp_path / "out", vm=vm)
    return result, list(read_trace(result.trace_path).events)


def host_txs(events: list[Event]) -> list[dict[str, object]]:
    return [
        tx
        for event in events
        if event.actor == "host" and event.kind == "block"
        for tx in event.data["txs"]
    ]


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ({"latency_ns": -1}, "latency cannot be negative"),
        ({"drop": 1.0}, r"drop must be a probability in \[0, 1\)"),
        ({"duplicate": -0.1}, r"duplicate must be a probability in \[0, 1\)"),
    ],
)
def test_impossible_link_faults_are_refused(faults: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LinkFaults(**faults)  # type: ignore[arg-type]


LOSSY = 'latency = "1s"\ndrop = 0.3\nduplicate = 0.3'


def test_a_lossy_link_delays_and_repeats_but_every_packet_arrives(
    vm: WasmVM, tmp_path: Path
) -> None:
    result, events = run(vm, tmp_path, LOSSY, duration="20m")
    kinds = Counter(event.kind for event in events if event.actor == "r1")
    assert kinds["message_lost"] > 10 and kinds["message_duplicated"] > 5, kinds
    sent = {e.data["sequence"] for e in events if e.kind == "packet_sent"}
    receipts = [tx for tx in host_txs(events) if tx["message"] == "MsgRecvPacket"]
    received = {tx["sequence"] for tx in receipts if tx.get("received")}
    # Nine in ten got through, each exactly once; the rest are still being retried (with half
    # the messages lost, a packet's receipt and its update both arrive one time in two, and
    # the retries back off to 8 times 18 s).
    assert len(sent - received) <= len(sent) // 10 and received <= sent
    assert sum(bool(tx.get("received")) for tx in receipts) == len(received)
    # A duplicated packet is a no-op the second time, not an error.
    assert any(tx["ok"] and tx.get("received") is False for tx in receipts)
    # A packet whose update was lost arrives before the client has its height; it is refused
    # and sent again. Nothing else fails.
    failed = [str(tx["reason"]) for tx in receipts if not tx["ok"]]
    assert all("ensure the client has been updated" in reason for reason in failed), failed
    # The latency shows: nothing the relayer sends lands in the block it looked at.
    first_update = next(e for e in events if e.kind == "update_sent")
    assert first_update.t_ns % 10**9 == 0 and result.ok, result.outcomes


def test_a_lossy_run_replays_byte_for_byte(vm: WasmVM, tmp_path: Path) -> None:
    first, _ = run(vm, tmp_path / "a", LOSSY, duration="5m")
    again, _ = run(vm, tmp_path / "b", LOSSY, duration="5m")
    assert first.trace_path.read_bytes() == again.trace_path.read_bytes()


def test_a_fault_free_link_draws_nothing(vm: WasmVM, tmp_path: Path) -> None:
    """Zero latency and odds leave the run as it was before links existed: the same trace as
    a relayer given no faults at all."""
    plain, _ = run(vm, tmp_path / "a", duration="5m")
    no_faults = 'latency = "0s"\ndrop = 0.0\nduplicate = 0.0'
    explicit, _ = run(vm, tmp_path / "b", no_faults, duration="5m")
    assert plain.trace_path.read_bytes() == explicit.trace_path.read_bytes()


CHURN = """
[[timeline]]
at = "4m30s"
action = "validator_change"
validator = "erin"
power = 300

[[timeline]]
at = "4m30s"
action = "validator_change"
validator = "alice"
power = 0

[[timeline]]
at = "4m30s"
action = "validator_change"
validator = "bob"
power = 0

[[timeline]]
at = "4m30s"
action = "validator_change"
validator = "carol"
power = 0

[[timeline]]
at = "5m"
action = "validator_change"
validator = "dave"
power = 0

[[timeline]]
at = "6m"
action = "validator_change"
validator = "erin"
power = 0
"""


def test_a_skipping_relayer_bisects_across_a_validator_set_change(
    vm: WasmVM, tmp_path: Path
) -> None:
    """Three of four validators leave and a newcomer takes 97 % of the power: the next header
    50 blocks on is signed by 3 % of the trusted power, so the relayer updates to heights in
    between until it verifies the changed set adjacently. The last entry would leave no
    validator: the chain refuses it, the trace says why and the run goes on."""
    result, events = run(vm, tmp_path, 'update = { policy = "lag", blocks = 20 }', CHURN, "25m")
    steps = [
        (int(str(e.data["trusted"]).split("-")[1]), int(str(e.data["height"]).split("-")[1]))
        for e in events
        if e.kind == "update_sent"
    ]
    assert any(target - trusted < 20 for trusted, target in steps[1:]), steps
    assert all(tx["ok"] for tx in host_txs(events) if tx["message"] == "MsgUpdateClient")
    failed = [e for e in events if e.kind == "action_failed"]
    assert len(failed) == 1 and "leaves no validator" in str(failed[0].data["error"])
    assert steps[-1][1] > 200 and result.ok, (steps, result.outcomes)


def test_validators_offline_stall_the_chain_until_they_return(vm: WasmVM, tmp_path: Path) -> None:
    rest = '[[timeline]]\nat = "3m"\naction = "validators_offline"\n'
    rest += 'validators = ["alice"]\nfor = "2m"\n'
    result, events = run(vm, tmp_path, rest=rest, duration="8m")
    stalls = [e for e in events if e.kind == "stalled"]
    resumed = [e for e in events if e.kind == "resumed"]
    assert len(stalls) == 1 and len(resumed) == 1
    assert 110 * 10**9 <= resumed[0].data["stalled_for"] <= 120 * 10**9
    blocks = [e.t_ns for e in events if e.actor == "counterparty" and e.kind == "block"]
    assert not [t for t in blocks if stalls[0].t_ns < t < resumed[0].t_ns]
    assert result.ok, result.outcomes


def test_a_change_that_empties_the_validator_set_is_refused() -> None:
    chain = CounterpartyChain(ChainConfig("gaia", (ValidatorSpec("solo", 1),)))
    with pytest.raises(RosterError, match="leaves no validator"):
        chain.schedule_validator_change(RosterChange(Height(1, 1), "solo", 0))
    assert chain.validator_set(Height(1, 1)).total_power == 1


BYZANTINE = """
[[relayers]]
name = "mallory"
client = "main"
byzantine = true

[[timeline]]
at = "5m"
action = "fork"
kind = "{kind}"
coalition = {coalition}
relayer = "mallory"
{extra}
"""


def test_a_backdated_header_freezes_the_client_by_itself(vm: WasmVM, tmp_path: Path) -> None:
    rest = BYZANTINE.format(kind="backdated", coalition='["alice", "bob"]', extra="")
    rest += '[[expect]]\nkind = "client_status"\nclient = "main"\nstatus = "Frozen"\n'
    result, events = run(vm, tmp_path, rest=rest, duration="8m")
    fork = next(e for e in events if e.kind == "fork_sent")
    frozen = next(e for e in events if e.kind == "client_frozen")
    at, trusted = (int(str(fork.data[k]).split("-")[1]) for k in ("height", "trusted"))
    assert at == trusted + 2 and frozen.t_ns - fork.t_ns <= 10 * 10**9
    assert result.ok, result.outcomes


def test_a_forged_packet_gets_in_through_a_lunatic_header(vm: WasmVM, tmp_path: Path) -> None:
    """With no monitor, the packet the coalition committed to in its forged state is received;
    the honest packets before the attack were all received, the forged one once."""
    rest = BYZANTINE.format(kind="lunatic", coalition='["alice"]', extra="forge_packet = true")
    rest += '[[expect]]\nkind = "forged_packets_received"\ncount = 1\n'
    result, events = run(vm, tmp_path, rest=rest, duration="8m")
    forged = next(e for e in events if e.kind == "forged_packet_sent")
    receipts = [
        tx for tx in host_txs(events) if tx["message"] == "MsgRecvPacket" and tx.get("received")
    ]
    assert [tx["sequence"] for tx in receipts].count(forged.data["sequence"]) == 1
    assert result.ok, result.outcomes


@pytest.mark.parametrize(
    ("contract", "received"), [("sim-tendermint-v1-flawed", 1), ("sim-tendermint-v1", 0)]
)
def test_an_impostor_header_fools_only_the_flawed_client(
    vm: WasmVM, tmp_path: Path, contract: str, received: int
) -> None:
    """Keys the byzantine relayer invented sign a header and vouch for it as the trusted
    validators: the flawed v1 takes it and the forged packet proven against it; v1 refuses
    both. Either way the honest relayer goes on updating the client."""
    rest = BYZANTINE.format(kind="impostor", coalition="[]", extra="forge_packet = true")
    rest += f'[[expect]]\nkind = "forged_packets_received"\ncount = {received}\n'
    rest += '[[expect]]\nkind = "client_status"\nclient = "main"\nstatus = "Active"\n'
    text = HEALTHY.format(duration="8m", relayer="", rest=rest)
    text = text.replace('"sim-tendermint-v1"', f'"{contract}"')
    result = run_scenario(parse_scenario(text, "faults.toml"), tmp_path / "out", vm=vm)
    events = list(read_trace(result.trace_path).events)
    refused = [
        tx
        for tx in host_txs(events)
        if "trusted validator set does not match" in str(tx.get("reason"))
    ]
    assert len(refused) == 1 - received, refused
    fork = next(e for e in events if e.kind == "fork_sent")
    a_minute_later = [
        tx
        for event in events
        if event.actor == "host" and event.kind == "block" and event.t_ns > fork.t_ns + 60 * 10**9
        for tx in event.data["txs"]
        if tx["message"] == "MsgUpdateClient"
    ]
    assert a_minute_later and all(tx["ok"] for tx in a_minute_later), a_minute_later
    assert result.ok, result.outcomes


def test_a_monitor_behind_a_lossy_link_still_freezes_the_forked_client(
    vm: WasmVM, tmp_path: Path
) -> None:
    """Its polls and its evidence may be late or lost; it sends the evidence again until the
    client is frozen, and only then stops."""
    rest = BYZANTINE.format(kind="lunatic", coalition='["alice"]', extra="")
    rest += '[[monitors]]\nname = "eye"\nclient = "main"\npoll = "10s"\n'
    rest += 'latency = "3s"\ndrop = 0.5\n'
    rest += '[[expect]]\nkind = "misbehaviour_detected"\nclient = "main"\nwithin = "5m"\n'
    result, events = run(vm, tmp_path, rest=rest, duration="12m")
    seen = [(e.kind, e.data.get("message")) for e in events if e.actor == "eye"]
    sent = [e.t_ns for e in events if e.actor == "eye" and e.kind == "evidence_sent"]
    frozen = next(e.t_ns for e in events if e.kind == "client_frozen")
    # With this seed the first evidence is lost on the way; the second freezes the client.
    assert ("message_lost", "MsgUpdateClient") in seen and len(sent) == 2, seen
    assert sent[0] < frozen and sent[-1] < frozen
    assert result.ok, result.outcomes


@pytest.mark.parametrize(
    ("kind", "coalition", "status", "refusal"),
    [
        ("equivocation", '["alice", "bob", "carol"]', "Frozen", None),
        ("lunatic", '["alice"]', "Frozen", None),
        ("backdated", '["alice", "bob"]', "Frozen", None),
        ("impostor", "[]", "Active", "trusted validators do not hash to the trusted next"),
    ],
)
def test_every_fork_in_the_tendermint_format(
    vm: WasmVM, tmp_path: Path, kind: str, coalition: str, status: str, refusal: str | None
) -> None:
    """CometBFT headers forged by a coalition (or by keys of the relayer's own) against
    tendermint-v1, with a monitor watching: a fork the client takes is caught, by the client
    itself or by the monitor's evidence (a real ``Misbehaviour``), and the client freezes; the
    impostor is refused with ibc-go's reason and the client stays active."""
    rest = BYZANTINE.format(kind=kind, coalition=coalition, extra="")
    rest += '[[monitors]]\nname = "eye"\nclient = "main"\npoll = "10s"\n'
    rest += f'[[expect]]\nkind = "client_status"\nclient = "main"\nstatus = "{status}"\n'
    text = in_tendermint_format(HEALTHY.format(duration="8m", relayer="", rest=rest))
    result = run_scenario(parse_scenario(text, "faults.toml"), tmp_path / "out", vm=vm)
    events = list(read_trace(result.trace_path).events)
    assert result.ok, result.outcomes
    assert any(e.kind == "fork_sent" for e in events)
    reasons = [str(tx.get("reason")) for tx in host_txs(events) if not tx["ok"]]
    if refusal is None:
        assert any(e.kind == "client_frozen" for e in events)
    else:
        assert [reason for reason in reasons if refusal in reason], reasons
    if kind == "lunatic":  # it verifies; only the monitor's evidence shows the conflict
        assert any(e.actor == "eye" and e.kind == "evidence_sent" for e in events)
