"""What ``measure`` finds in a trace: plain frozen records of ints and strs, so that a report,
a comparison, a plot or JSON can use them without reading the trace again.

Times are simulated ns since the start of the run (the trace's ``t``); heights are the trace's
``"R-H"`` strings (revision-height).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Interval:
    """A span of time; ``end_ns`` is None when it was still going at the end of the trace."""

    start_ns: int
    end_ns: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class EventMark:
    """Something worth a vertical line on a plot: ``category`` is one of ``MARK_CATEGORIES``."""

    t_ns: int
    category: str
    label: str


@dataclass(frozen=True, slots=True)
class LagSample:
    """One client next to the counterparty it follows, as sampled after a host block."""

    t_ns: int
    counterparty_height: str | None
    client_height: str | None
    status: str | None
    #: Counterparty blocks produced after the client's height up to the latest one.
    lag_blocks: int | None


@dataclass(frozen=True, slots=True)
class ClientMetrics:
    name: str
    client_id: str
    #: The name of the counterparty it follows.
    counterparty: str
    samples: tuple[LagSample, ...]
    max_lag_blocks: int
    #: Mean of the samples' lags, rounded down.
    mean_lag_blocks: int
    #: Disjoint, in time order; each reason names every cause that overlapped in it.
    downtime: tuple[Interval, ...]
    downtime_ns: int


@dataclass(frozen=True, slots=True)
class ClientRecovery:
    """When a client first followed the counterparty past a consensus switch."""

    client: str
    client_id: str
    #: The host block after which the client's height first reached the switch height.
    first_good_update_ns: int | None
    recovery_ns: int | None


@dataclass(frozen=True, slots=True)
class SwitchRecovery:
    """From the first counterparty block of a new consensus version to every client past it."""

    switch_ns: int
    #: When the last of the clients that existed at the switch got past it (None if one never did).
    first_good_update_ns: int | None
    recovery_ns: int | None
    #: Governance steps from the switch to ``first_good_update_ns`` (or the end), in order.
    steps: tuple[EventMark, ...]
    switch_height: str
    from_version: str
    to_version: str
    clients: tuple[ClientRecovery, ...]
    #: Governance steps before the switch: a prepared upgrade does its governance here.
    steps_before: tuple[EventMark, ...]


@dataclass(frozen=True, slots=True)
class PacketMetrics:
    sent: int
    received: int
    #: Sent but never received in the trace (including those still in flight at its end).
    lost: int
    #: Received later than ``delay_threshold_ns`` after being sent.
    delayed: int
    p50_ns: int | None
    p90_ns: int | None
    p99_ns: int | None
    max_ns: int | None
    #: (time sent, latency) of every received packet, in the order they were sent.
    latencies: tuple[tuple[int, int], ...]
    #: A healthy relay's time: one counterparty block and three host blocks (median gaps);
    #: None with under 2 host blocks.
    delay_threshold_ns: int | None


@dataclass(frozen=True, slots=True)
class ChannelPackets:
    """The packets of one channel (the scenario's name for it)."""

    channel: str
    packets: PacketMetrics


@dataclass(frozen=True, slots=True)
class Detection:
    """An attacked client: when the first fork was sent, reported and punished.

    Evidence, freeze and latency count from the first fork the client accepted (a fork it
    refused failed, there was nothing to catch), or from the first fork sent when it accepted
    none: one that froze the client at once, or a trace that does not say."""

    client: str
    #: The first fork sent to the client.
    fork_ns: int
    evidence_ns: int | None
    frozen_ns: int | None
    latency_ns: int | None
    client_id: str
    #: When the client first accepted a forged header (None if it never did).
    accepted_ns: int | None = None


@dataclass(frozen=True, slots=True)
class Attack:
    """One forged header a byzantine relayer sent: what the client made of it, whether and
    when it was caught, and what it forged."""

    sent_ns: int
    #: The kind of fork (``lunatic``, ``equivocation``…; ``UNKNOWN_KIND`` if the trace is silent).
    kind: str
    #: The validators that signed it (none for an impostor's invented keys).
    coalition: tuple[str, ...]
    client: str
    client_id: str
    #: The forged header's height, and the height it claimed to trust.
    height: str
    trusted: str | None
    #: One of ``ATTACK_OUTCOMES``.
    outcome: str
    #: When the relayer learnt the client's verdict (None: no verdict in the trace).
    outcome_ns: int | None
    #: Why the client refused it, as the client said it.
    reason: str | None
    #: The first evidence against the client from the fork's acceptance on (from its sending
    #: when the trace has no verdict); None for a refused fork, which failed.
    detected_ns: int | None
    #: The client's first freeze from the same moment on.
    frozen_ns: int | None
    #: From the acceptance to the freeze (a fork that froze the client at once, or one with no
    #: verdict: from its sending).
    latency_ns: int | None
    forged_packets_sent: int
    #: Of those, packets the host took as real.
    forged_packets_received: int


@dataclass(frozen=True, slots=True)
class RefusedTransactions:
    """Failed host transactions of one message type that failed for one reason."""

    message: str
    #: The failure as recorded; when the failures differ only in heights, with each height
    #: written ``…`` (``relayer_sim.sim.refusals``). Empty when none was recorded.
    reason: str
    count: int
    first_ns: int


@dataclass(frozen=True, slots=True)
class Exploitation:
    """Forks a byzantine relayer sent and what got through before governance patched the
    client's code (the first ``MsgMigrateContract`` after the first fork)."""

    forks: int
    first_fork_ns: int
    patched_ns: int | None
    #: From the first fork to the patch.
    time_to_patch_ns: int | None
    forged_packets_sent: int
    #: Packets the counterparty never sent that the host took as real.
    forged_packets_received: int
    #: Of those, received after the patch.
    received_after_patch: int


@dataclass(frozen=True, slots=True)
class GasByMessage:
    message: str
    count: int
    ok: int
    sdk_gas_total: int
    #: Totals divided by ``count``, rounded down.
    sdk_gas_mean: int
    contract_gas_total: int
    contract_gas_mean: int


@dataclass(frozen=True, slots=True)
class RunMetrics:
    scenario: str
    seed: int
    #: Time of the trace's last event.
    duration_ns: int
    clients: tuple[ClientMetrics, ...]
    switch: SwitchRecovery | None
    packets: PacketMetrics
    detections: tuple[Detection, ...]
    #: None when no fork was sent.
    exploitation: Exploitation | None
    host_downtime: tuple[Interval, ...]
    host_downtime_ns: int
    gas: tuple[GasByMessage, ...]
    #: Sorted by time.
    marks: tuple[EventMark, ...]
    #: Each channel's packets, in the order of their first packet.
    packets_by_channel: tuple[ChannelPackets, ...] = ()
    #: Every fork sent, in the order sent.
    attacks: tuple[Attack, ...] = ()
    #: Failed host transactions by message and reason, in the order of their first failure.
    refused: tuple[RefusedTransactions, ...] = ()
    #: When a counterparty made no blocks: halted for an upgrade, or stalled for want of power.
    counterparty_downtime: tuple[Interval, ...] = ()

    def packet_rows(self) -> list[tuple[str, PacketMetrics]]:
        """The rows of a packets table: ``all`` packets, after each channel's when there are
        several."""
        if len(self.packets_by_channel) < 2:
            return [("all", self.packets)]
        each = [(channel.channel, channel.packets) for channel in self.packets_by_channel]
        return [*each, ("all", self.packets)]

    def several_counterparties(self) -> bool:
        """Whether the clients follow more than one counterparty (tables then say which)."""
        return len({client.counterparty for client in self.clients}) > 1


# The categories of ``EventMark``: plots and reports key their styles on these names.
CONSENSUS_SWITCH: Final = "consensus_switch"
PROPOSAL_SENT: Final = "proposal_sent"
PROPOSAL_OPEN: Final = "proposal_open"
VOTE: Final = "vote"
PROPOSAL_PASSED: Final = "proposal_passed"
PROPOSAL_REJECTED: Final = "proposal_rejected"
PROPOSAL_FAILED: Final = "proposal_failed"
STORE_CODE: Final = "store_code"
MIGRATE: Final = "migrate"
REMOVE_CHECKSUM: Final = "remove_checksum"
RECOVERY: Final = "recovery"
CLIENT_UPGRADE: Final = "client_upgrade"
#: A host binary upgrade planned by governance (the hard-fork path).
SOFTWARE_UPGRADE: Final = "software_upgrade"
FORK: Final = "fork"
EVIDENCE: Final = "evidence"
FREEZE: Final = "freeze"
HOST_HALT: Final = "host_halt"
HOST_RESTART: Final = "host_restart"
COUNTERPARTY_HALT: Final = "counterparty_halt"
COUNTERPARTY_RESTART: Final = "counterparty_restart"
#: Too little voting power online: the counterparty makes no blocks until it resumes.
COUNTERPARTY_STALL: Final = "counterparty_stall"
COUNTERPARTY_RESUME: Final = "counterparty_resume"

#: The marks that are governance's doing (or a client upgrade): the steps of a recovery.
GOVERNANCE_CATEGORIES: Final = frozenset(
    {
        PROPOSAL_SENT,
        PROPOSAL_OPEN,
        VOTE,
        PROPOSAL_PASSED,
        PROPOSAL_REJECTED,
        PROPOSAL_FAILED,
        STORE_CODE,
        MIGRATE,
        REMOVE_CHECKSUM,
        RECOVERY,
        CLIENT_UPGRADE,
        SOFTWARE_UPGRADE,
    }
)
#: The steps on the way back from a consensus switch: governance's, and a hard fork's halt.
RECOVERY_STEP_CATEGORIES: Final = GOVERNANCE_CATEGORIES | {HOST_HALT, HOST_RESTART}
MARK_CATEGORIES: Final = GOVERNANCE_CATEGORIES | {
    CONSENSUS_SWITCH,
    FORK,
    EVIDENCE,
    FREEZE,
    HOST_HALT,
    HOST_RESTART,
    COUNTERPARTY_HALT,
    COUNTERPARTY_RESTART,
    COUNTERPARTY_STALL,
    COUNTERPARTY_RESUME,
}

# The outcomes of an ``Attack``.
ACCEPTED: Final = "accepted"
FROZE_AT_ONCE: Final = "froze at once"
REFUSED: Final = "refused"
#: The trace ends before the verdict, or predates verdicts.
NO_OUTCOME: Final = "no outcome"
ATTACK_OUTCOMES: Final = (ACCEPTED, FROZE_AT_ONCE, REFUSED, NO_OUTCOME)
#: An ``Attack``'s kind when its ``fork_sent`` does not say.
UNKNOWN_KIND: Final = "?"
