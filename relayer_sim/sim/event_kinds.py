"""Every kind of event a run writes to its trace, who writes it and what it says.

A trace is read by people (``trace show --kind``) and by tools, so its kinds are a contract:
they are listed here, told in ``docs/scenarios.md``, and a test runs every shipped scenario and
fails on a kind this list does not have. The host's SDK events (``recv_packet``…) are ibc-go's
and listed in ``relayer_sim.host.events``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from relayer_sim.host.events import SDK_EVENT_TYPES


@dataclass(frozen=True)
class EventKind:
    """Who records events of a kind (the trace's ``actor``) and what one says."""

    by: str
    says: str


#: The simulator's own kinds, by kind.
RUN_EVENTS: Final[Mapping[str, EventKind]] = {
    "block": EventKind(
        "`host`; each counterparty (its actor is named after it)",
        "A block. The host's: its height, app hash, transactions (message, subject, `ok`, gas, "
        "the error and its reason) and the proposals that ended (with what each message they "
        "ran cost). A counterparty's: its height, "
        "revision, chain id, consensus version and app hash.",
    ),
    "halted": EventKind(
        "`host`; a counterparty",
        "The chain stopped for an upgrade: the host at a software upgrade's height (with why), "
        "a counterparty at its planned upgrade's.",
    ),
    "restarted": EventKind(
        "`host`; a counterparty",
        "The chain runs again: the host under its new binary, a counterparty as its next revision.",
    ),
    "tx_refused": EventKind(
        "`host`",
        "A transaction of the block before it failed: its index, message type and the reason "
        "(the error ibc-go or the contract gave). Its writes were rolled back.",
    ),
    "stalled": EventKind(
        "a counterparty", "Too little voting power is online to make a block, and why."
    ),
    "resumed": EventKind("a counterparty", "Blocks again after a stall, and how long it lasted."),
    "clients": EventKind(
        "`metrics`",
        "After each host block: each counterparty's latest height, and each client's id, "
        "height, status and the counterparty it follows.",
    ),
    "client_frozen": EventKind("`metrics`", "A client a fork was sent to was first seen frozen."),
    "client_created": EventKind("`create:<client>`", "The host created the client: its id."),
    "client_creation_failed": EventKind(
        "`create:<client>`", "The creation was refused (or not run yet); tried again."
    ),
    "handshake_step": EventKind(
        "`open:<channel>`",
        "A step of a connection or channel handshake done on one chain (`chain`).",
    ),
    "handshake_step_failed": EventKind(
        "`open:<channel>`", "A host step was refused, with why; tried again later."
    ),
    "channel_opened": EventKind(
        "`open:<channel>`", "Both ends are open: the connections and channels on each chain."
    ),
    "packet_sent": EventKind(
        "a traffic entry", "A counterparty committed to a packet: sequence, channel, commitment."
    ),
    "host_packet_sent": EventKind("a traffic entry", "The host sent a packet (`MsgSendPacket`)."),
    "packet_not_sent": EventKind(
        "a traffic entry", "A packet could not be sent (its channel is closed), and why."
    ),
    "relayer_started": EventKind(
        "a relayer",
        "At the start: the client it serves, its update policy, and `stale_after`: how long "
        "that policy lets the client go without an update (a report counts longer as down).",
    ),
    "update_sent": EventKind("a relayer", "It sent `MsgUpdateClient`: the heights it proves."),
    "upgrade_sent": EventKind(
        "a relayer", "It sent `MsgUpgradeClient` after its counterparty's planned upgrade."
    ),
    "packet_relayed": EventKind("a relayer", "It delivered a host packet to the counterparty."),
    "packet_acknowledged": EventKind(
        "a relayer", "It carried a received packet's acknowledgement back to the counterparty."
    ),
    "packet_timed_out": EventKind(
        "a relayer", "A packet to the host passed its timeout; the counterparty timed it out."
    ),
    "timeout_sent": EventKind(
        "a relayer", "It sent `MsgTimeout` or `MsgTimeoutOnClose` for a host packet."
    ),
    "close_sent": EventKind(
        "a relayer", "It sent `MsgChannelCloseConfirm`: the counterparty closed its end."
    ),
    "channel_closed": EventKind(
        "a relayer", "It closed the counterparty's end of a channel the host closed."
    ),
    "offline": EventKind("a relayer", "It went offline (`relayer_offline`), until when."),
    "message_lost": EventKind("a relayer or monitor", "Its link lost a message."),
    "message_duplicated": EventKind("a relayer or monitor", "Its link delivered a message twice."),
    "evidence_sent": EventKind(
        "a monitor", "It sent the two conflicting headers of a fork as evidence."
    ),
    "fork_sent": EventKind(
        "a byzantine relayer", "It sent a forged header: the kind, coalition and heights."
    ),
    "fork_not_sent": EventKind("a byzantine relayer", "It could not forge the header, and why."),
    "fork_accepted": EventKind(
        "a byzantine relayer", "The client took its forged header as a new consensus state."
    ),
    "fork_frozen": EventKind(
        "a byzantine relayer",
        "The client took its forged header as misbehaviour and froze itself at once.",
    ),
    "fork_refused": EventKind(
        "a byzantine relayer",
        "The client refused its forged header: `reason` says why (too little power signed…).",
    ),
    "forged_packet_sent": EventKind(
        "a byzantine relayer", "It delivered a packet the counterparty never sent."
    ),
    "garbage_sent": EventKind("a byzantine relayer", "It sent random bytes as an update."),
    "garbage_not_sent": EventKind("a byzantine relayer", "It had no client to send them to."),
    "action": EventKind("`timeline`", "A timeline entry fired: its action and name."),
    "action_failed": EventKind(
        "`timeline`", "A chain refused the entry's action (a late schedule…), and why."
    ),
    "validators_online": EventKind(
        "`timeline`", "Validators that `validators_offline` stopped sign again."
    ),
    "proposal_sent": EventKind(
        "`governance`", "A proposal was submitted: its title and the messages it would run."
    ),
    "proposal_refused": EventKind("`governance`", "The host refused the submission, and why."),
    "proposal_open": EventKind("`governance`", "The proposal is open for votes: its id."),
    "vote": EventKind(
        "`governance`", "A host validator's vote, counted (`ok`) or refused (`error`)."
    ),
    "proposal_passed": EventKind(
        "`governance`", "The voting period ended and the proposal passed: its tally."
    ),
    "proposal_rejected": EventKind(
        "`governance`",
        "The voting period ended and the tally failed the rule: the tally, and which part "
        "(`reason`: no quorum, a veto, too few Yes).",
    ),
    "proposal_failed": EventKind(
        "`governance`", "It passed, but one of its messages failed: `reason` says which, why."
    ),
    "outcome": EventKind("`expect`", "At the end: an expectation, met or not, and the measure."),
}

#: Every kind a trace may hold: the simulator's and the host's SDK events.
EVENT_KINDS: Final = frozenset({*RUN_EVENTS, *SDK_EVENT_TYPES})
