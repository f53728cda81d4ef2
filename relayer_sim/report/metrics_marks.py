"""The moments of a run worth marking (governance steps, forks, freezes, halts) and the
recovery from a consensus switch (how fast each attack was caught: ``metrics_attacks``).

Governance executes ``MsgStoreCode``, ``MsgMigrateContract`` and ``MsgRecoverClient`` inside a
passed proposal, not as transactions of their own, and a proposal's outcome in a host block
names only its id: what it executed is known from the ``messages`` of its ``proposal_open``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Final

from relayer_sim.report import metrics_types as cat
from relayer_sim.report.metrics_attacks import first, freeze_times
from relayer_sim.report.metrics_events import Fields
from relayer_sim.report.metrics_types import (
    Attack,
    ClientRecovery,
    EventMark,
    SwitchRecovery,
)
from relayer_sim.report.metrics_view import (
    ChainBlock,
    ProposalOutcome,
    TraceView,
    format_height,
    parse_height,
)
from relayer_sim.sim.timefmt import format_elapsed
from relayer_sim.sim.trace import Event

#: Successful transactions that are marks of their own, by message type.
_TX_CATEGORIES: Final = {
    "MsgStoreCode": cat.STORE_CODE,
    "MsgMigrateContract": cat.MIGRATE,
    "MsgRemoveChecksum": cat.REMOVE_CHECKSUM,
    "MsgRecoverClient": cat.RECOVERY,
    "MsgUpgradeClient": cat.CLIENT_UPGRADE,
    "MsgSoftwareUpgrade": cat.SOFTWARE_UPGRADE,
}
_OUTCOME_CATEGORIES: Final = {
    "Passed": cat.PROPOSAL_PASSED,
    "Rejected": cat.PROPOSAL_REJECTED,
    "Failed": cat.PROPOSAL_FAILED,
}


def event_marks(view: TraceView, forks: Sequence[Attack]) -> tuple[EventMark, ...]:
    """Every mark, sorted by time; marks of the same time keep the order of the kinds below
    (a proposal's outcome before the message it executed). ``forks``: the run's attacks."""
    marks = [
        *(mark for chain in view.counterparty_actors for mark in _switch_marks(view, chain)),
        *_governance_marks(view),
        *_attack_marks(view, forks),
        *_halt_marks(view),
    ]
    return tuple(sorted(marks, key=lambda mark: mark.t_ns))


def switch_recovery(view: TraceView, marks: Sequence[EventMark]) -> SwitchRecovery | None:
    """The first consensus switch of any counterparty and the way past it of each client
    that follows that counterparty; None without a switch.

    A client is past the switch once its height reaches the first block of the new version:
    an update to an older header after the switch, which the old code still accepts, is not
    a recovery.
    """
    switches = [
        switch for chain in view.counterparty_actors for switch in _switches(view.blocks_of(chain))
    ]
    if not switches:
        return None
    previous, block = min(switches, key=lambda switch: switch[1].t_ns)
    before = [sample for sample in view.samples if sample.t_ns <= block.t_ns]
    existing = before[-1].clients if before else {}
    clients = tuple(
        _past_switch(view, block, name, state.client_id)
        for name, state in existing.items()
        if state.counterparty == block.chain
    )
    reached = [c.first_good_update_ns for c in clients if c.first_good_update_ns is not None]
    first_good = max(reached) if clients and len(reached) == len(clients) else None
    end = view.duration_ns if first_good is None else first_good
    governance = [mark for mark in marks if mark.category in cat.RECOVERY_STEP_CATEGORIES]
    return SwitchRecovery(
        switch_ns=block.t_ns,
        first_good_update_ns=first_good,
        recovery_ns=None if first_good is None else first_good - block.t_ns,
        steps=tuple(mark for mark in governance if block.t_ns <= mark.t_ns <= end),
        switch_height=format_height(block.height),
        from_version=previous.version,
        to_version=block.version,
        clients=clients,
        steps_before=tuple(mark for mark in governance if mark.t_ns < block.t_ns),
    )


def _switches(blocks: Sequence[ChainBlock]) -> Iterator[tuple[ChainBlock, ChainBlock]]:
    """(last block of the old version, first of the new) at each consensus switch."""
    for previous, block in itertools.pairwise(blocks):
        if block.version != previous.version:
            yield previous, block


def _past_switch(view: TraceView, switch: ChainBlock, name: str, client_id: str) -> ClientRecovery:
    reached = first(
        sample.t_ns
        for sample in view.samples
        if sample.t_ns >= switch.t_ns
        and name in sample.clients
        and (height := parse_height(sample.clients[name].height)) is not None
        and height >= switch.height
    )
    recovery = None if reached is None else reached - switch.t_ns
    return ClientRecovery(name, client_id, reached, recovery)


def _switch_marks(view: TraceView, chain: str) -> Iterator[EventMark]:
    """The consensus switches of the counterparty ``chain``, named after it when the run has
    several."""
    several = len(view.counterparty_actors) > 1
    for previous, block in _switches(view.blocks_of(chain)):
        label = f"{previous.version} → {block.version} at {format_height(block.height)}"
        yield EventMark(block.t_ns, cat.CONSENSUS_SWITCH, f"{chain}: {label}" if several else label)


def _governance_marks(view: TraceView) -> Iterator[EventMark]:
    """Proposals sent, opened, refused and concluded, votes, and the messages that executed,
    as transactions or inside passed proposals."""
    proposals = _proposals(view.events)
    names = view.client_names()
    for event in view.events:
        fields = Fields(event)
        if event.kind == "proposal_sent":
            yield EventMark(event.t_ns, cat.PROPOSAL_SENT, f"proposal sent: {fields.text('title')}")
        elif event.kind == "proposal_open":
            label = f"proposal {fields.integer('proposal')} open: {fields.text('title')}"
            yield EventMark(event.t_ns, cat.PROPOSAL_OPEN, label)
        elif event.kind == "proposal_refused":
            label = f"proposal refused: {fields.text('title')} ({fields.optional_text('error')})"
            yield EventMark(event.t_ns, cat.PROPOSAL_FAILED, label)
    for block in view.host_blocks:
        for tx in block.txs:
            if not tx.ok:
                continue
            if tx.message == "MsgVote":
                label = f"vote {tx.option} on proposal {tx.proposal}"
                yield EventMark(block.t_ns, cat.VOTE, label)
            elif tx.message in _TX_CATEGORIES:
                client = None if tx.client is None else names.get(tx.client, tx.client)
                label = tx.message + ("" if client is None else f" of {client}")
                yield EventMark(block.t_ns, _TX_CATEGORIES[tx.message], label)
        for outcome in block.proposals:
            yield from _outcome_marks(block.t_ns, outcome, proposals)


def _outcome_marks(
    t_ns: int, outcome: ProposalOutcome, proposals: Mapping[int, tuple[str, Sequence[str]]]
) -> Iterator[EventMark]:
    proposal_id, status, error = outcome.id, outcome.status, outcome.error
    title, messages = proposals.get(proposal_id, ("?", ()))
    category = _OUTCOME_CATEGORIES.get(status)
    if category is None:
        return
    label = f"proposal {proposal_id} {status.lower()}: {title}"
    yield EventMark(t_ns, category, label + ("" if error is None else f" ({error})"))
    if category != cat.PROPOSAL_PASSED:
        return
    for message in messages:
        if message in _TX_CATEGORIES:
            label = f"{message} by proposal {proposal_id}: {title}"
            yield EventMark(t_ns, _TX_CATEGORIES[message], label)


def _proposals(events: Sequence[Event]) -> dict[int, tuple[str, Sequence[str]]]:
    """Proposal id → its title and the messages it executes if it passes (none known in a
    trace made before proposals named them)."""
    opened = [Fields(event) for event in events if event.kind == "proposal_open"]
    return {
        fields.integer("proposal"): (fields.text("title"), fields.texts("messages"))
        for fields in opened
    }


def _attack_marks(view: TraceView, forks: Sequence[Attack]) -> Iterator[EventMark]:
    """Each fork sent, with what the client made of it; evidence; freezes."""
    names = view.client_names()
    for fork in forks:
        kind = "a" if fork.kind == cat.UNKNOWN_KIND else fork.kind
        verdict = "" if fork.outcome == cat.NO_OUTCOME else f" ({fork.outcome})"
        label = f"{kind} fork of {fork.client} at {fork.height}{verdict}"
        yield EventMark(fork.sent_ns, cat.FORK, label)
    for event in view.of_kind("evidence_sent"):
        fields = Fields(event)
        client = names.get(fields.text("client"), fields.text("client"))
        label = f"evidence against {client} at {fields.text('height')}"
        yield EventMark(event.t_ns, cat.EVIDENCE, label)
    frozen = {Fields(event).text("client") for event in view.of_kind("client_frozen")}
    client_ids = set(names) | frozen
    for client_id in sorted(client_ids):
        for t_ns in freeze_times(view, client_id):
            yield EventMark(t_ns, cat.FREEZE, f"{names.get(client_id, client_id)} frozen")


def _halt_marks(view: TraceView) -> Iterator[EventMark]:
    """The host's halts and restarts; the counterparties', and their stalls for want of
    power."""
    for halt in view.host_halts:
        yield EventMark(halt.start_ns, cat.HOST_HALT, halt.reason)
        if halt.end_ns is not None:
            yield EventMark(halt.end_ns, cat.HOST_RESTART, "host restarted")
    several = len(view.counterparty_actors) > 1
    for event in view.events:
        if event.actor not in view.counterparty_actors:
            continue
        fields, who = Fields(event), f"{event.actor}: " if several else ""
        if event.kind == "halted":
            chain_id = fields.optional_text("chain_id")
            yield EventMark(event.t_ns, cat.COUNTERPARTY_HALT, f"{chain_id} halted")
        elif event.kind == "restarted":
            chain_id = fields.optional_text("chain_id")
            yield EventMark(event.t_ns, cat.COUNTERPARTY_RESTART, f"restarted as {chain_id}")
        elif event.kind == "stalled":
            reason = fields.optional_text("reason")
            yield EventMark(event.t_ns, cat.COUNTERPARTY_STALL, f"{who}{reason}")
        elif event.kind == "resumed":
            stalled_for = format_elapsed(fields.duration("stalled_for"))
            label = f"{who}resumed after {stalled_for}"
            yield EventMark(event.t_ns, cat.COUNTERPARTY_RESUME, label)
