"""What must hold when a scenario ends, one model per ``kind``; a run fails if any does not.

Besides its own fields, an expectation may look at a window of the run (``during = ["20m",
"40m"]``: only what happens in it counts) and compare a count with bounds (``at_least``,
``at_most``, ``exactly``). Each is reported with what was measured.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from relayer_sim.scenario.base import Model, TaggedBy, mismatch
from relayer_sim.scenario.durations import written_duration
from relayer_sim.scenario.fields import (
    Duration,
    DurationOrZero,
    Entries,
    NonNegativeInt,
    PositiveInt,
)

#: A client's status, as 02-client reports it.
Status = Literal["Active", "Frozen", "Expired", "Unauthorized"]


class Windowed(Model):
    """An expectation that may look at a window of the run only."""

    during: Annotated[Entries[DurationOrZero], Field(min_length=2, max_length=2)] | None = None
    """The window it looks at, ``["from", "to"]`` since the start (``["20m", "40m"]``); by
    default the whole run."""

    @model_validator(mode="after")
    def _window_goes_forward(self) -> Windowed:
        if self.during is not None and self.during[0] >= self.during[1]:
            written = ", ".join(f'"{written_duration(time)}"' for time in self.during)
            expected = "a window whose end comes after its start"
            raise mismatch(expected, got=f"[{written}]", field="during")
        return self

    def window(self, end_ns: int) -> tuple[int, int]:
        """The window in ns since the start; the whole run (to ``end_ns``) without one."""
        return (0, end_ns) if self.during is None else (self.during[0], self.during[1])

    def window_text(self) -> str:
        """`` during 20m-40m``, or nothing for the whole run."""
        if self.during is None:
            return ""
        start, end = self.during
        return f" during {written_duration(start)}-{written_duration(end)}"


class Counted(Model):
    """An expectation on a count: at least, at most, or exactly so many."""

    at_least: NonNegativeInt | None = None
    """The count is at least this."""
    at_most: NonNegativeInt | None = None
    """The count is at most this."""
    exactly: NonNegativeInt | None = None
    """The count is this (alone: not with ``at_least`` or ``at_most``)."""

    def _bounded(self) -> None:
        """Called by each kind once its own aliases are folded in: some bound, consistent."""
        if self.exactly is not None and (self.at_least is not None or self.at_most is not None):
            raise mismatch("exactly alone, or at_least and at_most", field="exactly")
        if self.exactly is None and self.at_least is None and self.at_most is None:
            raise mismatch("a bound: at_least, at_most or exactly", field="at_least")
        low, high = self.at_least, self.at_most
        if low is not None and high is not None and low > high:
            raise mismatch("at_least no more than at_most", field="at_most")

    def holds(self, count: int) -> bool:
        if self.exactly is not None:
            return count == self.exactly
        low = self.at_least if self.at_least is not None else 0
        return count >= low and (self.at_most is None or count <= self.at_most)

    def bounds_text(self) -> str:
        """``exactly 3``, ``at least 3``, ``at most 5``, ``between 3 and 5``."""
        if self.exactly is not None:
            return f"exactly {self.exactly}"
        if self.at_least is not None and self.at_most is not None:
            return f"between {self.at_least} and {self.at_most}"
        if self.at_least is not None:
            return f"at least {self.at_least}"
        return f"at most {self.at_most}"


class ExpectClientStatus(Windowed):
    """The client's status: at the end (of the window), after every host block of it
    (``always``), or after none (``never``)."""

    kind: Literal["client_status"] = "client_status"
    """The expectation's kind."""
    client: str
    """The client."""
    status: Status | None = None
    """Its status at the end of the run, or of ``during``."""
    always: Status | None = None
    """The status it has after every host block (of ``during``), from its creation on."""
    never: Status | None = None
    """A status it has after no host block (of ``during``): ``never = "Frozen"``."""

    @model_validator(mode="after")
    def _one_form(self) -> ExpectClientStatus:
        given = [form for form in ("status", "always", "never") if getattr(self, form)]
        if len(given) != 1:
            raise mismatch("one of status, always or never", got=" and ".join(given) or "none")
        return self


class ExpectPacketsDelivered(Counted, Windowed):
    """Packets the counterparties sent (during the window) that the host received by the
    end."""

    kind: Literal["packets_delivered"] = "packets_delivered"
    """The expectation's kind."""
    min: NonNegativeInt | None = None
    """The least number received: the same as ``at_least``."""

    @model_validator(mode="after")
    def _fold_min(self) -> ExpectPacketsDelivered:
        if self.min is not None:
            if self.at_least is not None:
                raise mismatch("min or at_least, not both", field="min")
            object.__setattr__(self, "at_least", self.min)
        self._bounded()
        return self


class ExpectPacketLatency(Windowed):
    """How long packets took from sent to received on the host: a percentile of those sent
    (during the window), a packet never received counting as slower than any bound."""

    kind: Literal["packet_latency"] = "packet_latency"
    """The expectation's kind."""
    percentile: Annotated[int, Field(ge=1, le=100)] = 99
    """Which percentile (nearest rank), from 1 to 100 (the slowest)."""
    at_most: Duration
    """The longest that percentile may be."""


class ExpectMaxClientLag(Windowed):
    """The client never trailed its counterparty by more than this many blocks (during the
    window)."""

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


class ExpectProposalsPassed(Counted):
    """So many governance proposals passed."""

    kind: Literal["proposal_passed"] = "proposal_passed"
    """The expectation's kind."""
    count: NonNegativeInt | None = None
    """The number of passed proposals: the same as ``exactly``."""

    @model_validator(mode="after")
    def _fold_count(self) -> ExpectProposalsPassed:
        _fold_count(self, self.count)
        return self


class ExpectForgedPacketsReceived(Counted):
    """So many packets that the counterparty never sent were received on the host (forged by
    a byzantine relayer and proven against a forked state)."""

    kind: Literal["forged_packets_received"] = "forged_packets_received"
    """The expectation's kind."""
    count: NonNegativeInt | None = None
    """The number of forged packets the host took as real: the same as ``exactly``."""

    @model_validator(mode="after")
    def _fold_count(self) -> ExpectForgedPacketsReceived:
        _fold_count(self, self.count)
        return self


def _fold_count(expectation: Counted, count: int | None) -> None:
    """``count``, the older spelling of ``exactly``, as ``exactly``; then the bounds' check."""
    if count is not None:
        if expectation.exactly is not None:
            raise mismatch("count or exactly, not both", field="count")
        object.__setattr__(expectation, "exactly", count)
    expectation._bounded()


#: An expectation, chosen by its ``kind``.
Expectation = Annotated[
    ExpectClientStatus
    | ExpectPacketsDelivered
    | ExpectPacketLatency
    | ExpectMaxClientLag
    | ExpectMisbehaviourDetected
    | ExpectForgedPacketsReceived
    | ExpectClientHeightAtLeast
    | ExpectProposalsPassed,
    TaggedBy("kind"),
]
