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
    ExpectPacketsDelivered,
    ExpectProposalsPassed,
)
from relayer_sim.sim.metrics import Metrics
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
    clients = world.host.app.query().clients
    match expectation:
        case ExpectClientStatus(client=client, status=status):
            actual = "not created"
            if client in world.clients:
                actual = str(clients.query_status(world.clients[client], world.host_env()))
            return Outcome(f"client {client} is {status}", actual == status, f"it is {actual}")
        case ExpectPacketsDelivered(min=minimum):
            packets = world.host.app.query().packets
            delivered = sum(log.delivered(packets.received) for log in world.sent.values())
            return Outcome(
                f"at least {minimum} packets delivered",
                delivered >= minimum,
                f"{delivered} of {world.packets_sent()} sent were delivered",
            )
        case ExpectMaxClientLag(client=client, blocks=blocks):
            lag = metrics.max_lag.get(client, 0)
            return Outcome(
                f"client {client} lags at most {blocks} blocks",
                client in world.clients and lag <= blocks,
                f"largest lag {lag} blocks",
            )
        case ExpectClientHeightAtLeast(client=client, revision=revision, height=height):
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
            forked, frozen = world.forks.get(client), metrics.frozen_at.get(client)
            if forked is None or frozen is None:
                detail = "no fork was sent" if forked is None else "the client never froze"
                return Outcome(f"misbehaviour on {client} detected", False, detail)
            latency = frozen - forked
            return Outcome(
                f"misbehaviour on {client} detected within {within / 10**9:g} s",
                latency <= within,
                f"frozen {latency / 10**9:g} s after the fork was sent",
            )
        case ExpectProposalsPassed(count=count):
            return Outcome(
                f"{count} proposals passed",
                metrics.proposals_passed == count,
                f"{metrics.proposals_passed} passed",
            )
        case ExpectForgedPacketsReceived(count=count):
            packets = world.host.app.query().packets
            received = sum(packets.received(packet) for packet in world.forged)
            return Outcome(
                f"{count} forged packets received",
                received == count,
                f"{received} of {len(world.forged)} forged were received",
            )
    assert_never(expectation)
