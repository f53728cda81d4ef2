"""Every fork a byzantine relayer sent and what became of it: the client's verdict, when a
monitor caught it and the client froze, and the packets it forged; per attacked client, how
fast it was frozen; and what got through before governance patched the client's code.

A byzantine relayer records ``fork_sent`` as it submits a forged header, then, once a block
has run it, one verdict naming the same client, kind and height: ``fork_accepted`` (a new
consensus state), ``fork_frozen`` (misbehaviour: the client froze at once) or ``fork_refused``
(with the client's ``reason``). A fork's forged packet (``forged_packet_sent``) names the
fork's client and height. A refused fork failed: there is nothing to detect, so detection
counts from the fork the client accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from relayer_sim.report import metrics_types as cat
from relayer_sim.report.metrics_events import Fields
from relayer_sim.report.metrics_types import Attack, Detection, EventMark, Exploitation
from relayer_sim.report.metrics_view import TraceView
from relayer_sim.sim.trace import Event

#: Each verdict event's outcome.
_VERDICTS: Final = {
    "fork_accepted": cat.ACCEPTED,
    "fork_frozen": cat.FROZE_AT_ONCE,
    "fork_refused": cat.REFUSED,
}
_FROZEN: Final = "Frozen"


@dataclass(frozen=True, slots=True)
class _Verdict:
    outcome: str
    t_ns: int
    reason: str | None


def attacks(view: TraceView) -> tuple[Attack, ...]:
    """Every ``fork_sent``, in order, with its verdict, detection and forged packets."""
    names = view.client_names()
    sent = view.of_kind("fork_sent")
    verdicts = _verdicts(view, sent)
    forged = _forged_by_fork(view, sent)
    received = forged_receipts(view)
    found = []
    for index, event in enumerate(sent):
        fields = Fields(event)
        client_id = fields.text("client")
        verdict = verdicts.get(index)
        packets = forged.get(index, [])
        attack = Attack(
            sent_ns=event.t_ns,
            kind=fields.optional_text("fork") or cat.UNKNOWN_KIND,
            coalition=fields.texts("coalition"),
            client=names.get(client_id, client_id),
            client_id=client_id,
            height=fields.text("height"),
            trusted=fields.optional_text("trusted"),
            outcome=cat.NO_OUTCOME if verdict is None else verdict.outcome,
            outcome_ns=None if verdict is None else verdict.t_ns,
            reason=None if verdict is None else verdict.reason,
            detected_ns=None,
            frozen_ns=None,
            latency_ns=None,
            forged_packets_sent=len(packets),
            forged_packets_received=sum(sequence in received for sequence in packets),
        )
        found.append(_caught(view, attack))
    return tuple(found)


def detections(view: TraceView, sent: Sequence[Attack]) -> tuple[Detection, ...]:
    """For each client a fork was sent to: its first fork, and from the first fork it accepted
    (else that first fork) the first evidence against it and its freeze."""
    found = []
    for client_id in dict.fromkeys(attack.client_id for attack in sent):
        forks = [attack for attack in sent if attack.client_id == client_id]
        accepted = first(a.outcome_ns for a in forks if a.outcome == cat.ACCEPTED)
        start = forks[0].sent_ns if accepted is None else accepted
        evidence, frozen = _evidence_and_freeze(view, client_id, start)
        found.append(
            Detection(
                client=forks[0].client,
                fork_ns=forks[0].sent_ns,
                evidence_ns=evidence,
                frozen_ns=frozen,
                latency_ns=None if frozen is None else frozen - start,
                client_id=client_id,
                accepted_ns=accepted,
            )
        )
    return tuple(found)


def exploitation(view: TraceView, marks: Sequence[EventMark]) -> Exploitation | None:
    """What the forks of a run achieved: forged packets received, before and after the first
    migration to new code that followed them."""
    forks = view.of_kind("fork_sent")
    if not forks:
        return None
    start = forks[0].t_ns
    patched = first(m.t_ns for m in marks if m.category == cat.MIGRATE and m.t_ns >= start)
    forged = {Fields(event).integer("sequence") for event in view.of_kind("forged_packet_sent")}
    received = [t_ns for sequence, t_ns in forged_receipts(view).items() if sequence in forged]
    return Exploitation(
        forks=len(forks),
        first_fork_ns=start,
        patched_ns=patched,
        time_to_patch_ns=None if patched is None else patched - start,
        forged_packets_sent=len(forged),
        forged_packets_received=len(received),
        received_after_patch=sum(patched is not None and t > patched for t in received),
    )


def forged_receipts(view: TraceView) -> dict[int, int]:
    """Sequence → when the host first stored a receipt for it: a forged packet the host took as
    real is one whose sequence is here (forged sequences are far past honest ones)."""
    receipts: dict[int, int] = {}
    for block in view.host_blocks:
        for tx in block.txs:
            stored = tx.message == "MsgRecvPacket" and tx.ok and tx.received is True
            if stored and tx.sequence is not None:
                receipts.setdefault(tx.sequence, block.t_ns)
    return receipts


def freeze_times(view: TraceView, client_id: str) -> list[int]:
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


def first(times: Iterable[int | None]) -> int | None:
    """The first of ``times`` that is not None, or None."""
    return next((t for t in times if t is not None), None)


def _caught(view: TraceView, attack: Attack) -> Attack:
    """``attack`` with its evidence, freeze and latency: counted from its acceptance, or from
    its sending if it froze the client at once or has no verdict; none for a refused fork."""
    if attack.outcome == cat.REFUSED:
        return attack
    accepted = attack.outcome == cat.ACCEPTED and attack.outcome_ns is not None
    start = attack.outcome_ns if accepted and attack.outcome_ns is not None else attack.sent_ns
    evidence, frozen = _evidence_and_freeze(view, attack.client_id, start)
    latency = None if frozen is None else frozen - start
    return replace(attack, detected_ns=evidence, frozen_ns=frozen, latency_ns=latency)


def _evidence_and_freeze(
    view: TraceView, client_id: str, start: int
) -> tuple[int | None, int | None]:
    """The first evidence against ``client_id`` and its first freeze, from ``start`` on."""
    evidence = first(
        event.t_ns
        for event in view.of_kind("evidence_sent")
        if event.t_ns >= start and Fields(event).optional_text("client") == client_id
    )
    return evidence, first(t for t in freeze_times(view, client_id) if t >= start)


def _verdicts(view: TraceView, sent: Sequence[Event]) -> dict[int, _Verdict]:
    """Index in ``sent`` → its verdict: each verdict goes to the earliest fork sent before it
    with its client, kind and height that has none yet."""
    keys = [_fork_key(Fields(event)) for event in sent]
    found: dict[int, _Verdict] = {}
    for event in view.events:
        outcome = _VERDICTS.get(event.kind)
        if outcome is None:
            continue
        fields = Fields(event)
        key = _fork_key(fields)
        index = next(
            (
                index
                for index, fork in enumerate(sent)
                if fork.t_ns <= event.t_ns and index not in found and _same(keys[index], key)
            ),
            None,
        )
        if index is not None:
            found[index] = _Verdict(outcome, event.t_ns, fields.optional_text("reason"))
    return found


def _fork_key(fields: Fields) -> tuple[str, str, str | None]:
    return fields.text("client"), fields.text("height"), fields.optional_text("fork")


def _same(sent: tuple[str, str, str | None], verdict: tuple[str, str, str | None]) -> bool:
    """A verdict names its fork's client and height, and its kind unless one of them is
    silent on it."""
    kinds = (sent[2], verdict[2])
    return sent[:2] == verdict[:2] and (None in kinds or kinds[0] == kinds[1])


def _forged_by_fork(view: TraceView, sent: Sequence[Event]) -> Mapping[int, list[int]]:
    """Index in ``sent`` → the sequences of the packets forged on it: the latest fork sent to
    the packet's client (at the packet's height, when it names one) at or before it."""
    keys = [(Fields(event).text("client"), Fields(event).text("height")) for event in sent]
    found: dict[int, list[int]] = {}
    for event in view.of_kind("forged_packet_sent"):
        fields = Fields(event)
        client, height = fields.text("client"), fields.optional_text("height")
        index = next(
            (
                index
                for index in reversed(range(len(sent)))
                if sent[index].t_ns <= event.t_ns
                and keys[index][0] == client
                and height in (None, keys[index][1])
            ),
            None,
        )
        if index is not None:
            found.setdefault(index, []).append(fields.integer("sequence"))
    return found
