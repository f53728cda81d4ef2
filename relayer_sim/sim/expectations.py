"""The scenario's expectations, checked against the world at the end of a run: each one met or
not, with the measured value, so a failed run says which one and by how much."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from relayer_sim.host.errors import HostError
from relayer_sim.lightclient.headers import Height
from relayer_sim.scenario import (
    Expectation,
    ExpectClientHeightAtLeast,
    ExpectClientStatus,
    ExpectForgedPacketsReceived,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
    ExpectPacketLatency,
    ExpectPacketsDelivered,
    ExpectProposalsPassed,
)
from relayer_sim.scenario.durations import written_duration
from relayer_sim.sim.metrics import Metrics
from relayer_sim.sim.timefmt import format_elapsed
from relayer_sim.world import World


@dataclass(frozen=True)
class Outcome:
    name: str
    met: bool
    detail: str


def check_expectations(
    expectations: Sequence[Expectation], world: World, metrics: Metrics
) -> list[Outcome]:
    return [_check(expectation, world, metrics) for expectation in expectations]


def _check(expectation: Expectation, world: World, metrics: Metrics) -> Outcome:
    end_ns = world.clock.now_ns
    match expectation:
        case ExpectClientStatus():
            return _client_status(expectation, world, metrics)
        case ExpectPacketsDelivered():
            indices = metrics.packets.in_window(*expectation.window(end_ns))
            received = len(metrics.packets.latencies(indices)[0])
            return Outcome(
                f"packets delivered{expectation.window_text()}: {expectation.bounds_text()}",
                expectation.holds(received),
                f"{received} of {len(indices)} sent were delivered",
            )
        case ExpectPacketLatency(percentile=percentile, at_most=bound):
            return _packet_latency(expectation, metrics, end_ns, percentile, bound)
        case ExpectMaxClientLag(client=client, blocks=blocks):
            if expectation.during is None:
                lag = metrics.max_lag.get(client, 0)
            else:
                lag = metrics.lag_peaks[(client, *expectation.window(end_ns))]
            return Outcome(
                f"client {client} lags at most {blocks} blocks{expectation.window_text()}",
                client in world.clients and lag <= blocks,
                f"largest lag {lag} block{'' if lag == 1 else 's'}",
            )
        case ExpectClientHeightAtLeast(client=client, revision=revision, height=height):
            clients = world.host.app.query().clients
            wanted = Height(revision, height)
            try:
                actual_height: Height | None = clients.latest_height(world.clients[client])
            except (KeyError, HostError):
                actual_height = None
            return Outcome(
                f"client {client} reaches {wanted}",
                actual_height is not None and actual_height >= wanted,
                f"it is at {actual_height}",
            )
        case ExpectMisbehaviourDetected(client=client, within=within):
            return _detection(client, within, world, metrics)
        case ExpectProposalsPassed():
            passed = metrics.proposals_passed
            return Outcome(
                f"proposals passed: {expectation.bounds_text()}",
                expectation.holds(passed),
                f"{passed} passed",
            )
        case ExpectForgedPacketsReceived():
            packets = world.host.app.query().packets
            received = sum(packets.received(packet) for packet in world.forged)
            return Outcome(
                f"forged packets received: {expectation.bounds_text()}",
                expectation.holds(received),
                f"{received} of {len(world.forged)} forged were received",
            )
    assert_never(expectation)


def _client_status(expectation: ExpectClientStatus, world: World, metrics: Metrics) -> Outcome:
    """At the end (of the window): the status then; ``always``/``never``: every sample of
    the window."""
    client, window = expectation.client, expectation.window_text()
    if expectation.status is not None:
        actual, where = "not created", ""
        if expectation.during is None:
            if client in world.clients:
                clients = world.host.app.query().clients
                actual = str(clients.query_status(world.clients[client], world.host_env()))
        else:
            end = expectation.during[1]
            actual = (metrics.statuses_in(client, end, end) or [actual])[-1]
            where = f" at {written_duration(end)}"
        return Outcome(
            f"client {client} is {expectation.status}{where}",
            actual == expectation.status,
            f"it is {actual}",
        )
    seen = metrics.statuses_in(client, *expectation.window(world.clock.now_ns))
    shown = ", ".join(dict.fromkeys(seen)) or "none: the client did not exist"
    if expectation.always is not None:
        wanted = expectation.always
        met = bool(seen) and all(status == wanted for status in seen)
        return Outcome(f"client {client} is always {wanted}{window}", met, f"it was {shown}")
    unwanted = expectation.never
    return Outcome(
        f"client {client} is never {unwanted}{window}", unwanted not in seen, f"it was {shown}"
    )


def _packet_latency(
    expectation: ExpectPacketLatency, metrics: Metrics, end_ns: int, percentile: int, bound: int
) -> Outcome:
    """The nearest-rank percentile of the latencies of the packets sent in the window, a
    packet never received ranking above every received one."""
    indices = metrics.packets.in_window(*expectation.window(end_ns))
    latencies, lost = metrics.packets.latencies(indices)
    name = (
        f"packet latency p{percentile} at most {format_elapsed(bound)}{expectation.window_text()}"
    )
    if not indices:
        return Outcome(name, True, "no packet was sent")
    rank = max(1, (percentile * len(indices) + 99) // 100)
    if rank > len(latencies):
        detail = f"{lost} of {len(indices)} never received, beyond p{percentile}"
        return Outcome(name, False, detail)
    value = latencies[rank - 1]
    detail = f"p{percentile} {format_elapsed(value)} over {len(indices)} packets"
    return Outcome(name, value <= bound, detail + (f", {lost} never received" if lost else ""))


def _detection(client: str, within: int, world: World, metrics: Metrics) -> Outcome:
    """From the first forged header the client accepted to its freeze; a client that took a
    fork as misbehaviour at once froze as it arrived."""
    name = f"misbehaviour on {client} detected within {written_duration(within)}"
    sent, frozen = world.forks.get(client), metrics.frozen_at.get(client)
    accepted = world.forks_accepted.get(client)
    if sent is None:
        return Outcome(name, False, "no fork was sent")
    if frozen is None:
        detail = "a fork was accepted" if accepted is not None else "no fork was accepted"
        return Outcome(name, False, f"the client never froze ({detail})")
    start, what = (sent, "sent") if accepted is None else (accepted, "accepted")
    latency = frozen - start
    detail = f"frozen {format_elapsed(latency)} after the fork was {what}"
    return Outcome(name, latency <= within, detail)
