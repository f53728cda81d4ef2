"""What must hold when a scenario ends, one model per ``kind``; a run fails if any does not."""

from __future__ import annotations

from typing import Annotated, Literal

from relayer_sim.scenario.base import Model, TaggedBy
from relayer_sim.scenario.fields import Duration, NonNegativeInt, PositiveInt


class ExpectClientStatus(Model):
    """The client ends with this status."""

    kind: Literal["client_status"] = "client_status"
    """The expectation's kind."""
    client: str
    """The client."""
    status: Literal["Active", "Frozen", "Expired", "Unauthorized"]
    """Its status at the end, as 02-client reports it."""


class ExpectPacketsDelivered(Model):
    """At least this many packets were received on the host."""

    kind: Literal["packets_delivered"] = "packets_delivered"
    """The expectation's kind."""
    min: NonNegativeInt
    """The least number of packets received."""


class ExpectMaxClientLag(Model):
    """The client never trailed the counterparty by more than this many blocks."""

    kind: Literal["max_client_lag"] = "max_client_lag"
    """The expectation's kind."""
    client: str
    """The client."""
    blocks: NonNegativeInt
    """The largest lag allowed (counterparty height minus client height), once the client exists."""


class ExpectMisbehaviourDetected(Model):
    """The client was frozen for misbehaviour soon enough after a bad header was accepted."""

    kind: Literal["misbehaviour_detected"] = "misbehaviour_detected"
    """The expectation's kind."""
    client: str
    """The client."""
    within: Duration
    """The longest allowed time from the bad header to the freeze."""


class ExpectClientHeightAtLeast(Model):
    """The client ends at or past a height (for instance past a planned upgrade)."""

    kind: Literal["client_height_at_least"] = "client_height_at_least"
    """The expectation's kind."""
    client: str
    """The client."""
    revision: NonNegativeInt
    """The revision of the height."""
    height: PositiveInt
    """The height within that revision."""


class ExpectProposalsPassed(Model):
    """Exactly this many governance proposals passed."""

    kind: Literal["proposal_passed"] = "proposal_passed"
    """The expectation's kind."""
    count: NonNegativeInt
    """The number of passed proposals."""


class ExpectForgedPacketsReceived(Model):
    """Exactly this many packets that the counterparty never sent were received on the host
    (forged by a byzantine relayer and proven against a forked state)."""

    kind: Literal["forged_packets_received"] = "forged_packets_received"
    """The expectation's kind."""
    count: NonNegativeInt
    """The number of forged packets the host took as real."""


#: An expectation, chosen by its ``kind``.
Expectation = Annotated[
    ExpectClientStatus
    | ExpectPacketsDelivered
    | ExpectMaxClientLag
    | ExpectMisbehaviourDetected
    | ExpectForgedPacketsReceived
    | ExpectClientHeightAtLeast
    | ExpectProposalsPassed,
    TaggedBy("kind"),
]
