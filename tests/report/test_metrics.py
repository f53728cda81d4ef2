"""Metrics from a trace alone: hand-built traces with known answers, then one real run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relayer_sim.report.metrics import Interval, RunMetrics, measure, to_json
from relayer_sim.report.metrics_packets import percentile
from relayer_sim.scenario import parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import TraceRecorder, read_trace
from relayer_sim.vm import WasmVM

S = 10**9
ID = "08-wasm-0"


class Trace:
    """Writes a trace the way a run would, with the runtime's actor names and record shapes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recorder = TraceRecorder(path)
        self.recorder.header(scenario="hand-built", seed=1, started_ns=0)
        self.host_height = 0

    def host_block(
        self, t: int, *txs: dict[str, Any], proposals: tuple[dict[str, Any], ...] = ()
    ) -> None:
        self.host_height += 1
        self.recorder.record(
            t * S,
            "host",
            "block",
            height=self.host_height,
            app_hash=bytes(32),
            txs=list(txs),
            proposals=list(proposals),
        )

    def chain_block(self, t: int, revision: int, height: int, version: str = "v1") -> None:
        self.recorder.record(
            t * S,
            "counterparty",
            "block",
            height=height,
            revision=revision,
            chain_id=f"gaia-{revision}",
            version=version,
            app_hash=bytes(32),
        )

    def sample(self, t: int, counterparty: str | None, **clients: tuple[str | None, str]) -> None:
        """``name=(height, status)`` per client; the first is ``08-wasm-0``, then -1, -2…"""
        states = {
            name: {
                "id": f"08-wasm-{index}",
                "height": height,
                "status": status,
                "counterparty": "counterparty",
            }
            for index, (name, (height, status)) in enumerate(clients.items())
        }
        heights = {"counterparty": counterparty}
        self.recorder.record(t * S, "metrics", "clients", counterparties=heights, clients=states)

    def event(self, t: int, actor: str, kind: str, **data: object) -> None:
        self.recorder.record(t * S, actor, kind, **data)

    def measure(self) -> RunMetrics:
        self.recorder.close()
        return measure(read_trace(self.path))


def update(ok: bool, client: str = ID, reason: str = "bad header") -> dict[str, Any]:
    tx: dict[str, Any] = {
        "message": "MsgUpdateClient",
        "client": client,
        "ok": ok,
        "gas_used": 100,
        "contract_gas": 1000,
    }
    if not ok:
        tx |= {"error": "ContractError", "reason": reason}
    return tx


def recv(sequence: int, received: bool = True) -> dict[str, Any]:
    return {
        "message": "MsgRecvPacket",
        "port": "transfer",
        "channel": "channel-0",
        "sequence": sequence,
        "ok": True,
        "received": received,
        "gas_used": 30,
        "contract_gas": 300,
    }


@pytest.fixture
def trace(tmp_path: Path) -> Trace:
    return Trace(tmp_path / "trace.msgpack")


def test_lag_counts_blocks_across_a_revision_change(trace: Trace) -> None:
    for t, (revision, height) in enumerate([(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)], start=1):
        trace.chain_block(t, revision, height)
    trace.sample(6, "2-2", main=("1-2", "Active"))  # 1-3, 2-1 and 2-2 are ahead of it
    trace.sample(7, "2-2", main=("2-0", "Active"))  # an upgraded client: 2-1 and 2-2
    trace.sample(8, "2-2", main=("2-2", "Active"))
    trace.sample(9, "2-2", main=("2-7", "Active"))  # a forged header ahead of the chain
    trace.sample(10, None, main=("2-2", "Active"))
    (client,) = trace.measure().clients
    assert (client.name, client.client_id) == ("main", ID)
    assert [sample.lag_blocks for sample in client.samples] == [3, 2, 0, 0, None]
    assert client.samples[0].counterparty_height == "2-2"
    assert client.samples[0].client_height == "1-2" and client.samples[0].status == "Active"
    assert (client.max_lag_blocks, client.mean_lag_blocks) == (3, 1)  # 5 // 4


def test_downtime_runs_from_a_failed_update_to_the_next_good_one(trace: Trace) -> None:
    trace.sample(1, None, main=("1-1", "Active"))
    trace.host_block(5, update(False, reason="unsupported header version: 2"))
    trace.host_block(10, update(False))
    trace.host_block(15, update(True))
    trace.host_block(20, update(False), update(True))  # made good in the same block: no downtime
    trace.host_block(25, update(True, client="08-wasm-9"), update(False, client="08-wasm-9"))
    trace.host_block(30, update(True), update(False))  # failing at the end of the trace
    trace.host_block(40)
    (client,) = trace.measure().clients
    assert client.downtime == (
        Interval(5 * S, 15 * S, "update failed: unsupported header version: 2"),
        Interval(30 * S, None, "update failed: bad header"),
    )
    assert client.downtime_ns == 10 * S + 10 * S  # the open interval runs to the last event


def test_downtime_counts_a_client_left_without_updates_past_its_relayers_policy(
    trace: Trace,
) -> None:
    """The shortest wait the client's relayers allow is 30 s: an Active client not updated
    from 10 s to 100 s is down from 40 s; one still waiting at the end is down to the end."""
    trace.event(0, "r1", "relayer_started", client="main", policy="every_block", stale_after=30 * S)
    trace.event(
        0, "r2", "relayer_started", client="main", policy="before_expiry", stale_after=600 * S
    )
    trace.event(0, "r3", "relayer_started", client="other", policy="every_block", stale_after=S)
    trace.sample(1, "1-1", main=("1-1", "Active"))
    for t in (5, 10, 100, 110):
        trace.host_block(t, update(True))
    trace.host_block(200)
    (client,) = trace.measure().clients
    reason = "no update for longer than its relayers allow (30s)"
    assert client.downtime == (
        Interval(40 * S, 100 * S, reason),
        Interval(140 * S, None, reason),
    )


def test_downtime_while_not_active_or_the_host_is_halted(trace: Trace) -> None:
    trace.sample(5, "1-1", main=("1-1", "Active"))
    trace.sample(10, "1-2", main=("1-1", "Frozen"))
    trace.sample(15, "1-3", main=("1-1", "Frozen"))
    trace.sample(20, "1-4", main=("1-4", "Active"))
    trace.sample(25, "1-5", main=("1-4", "Expired"))
    trace.event(30, "host", "halted", height=6, reason="upgrade v2")
    trace.event(50, "host", "restarted", height=6)
    trace.sample(55, "1-8", main=("1-4", "Expired"))
    trace.sample(60, "1-9", main=("1-9", "Active"))
    (client,) = trace.measure().clients
    assert client.downtime == (
        Interval(10 * S, 20 * S, "status Frozen"),
        Interval(25 * S, 60 * S, "status Expired; host halted at height 6: upgrade v2"),
    )
    assert client.downtime_ns == 45 * S


def test_switch_recovery_and_the_governance_steps_on_the_way(trace: Trace) -> None:
    trace.event(1, "timeline", "action", action="store_code", entry="early")
    trace.event(1, "governance", "proposal_sent", title="store v2")
    trace.chain_block(6, 1, 1)
    trace.chain_block(12, 1, 2)
    trace.sample(13, "1-2", main=("1-1", "Active"))
    trace.chain_block(18, 1, 3, version="v2")  # the switch
    trace.host_block(20, update(True))  # an old header, still accepted: not past the switch
    trace.sample(20, "1-3", main=("1-2", "Active"))
    trace.event(21, "timeline", "action", action="migrate", entry=None)
    trace.event(21, "governance", "proposal_sent", title="migrate main")
    migrate = ["MsgMigrateContract"]
    trace.event(
        25, "governance", "proposal_open", title="migrate main", proposal=7, messages=migrate
    )
    vote = {"message": "MsgVote", "proposal": 7, "option": "Yes", "ok": True}
    trace.host_block(30, vote | {"gas_used": 4, "contract_gas": 0})
    passed = {"id": 7, "status": "Passed", "error": None}
    trace.host_block(40, proposals=(passed,))
    trace.host_block(45, update(True))
    trace.sample(45, "1-4", main=("1-4", "Active"))
    trace.event(50, "governance", "proposal_sent", title="later")
    metrics = trace.measure()
    switch = metrics.switch
    assert switch is not None
    assert (switch.switch_ns, switch.switch_height) == (18 * S, "1-3")
    assert (switch.from_version, switch.to_version) == ("v1", "v2")
    assert (switch.first_good_update_ns, switch.recovery_ns) == (45 * S, 27 * S)
    assert [(c.client, c.first_good_update_ns) for c in switch.clients] == [("main", 45 * S)]
    assert [(mark.t_ns // S, mark.category, mark.label) for mark in switch.steps] == [
        (21, "proposal_sent", "proposal sent: migrate main"),
        (25, "proposal_open", "proposal 7 open: migrate main"),
        (30, "vote", "vote Yes on proposal 7"),
        (40, "proposal_passed", "proposal 7 passed: migrate main"),
        (40, "migrate", "MsgMigrateContract by proposal 7: migrate main"),
    ]
    assert [mark.label for mark in switch.steps_before] == ["proposal sent: store v2"]
    switch_marks = [mark for mark in metrics.marks if mark.category == "consensus_switch"]
    assert [mark.label for mark in switch_marks] == ["v1 → v2 at 1-3"]


def test_a_hard_forks_steps_include_the_upgrade_and_the_halt(trace: Trace) -> None:
    trace.chain_block(6, 1, 1)
    trace.sample(7, "1-1", main=("1-1", "Active"))
    trace.chain_block(12, 1, 2, version="v2")  # the switch
    upgrade = ["MsgSoftwareUpgrade"]
    trace.event(15, "governance", "proposal_open", title="binary v2", proposal=1, messages=upgrade)
    trace.host_block(20, proposals=({"id": 1, "status": "Passed", "error": None},))
    trace.event(30, "host", "halted", height=3, reason="upgrade v2: installing binary v2")
    trace.event(90, "host", "restarted", height=3, binary="v2")
    trace.host_block(90, update(True))
    trace.sample(90, "1-3", main=("1-2", "Active"))
    switch = trace.measure().switch
    assert switch is not None and switch.recovery_ns == 78 * S
    assert [mark.category for mark in switch.steps] == [
        "proposal_open",
        "proposal_passed",
        "software_upgrade",
        "host_halt",
        "host_restart",
    ]


def test_no_switch_no_recovery_and_a_client_that_never_gets_past_it(trace: Trace) -> None:
    trace.chain_block(6, 1, 1)
    trace.sample(7, "1-1", main=("1-1", "Active"))
    trace.chain_block(12, 1, 2, version="v2")
    trace.sample(13, "1-2", main=("1-1", "Active"))
    switch = trace.measure().switch
    assert switch is not None and switch.first_good_update_ns is None
    assert switch.recovery_ns is None and switch.clients[0].recovery_ns is None


def test_packets_latency_percentiles_and_delays(trace: Trace) -> None:
    received_by = {1: 10, 2: 10, 3: 15, 4: 15, 5: 20, 6: 30, 7: 35, 8: 40, 9: 45, 10: 310}
    trace.event(0, "open:transfer", "channel_opened", name="transfer", channel="channel-0")
    for t in range(1, 315):
        if t <= 11:  # packet t is sent at t s; the 11th is never received
            sent = {"sequence": t, "channel": "transfer", "commitment": bytes(32)}
            trace.event(t, "traffic", "packet_sent", **sent)
        if t % 5 == 0:  # a host block every 5 s: delayed means after more than 15 s
            txs = [recv(sequence) for sequence, at in received_by.items() if at == t]
            if t == 20:
                txs.append(recv(2, received=False))  # a repeat is no receipt
            trace.host_block(t, *txs)
    packets = trace.measure().packets
    assert (packets.sent, packets.received, packets.lost) == (11, 10, 1)
    assert packets.latencies[:3] == ((1 * S, 9 * S), (2 * S, 8 * S), (3 * S, 12 * S))
    # Sorted: 8 9 11 12 15 24 28 32 36 300 (s); nearest rank 5, 9 and 10 of 10.
    assert (packets.p50_ns, packets.p90_ns, packets.p99_ns) == (15 * S, 36 * S, 300 * S)
    assert packets.max_ns == 300 * S
    assert packets.delay_threshold_ns == 15 * S and packets.delayed == 5


def test_packets_are_told_apart_by_channel_and_sequence(trace: Trace) -> None:
    """Two counterparties both send sequence 1 on their channel-0: on the host they arrive on
    two channels, and each is received once."""
    opened = (("to-gaia", "channel-0"), ("to-osmosis", "channel-1"))
    for name, host_channel in opened:
        trace.event(0, f"open:{name}", "channel_opened", name=name, channel=host_channel)
    for name, _ in opened:
        trace.event(1, "traffic", "packet_sent", sequence=1, channel=name, commitment=bytes(32))
    trace.host_block(5, recv(1) | {"channel": "channel-1"})
    trace.host_block(10, recv(1))
    packets = trace.measure().packets
    assert (packets.sent, packets.received, packets.lost) == (2, 2, 0)
    assert sorted(latency for _, latency in packets.latencies) == [4 * S, 9 * S]


def test_nearest_rank_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 99) == 7
    values = list(range(1, 101))
    assert [percentile(values, p) for p in (1, 50, 90, 99, 100)] == [1, 50, 90, 99, 100]
    assert percentile([1, 2, 3, 4], 50) == 2


def test_detection_latency_from_fork_to_freeze(trace: Trace) -> None:
    trace.sample(95, "1-1", main=("1-1", "Active"), other=("1-1", "Active"))
    fork = {"coalition": ["alice"], "fork": "lunatic", "height": "1-3", "trusted": "1-1"}
    trace.event(100, "mallory", "fork_sent", client=ID, **fork)
    trace.event(101, "mallory", "fork_sent", client="08-wasm-1", **fork)
    trace.event(120, "watch", "evidence_sent", client=ID, height="1-3")
    trace.event(125, "metrics", "client_frozen", client=ID)
    trace.sample(125, "1-4", main=("1-3", "Frozen"), other=("1-3", "Active"))
    metrics = trace.measure()
    main, other = metrics.detections
    assert (main.client, main.client_id) == ("main", ID)
    assert (main.fork_ns, main.evidence_ns, main.frozen_ns) == (100 * S, 120 * S, 125 * S)
    assert main.latency_ns == 25 * S
    assert (other.client, other.evidence_ns, other.frozen_ns, other.latency_ns) == (
        "other",
        None,
        None,
        None,
    )
    categories = [(mark.t_ns // S, mark.category) for mark in metrics.marks]
    assert categories == [(100, "fork"), (101, "fork"), (120, "evidence"), (125, "freeze")]


def test_each_fork_sent_its_verdict_detection_and_forgery(trace: Trace) -> None:
    """A refused equivocation, a lunatic fork accepted then caught, and a backdated one that
    froze the other client at once; the latency counts from the accepted fork, not the first
    one sent."""
    trace.sample(1, "1-1", main=("1-1", "Active"), other=("1-1", "Active"))
    equivocation = {"coalition": ["mallet"], "fork": "equivocation", "trusted": "1-2"}
    trace.event(10, "mallory", "fork_sent", client=ID, height="1-3", **equivocation)
    trace.event(10, "mallory", "forged_packet_sent", client=ID, sequence=1_000_001, height="1-3")
    reason = "not enough voting power signed: 34 of 100"
    trace.event(
        15, "mallory", "fork_refused", client=ID, height="1-3", fork="equivocation", reason=reason
    )
    lunatic = {"coalition": ["mallet"], "fork": "lunatic", "trusted": "1-5"}
    trace.event(20, "mallory", "fork_sent", client=ID, height="1-9", **lunatic)
    trace.event(20, "mallory", "forged_packet_sent", client=ID, sequence=1_000_002, height="1-9")
    trace.host_block(25, recv(1_000_002))
    trace.event(25, "mallory", "fork_accepted", client=ID, height="1-9", fork="lunatic")
    trace.event(40, "watch", "evidence_sent", client=ID, height="1-9")
    trace.event(45, "metrics", "client_frozen", client=ID)
    backdated = {"coalition": ["alice", "bob"], "fork": "backdated", "trusted": "1-4"}
    trace.event(50, "mallory", "fork_sent", client="08-wasm-1", height="1-6", **backdated)
    trace.event(55, "mallory", "fork_frozen", client="08-wasm-1", height="1-6", fork="backdated")
    trace.event(55, "metrics", "client_frozen", client="08-wasm-1")
    trace.event(60, "mallory", "fork_sent", client=ID, height="1-12", **lunatic)  # no verdict yet
    metrics = trace.measure()
    refused, accepted, froze, pending = metrics.attacks
    assert (refused.sent_ns, refused.kind, refused.coalition) == (
        10 * S,
        "equivocation",
        ("mallet",),
    )
    assert (refused.client, refused.client_id, refused.height, refused.trusted) == (
        "main",
        ID,
        "1-3",
        "1-2",
    )
    assert (refused.outcome, refused.outcome_ns, refused.reason) == ("refused", 15 * S, reason)
    # A refused fork failed: the later evidence and freeze are not its detection.
    assert (refused.detected_ns, refused.frozen_ns, refused.latency_ns) == (None, None, None)
    assert (refused.forged_packets_sent, refused.forged_packets_received) == (1, 0)
    assert (accepted.outcome, accepted.outcome_ns, accepted.reason) == ("accepted", 25 * S, None)
    assert (accepted.detected_ns, accepted.frozen_ns) == (40 * S, 45 * S)
    assert accepted.latency_ns == 20 * S  # from its acceptance, not its sending
    assert (accepted.forged_packets_sent, accepted.forged_packets_received) == (1, 1)
    assert (froze.client, froze.outcome, froze.frozen_ns) == ("other", "froze at once", 55 * S)
    assert froze.latency_ns == 5 * S  # from its sending: it froze the client as it arrived
    assert (pending.outcome, pending.outcome_ns) == ("no outcome", None)
    main, other = metrics.detections
    assert (main.fork_ns, main.accepted_ns, main.evidence_ns, main.frozen_ns) == (
        10 * S,
        25 * S,
        40 * S,
        45 * S,
    )
    assert main.latency_ns == 20 * S
    assert (other.accepted_ns, other.latency_ns) == (None, 5 * S)
    labels = [mark.label for mark in metrics.marks if mark.category == "fork"]
    assert labels == [
        "equivocation fork of main at 1-3 (refused)",
        "lunatic fork of main at 1-9 (accepted)",
        "backdated fork of other at 1-6 (froze at once)",
        "lunatic fork of main at 1-12",
    ]
    assert to_json(metrics)["attacks"][0]["reason"] == reason


def test_refused_transactions_by_message_and_reason(trace: Trace) -> None:
    """Failures that differ only in heights count together; a reason that never varies is
    kept whole, heights and all."""
    late = "client state height < proof height ({} < {}), please update"
    failed_recv = recv(1) | {"ok": False, "received": None}
    trace.host_block(5, update(False, reason="bad header at 1-4"), update(True))
    trace.host_block(
        10,
        failed_recv | {"reason": late.format("1-9", "1-10")},
        update(False, reason="bad header at 1-4"),
    )
    trace.host_block(15, failed_recv | {"reason": late.format("1-9", "1-12")})
    trace.host_block(20, {"message": "MsgVote", "ok": False, "gas_used": 1})
    refused = trace.measure().refused
    assert [(r.message, r.reason, r.count, r.first_ns) for r in refused] == [
        ("MsgUpdateClient", "bad header at 1-4", 2, 5 * S),
        ("MsgRecvPacket", "client state height < proof height (… < …), please update", 2, 10 * S),
        ("MsgVote", "", 1, 20 * S),
    ]


def test_counterparty_halts_and_stalls(trace: Trace) -> None:
    trace.chain_block(1, 1, 1)
    trace.event(10, "counterparty", "stalled", height="1-2", reason="50 of 100 power online")
    trace.event(40, "counterparty", "resumed", stalled_for=30 * S)
    trace.event(50, "counterparty", "halted", chain_id="gaia-1")
    trace.event(55, "counterparty", "restarted", chain_id="gaia-2")
    trace.event(60, "host", "halted", height=3, reason="upgrade")
    trace.event(90, "counterparty", "stalled", height="2-1", reason="power")
    assert trace.measure().counterparty_downtime == (
        Interval(10 * S, 40 * S, "counterparty stalled: 50 of 100 power online"),
        Interval(50 * S, 55 * S, "counterparty halted (gaia-1)"),
        Interval(90 * S, None, "counterparty stalled: power"),
    )


def test_what_forks_got_through_before_and_after_the_patch(trace: Trace) -> None:
    """Forged packets 1000001 and 1000002 are received before the migration passes at 60 s;
    1000003 is received after it (the patch came too late for it), 1000004 never."""
    impostor = {"coalition": [], "fork": "impostor", "height": "1-9", "trusted": "1-7"}

    def fork(t: int, sequence: int) -> None:
        trace.event(t, "mallory", "fork_sent", client=ID, **impostor)
        trace.event(t, "mallory", "forged_packet_sent", client=ID, sequence=sequence)

    fork(20, 1_000_001)
    trace.host_block(25, recv(1_000_001), recv(1, received=True))
    fork(40, 1_000_002)
    trace.host_block(45, recv(1_000_002), recv(1_000_001, received=False))
    migrate = ["MsgMigrateContract"]
    trace.event(50, "governance", "proposal_open", title="fix", proposal=3, messages=migrate)
    fork(55, 1_000_003)
    trace.host_block(60, proposals=({"id": 3, "status": "Passed", "error": None},))
    trace.host_block(65, recv(1_000_003))
    fork(80, 1_000_004)
    found = trace.measure().exploitation
    assert found is not None
    assert (found.forks, found.first_fork_ns) == (4, 20 * S)
    assert (found.patched_ns, found.time_to_patch_ns) == (60 * S, 40 * S)
    assert (found.forged_packets_sent, found.forged_packets_received) == (4, 3)
    assert found.received_after_patch == 1


def test_no_fork_nothing_got_through(trace: Trace) -> None:
    trace.host_block(5, recv(1))
    assert trace.measure().exploitation is None


def test_host_downtime_closed_and_open(trace: Trace) -> None:
    trace.host_block(95)
    trace.event(100, "host", "halted", height=1, reason="upgrade v2")
    trace.event(110, "counterparty", "halted", chain_id="gaia-1")  # the other chain's halt
    trace.event(160, "host", "restarted", height=1)
    trace.event(200, "counterparty", "stalled", height="1-9", reason="too little power")
    trace.event(250, "counterparty", "resumed", stalled_for=50 * S)
    trace.event(300, "host", "halted", height=2, reason="crash")
    trace.event(400, "expect", "outcome", expectation="x", met=True, detail="")
    metrics = trace.measure()
    assert metrics.host_downtime == (
        Interval(100 * S, 160 * S, "host halted at height 1: upgrade v2"),
        Interval(300 * S, None, "host halted at height 2: crash"),
    )
    assert metrics.host_downtime_ns == 60 * S + 100 * S
    assert [(mark.category, mark.label) for mark in metrics.marks] == [
        ("host_halt", "host halted at height 1: upgrade v2"),
        ("counterparty_halt", "gaia-1 halted"),
        ("host_restart", "host restarted"),
        ("counterparty_stall", "too little power"),
        ("counterparty_resume", "resumed after 00:00:50.000"),
        ("host_halt", "host halted at height 2: crash"),
    ]


def test_gas_by_message_type(trace: Trace) -> None:
    trace.host_block(5, update(True), update(False), recv(1))
    trace.host_block(10, update(True))
    gas = {row.message: row for row in trace.measure().gas}
    assert list(gas) == ["MsgRecvPacket", "MsgUpdateClient"]
    updates = gas["MsgUpdateClient"]
    assert (updates.count, updates.ok, updates.sdk_gas_total, updates.sdk_gas_mean) == (
        3,
        2,
        300,
        100,
    )
    assert (updates.contract_gas_total, updates.contract_gas_mean) == (3000, 1000)
    assert gas["MsgRecvPacket"].count == 1


def test_messages_a_proposal_ran_count_apart_in_the_gas_table(trace: Trace) -> None:
    def cost(message: str, gas: int, contract: int) -> dict[str, object]:
        return {"message": message, "gas_used": gas, "contract_gas": contract}

    passed = {"id": 1, "status": "Passed", "error": None, "gas": [cost("MsgStoreCode", 900, 0)]}
    failed = {
        "id": 2,
        "status": "Failed",
        "error": "checksum not found",
        "gas": [cost("MsgStoreCode", 800, 0), cost("MsgMigrateContract", 50, 7)],
    }
    trace.host_block(5, update(True), proposals=(passed, failed))
    gas = {row.message: row for row in trace.measure().gas}
    stored = gas["MsgStoreCode (governance)"]
    assert (stored.count, stored.ok, stored.sdk_gas_total) == (2, 2, 1700)
    migrated = gas["MsgMigrateContract (governance)"]
    assert (migrated.count, migrated.ok, migrated.contract_gas_total) == (1, 0, 7)
    assert gas["MsgUpdateClient"].count == 1


def test_an_empty_trace_measures_to_nothing(trace: Trace) -> None:
    metrics = trace.measure()
    assert (metrics.scenario, metrics.seed, metrics.duration_ns) == ("hand-built", 1, 0)
    assert metrics.clients == () and metrics.switch is None and metrics.detections == ()
    assert metrics.packets.sent == 0 and metrics.packets.p50_ns is None
    assert metrics.packets.delay_threshold_ns is None and metrics.packets.delayed == 0
    assert metrics.host_downtime_ns == 0 and metrics.gas == () and metrics.marks == ()
    assert to_json(metrics)["packets"]["latencies"] == []


SHORT_SWITCH = """
name = "short-switch"
description = "A consensus switch handled reactively, in minutes."
seed = 3
duration = "10m"

[host]
voting_period = "1m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"

[traffic]
every = "20s"

[[timeline]]
name = "switch"
at = "2m"
action = "consensus_switch"
version = "tm-secp256k1"

[[timeline]]
name = "store-v2"
after = "switch"
delay = "30s"
action = "store_code"
contract = "sim-tendermint-v2"

[[timeline]]
after = "store-v2"
delay = "90s"
action = "migrate"
client = "main"
contract = "sim-tendermint-v2"
"""


def test_a_real_run_measures_consistently(vm: WasmVM, tmp_path: Path) -> None:
    result = run_scenario(parse_scenario(SHORT_SWITCH, "short-switch.toml"), tmp_path, vm=vm)
    trace = read_trace(result.trace_path)
    metrics = measure(trace)
    assert metrics.duration_ns == 600 * S == trace.events[-1].t_ns
    times = [mark.t_ns for mark in metrics.marks]
    assert times == sorted(times)
    (client,) = metrics.clients
    host_blocks = [e for e in trace.events if e.kind == "block" and e.actor == "host"]
    assert len(client.samples) <= len(host_blocks)
    assert client.max_lag_blocks == result.metrics.max_lag["main"]  # the runtime's own measure
    # The v1 client breaks at the switch and comes back only after the migration passes.
    switch = metrics.switch
    assert switch is not None and switch.recovery_ns is not None
    categories = [step.category for step in switch.steps]
    assert categories.index("store_code") < categories.index("migrate")
    migrated = next(step.t_ns for step in switch.steps if step.category == "migrate")
    assert switch.first_good_update_ns is not None
    assert switch.switch_ns < migrated <= switch.first_good_update_ns
    (down,) = client.downtime
    assert switch.switch_ns < down.start_ns and down.end_ns == switch.first_good_update_ns
    # Every packet sent is received, but for one still in flight at the end.
    packets = metrics.packets
    assert packets.received == packets.sent - packets.lost and packets.lost <= 1
    assert all(latency > 0 for _, latency in packets.latencies)
    assert packets.max_ns is not None and packets.max_ns > switch.recovery_ns // 2
    # The JSON form holds only JSON's own types and says the same.
    document = to_json(metrics)
    assert json.loads(json.dumps(document)) == document
    assert document["switch"]["recovery_ns"] == switch.recovery_ns
