"""The whole packet lifecycle in a run (``scenarios/channels.toml`` and its tendermint twin):
channels opened by the handshakes under a non-default prefix, packets both ways, their
acknowledgements proven back, timeouts by time and by height, an ordered channel closed at both
ends by one, and a delay period every receipt waits out."""

from __future__ import annotations

from pathlib import Path

import pytest

from relayer_sim.formats.ics04 import ChannelState
from relayer_sim.scenario import load_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import Event, read_trace
from relayer_sim.vm import WasmVM
from relayer_sim.world import World

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SECOND = 10**9


def _host_txs(events: list[Event]) -> list[tuple[int, dict[str, object]]]:
    return [
        (event.t_ns, tx)
        for event in events
        if event.actor == "host" and event.kind == "block"
        for tx in event.data["txs"]
    ]


@pytest.mark.parametrize("path", ["channels.toml", "tendermint/channels.toml"])
def test_the_packet_lifecycle_runs_both_ways(vm: WasmVM, tmp_path: Path, path: str) -> None:
    worlds: list[World] = []
    result = run_scenario(load_scenario(SCENARIOS / path), tmp_path, vm=vm, observer=worlds.append)
    assert result.ok, result.outcomes
    world = worlds[-1]
    events = list(read_trace(result.trace_path).events)
    txs = _host_txs(events)
    assert all(tx["ok"] for _, tx in txs if tx["message"] != "MsgSendPacket")

    # Both channels were opened by the four steps of each handshake, under "ibc-store".
    opened = [e.actor for e in events if e.kind == "channel_opened"]
    assert opened == ["open:payments", "open:orders"]
    payments, orders = world.channels["payments"], world.channels["orders"]
    connections = world.host.app.query().connections
    end = connections.connection(payments.host_connection)
    assert (end.counterparty.prefix, end.delay_period_ns) == (b"ibc-store", 45 * SECOND)

    def steps(message: str, port: str) -> list[dict[str, object]]:
        return [tx for _, tx in txs if tx["message"] == message and tx.get("port") == port]

    # Packets from the host came back acknowledged; some timed out, on both channels.
    assert len(steps("MsgAcknowledgement", "transfer")) > 20
    assert steps("MsgTimeout", "transfer") and steps("MsgTimeout", "orders")
    # The ordered channel's timeout closed it, at both ends; the host sends no more on it.
    host_end = world.host.app.query().channels.channel(orders.host_port, orders.host_channel)
    their_end = world.chains[orders.chain].ibc.channel(
        orders.counterparty_port, orders.counterparty_channel
    )
    assert host_end.state == their_end.state == ChannelState.CLOSED
    refused = [tx for tx in steps("MsgSendPacket", "orders") if not tx["ok"]]
    assert refused and all("channel is not OPEN" in str(tx["reason"]) for tx in refused)
    # A packet from the host still in flight when the counterparty closed its end was
    # settled at once by MsgTimeoutOnClose, not left to its timeout a day later.
    assert steps("MsgTimeoutOnClose", "orders")
    # Packets to the host that the relayer's absence let time out were timed out on the
    # counterparty (taken as given there: it runs no client of the host).
    assert any(e.kind == "packet_timed_out" for e in events)

    # The host's SDK events are in the trace, one record each, of ibc-go's types.
    sdk = {e.kind for e in events if e.actor == "host" and e.kind != "block"}
    assert sdk >= {
        "create_client",
        "update_client",
        "connection_open_try",
        "connection_open_confirm",
        "channel_open_try",
        "channel_open_confirm",
        "send_packet",
        "recv_packet",
        "write_acknowledgement",
        "acknowledge_packet",
        "timeout_packet",
        "channel_close",
    }

    # Every receipt waited out the 45 s delay: none was refused, none came sooner.
    sent = {e.data["sequence"]: e.t_ns for e in events if e.kind == "packet_sent"}
    received = [(t, tx["sequence"]) for t, tx in txs if tx["message"] == "MsgRecvPacket"]
    assert received and all(t - sent[sequence] >= 45 * SECOND for t, sequence in received)
