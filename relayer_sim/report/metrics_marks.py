"""The moments of a run worth marking (governance steps, forks, freezes, halts), the recovery
from a consensus switch, and how fast each attack was caught.

Governance executes ``MsgStoreCode``, ``MsgMigrateContract`` and ``MsgRecoverClient`` inside a
passed proposal, not as transactions of their own, and a proposal's outcome in a host block
names only its id: what it executed is known from the ``messages`` of its ``proposal_open``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

from relayer_sim.report import metrics_types as cat
from relayer_sim.report.metrics_events import Fields
from relayer_sim.report.metrics_types import (
    ClientRecovery,
    Detection,
    EventMark,
    Exploitation,
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
_FROZEN: Final = "Frozen"


def event_marks(view: TraceView) -> tuple[EventMark, ...]:
    """Every mark, sorted by time; marks of the same time keep the order of the kinds below
    (a proposal's outcome before the message it executed)."""
    marks = [
        *(mark for chain in view.counterparty_actors for mark in _switch_marks(view, chain)),
        *_governance_marks(view),
        *_attack_marks(view),
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


def detections(view: TraceView) -> tuple[Detection, ...]:
    """For each client a byzantine relayer sent a fork to: its first fork sent, then the first
    evidence against it and its freeze from then on."""
    names = view.client_names()
    forks: dict[str, int] = {}
    for event in view.of_kind("fork_sent"):
        forks.setdefault(Fields(event).text("client"), event.t_ns)
    found = []
    for client_id, fork_ns in forks.items():
        evidence = _first(
            event.t_ns
            for event in view.of_kind("evidence_sent")
            if Fields(event).optional_text("client") == client_id and event.t_ns >= fork_ns
        )
        frozen = _first(t for t in _freeze_times(view, client_id) if t >= fork_ns)
        found.append(
            Detection(
                client=names.get(client_id, client_id),
                fork_ns=fork_ns,
                evidence_ns=evidence,
                frozen_ns=frozen,
                latency_ns=None if frozen is None else frozen - fork_ns,
                client_id=client_id,
            )
        )
    return tuple(found)


def exploitation(view: TraceView, marks: Sequence[EventMark]) -> Exploitation | None:
    """What the forks of a run achieved: forged packets received, before and after the first
    migration to new code that followed them."""
    forks = view.of_kind("fork_sent")
    if not forks:
        return None
    first = forks[0].t_ns
    patched = _first(m.t_ns for m in marks if m.category == cat.MIGRATE and m.t_ns >= first)
    forged = {Fields(event).integer("sequence") for event in view.of_kind("forged_packet_sent")}
    received = [
        block.t_ns
        for block in view.host_blocks
        for tx in block.txs
        if tx.message == "MsgRecvPacket" and tx.ok and tx.received is True and tx.sequence in forged
    ]
    return Exploitation(
        forks=len(forks),
        first_fork_ns=first,
        patched_ns=patched,
        time_to_patch_ns=None if patched is None else patched - first,
        forged_packets_sent=len(forged),
        forged_packets_received=len(received),
        received_after_patch=sum(patched is not None and t > patched for t in received),
    )


def _switches(blocks: Sequence[ChainBlock]) -> Iterator[tuple[ChainBlock, ChainBlock]]:
    """(last block of the old version, first of the new) at each consensus switch."""
    for previous, block in itertools.pairwise(blocks):
        if block.version != previous.version:
            yield previous, block


def _past_switch(view: TraceView, switch: ChainBlock, name: str, client_id: str) -> ClientRecovery:
    first = _first(
        sample.t_ns
        for sample in view.samples
        if sample.t_ns >= switch.t_ns
        and name in sample.clients
        and (height := parse_height(sample.clients[name].height)) is not None
        and height >= switch.height
    )
    recovery = None if first is None else first - switch.t_ns
    return ClientRecovery(name, client_id, first, recovery)


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


def _attack_marks(view: TraceView) -> Iterator[EventMark]:
    names = view.client_names()
    for event in view.of_kind("fork_sent"):
        client, height, fork = _client_at(names, Fields(event))
        label = f"{fork or 'a'} fork of {client} at {height}"
        yield EventMark(event.t_ns, cat.FORK, label)
    for event in view.of_kind("evidence_sent"):
        client, height, _ = _client_at(names, Fields(event))
        yield EventMark(event.t_ns, cat.EVIDENCE, f"evidence against {client} at {height}")
    frozen = {Fields(event).text("client") for event in view.of_kind("client_frozen")}
    client_ids = set(names) | frozen
    for client_id in sorted(client_ids):
        for t_ns in _freeze_times(view, client_id):
            yield EventMark(t_ns, cat.FREEZE, f"{names.get(client_id, client_id)} frozen")


def _client_at(names: Mapping[str, str], fields: Fields) -> tuple[str, str, str | None]:
    """A fork's or evidence's client (by name if known), height and kind of fork."""
    client = fields.text("client")
    return names.get(client, client), fields.text("height"), fields.optional_text("fork")


def _freeze_times(view: TraceView, client_id: str) -> list[int]:
    """When ``client_id`` froze: its ``client_frozen`` records and the samples where its status
    turned Frozen, each moment once."""
    times = {
        event.t_ns
        for event in view.of_kind("client_frozen")
        if Fields(event).text("client") == client_id
    }
    was_frozen = False
    for sample in view.samples:
        state = next(
            (state for state in sample.clients.values() if state.client_id == client_id), None
        )
        frozen = state is not None and state.status == _FROZEN
        if frozen and not was_frozen:
            times.add(sample.t_ns)
        was_frozen = frozen
    return sorted(times)


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


def _first(times: Iterable[int]) -> int | None:
    return next(iter(times), None)
