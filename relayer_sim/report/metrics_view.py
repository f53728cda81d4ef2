"""The parts of a trace that metrics read, picked out once: host blocks, counterparty blocks,
client samples and host halts.

Actor names come from the scenario, so roles are recognised by what an actor records: the host
is whoever records ``block`` with ``txs``, a counterparty whoever records ``block`` with a
consensus ``version`` (each counterparty's actor is named after it). ``halted``/``restarted``
belong to a chain by their actor.

Every field is read through ``Fields``: a malformed event is a ``MalformedEvent`` here, and
what the metrics get is typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from relayer_sim.report.metrics_events import Fields
from relayer_sim.report.metrics_types import Interval
from relayer_sim.sim.trace import Event, Trace

#: The name the runtime gives the host's actor, for a trace with no host block.
_HOST: Final = "host"
#: A span's first and last event: a halt (host or counterparty), a counterparty's stall.
_HALT: Final = ("halted", "restarted")
_STALL: Final = ("stalled", "resumed")
_STALLS: Final = frozenset(_STALL)
_HALTS: Final = frozenset(_HALT)

Height = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Tx:
    """A transaction of a host block, as its block records it."""

    message: str
    ok: bool
    client: str | None
    #: Packets: the host channel, the sequence, and whether this receipt stored it (a repeat
    #: does not).
    channel: str | None
    sequence: int | None
    received: bool | None
    gas_used: int
    contract_gas: int
    #: Why it failed: its ``reason``, else its ``error``.
    failure: str | None
    #: Votes: the option and the proposal.
    option: str | None
    proposal: int | None

    @staticmethod
    def read(fields: Fields) -> Tx:
        return Tx(
            message=fields.text("message"),
            ok=fields.flag("ok"),
            client=fields.optional_text("client"),
            channel=fields.optional_text("channel"),
            sequence=fields.optional_integer("sequence"),
            received=fields.optional_flag("received"),
            gas_used=fields.optional_integer("gas_used") or 0,
            contract_gas=fields.optional_integer("contract_gas") or 0,
            failure=fields.optional_text("reason") or fields.optional_text("error"),
            option=fields.optional_text("option"),
            proposal=fields.optional_integer("proposal"),
        )


@dataclass(frozen=True, slots=True)
class ProposalOutcome:
    """A proposal that ended in a host block."""

    id: int
    status: str
    error: str | None
    #: What each message it ran cost: (message, SDK gas, contract gas).
    gas: tuple[tuple[str, int, int], ...] = ()

    @staticmethod
    def read(fields: Fields) -> ProposalOutcome:
        gas = tuple(
            (cost.text("message"), cost.integer("gas_used"), cost.integer("contract_gas"))
            for cost in fields.optional_maps("gas")
        )
        return ProposalOutcome(
            fields.integer("id"), fields.text("status"), fields.optional_text("error"), gas
        )


@dataclass(frozen=True, slots=True)
class HostBlock:
    t_ns: int
    height: int
    txs: tuple[Tx, ...]
    proposals: tuple[ProposalOutcome, ...]


@dataclass(frozen=True, slots=True)
class ChainBlock:
    """A counterparty block."""

    t_ns: int
    #: The counterparty's name (its actor's).
    chain: str
    height: Height
    version: str


@dataclass(frozen=True, slots=True)
class ClientState:
    client_id: str
    height: str | None
    status: str | None
    #: The name of the counterparty it follows.
    counterparty: str


@dataclass(frozen=True, slots=True)
class ClientsSample:
    """The ``clients`` record taken after a host block: every counterparty's latest height
    and every existing client, by name."""

    t_ns: int
    counterparties: Mapping[str, str | None]
    clients: Mapping[str, ClientState]


@dataclass(frozen=True, slots=True)
class TraceView:
    events: tuple[Event, ...]
    duration_ns: int
    #: The counterparties' actors, in the order of their first block.
    counterparty_actors: tuple[str, ...]
    host_blocks: tuple[HostBlock, ...]
    #: Every counterparty's blocks, in trace order.
    chain_blocks: tuple[ChainBlock, ...]
    samples: tuple[ClientsSample, ...]
    #: The host's halts: no host block is made between ``halted`` and ``restarted``.
    host_halts: tuple[Interval, ...]
    #: The counterparties' halts (``halted`` to ``restarted``) and stalls (``stalled`` to
    #: ``resumed``), in time order.
    counterparty_halts: tuple[Interval, ...] = ()

    def blocks_of(self, chain: str) -> list[ChainBlock]:
        """The blocks of the counterparty ``chain``."""
        return [block for block in self.chain_blocks if block.chain == chain]

    def of_kind(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.kind == kind]

    def client_names(self) -> dict[str, str]:
        """Client id → the scenario's name for it, as the samples pair them."""
        return {
            state.client_id: name
            for sample in self.samples
            for name, state in sample.clients.items()
        }


def view_of(trace: Trace) -> TraceView:
    events = trace.events
    blocks = [event for event in events if event.kind == "block"]
    host = next((event.actor for event in blocks if "txs" in event.data), _HOST)
    chains = [event for event in blocks if event.actor != host and "version" in event.data]
    counterparties = _counterparty_actors(events, host)
    return TraceView(
        events=events,
        duration_ns=events[-1].t_ns if events else 0,
        counterparty_actors=counterparties,
        host_blocks=tuple(_host_block(event) for event in blocks if event.actor == host),
        chain_blocks=tuple(_chain_block(event) for event in chains),
        samples=tuple(_sample(event) for event in events if event.kind == "clients"),
        host_halts=_spans(events, host, _HALT, _halt_reason),
        counterparty_halts=_counterparty_halts(events, counterparties),
    )


def _counterparty_actors(events: tuple[Event, ...], host: str) -> tuple[str, ...]:
    """The actors that are counterparties, in order of first appearance: whoever records a
    ``block`` with a ``version``, a ``stalled`` or ``resumed`` (only a counterparty stalls),
    or a ``halted``/``restarted`` naming its ``chain_id`` (a chain that never made a block)."""
    found = (
        event.actor
        for event in events
        if event.actor != host
        and (
            (event.kind == "block" and "version" in event.data)
            or event.kind in _STALLS
            or (event.kind in _HALTS and "chain_id" in event.data)
        )
    )
    return tuple(dict.fromkeys(found))


def parse_height(text: str | None) -> Height | None:
    """``"1-202"`` as ``(1, 202)``; None for None or anything else."""
    if text is None:
        return None
    revision, _, height = text.partition("-")
    if not (revision.isdigit() and height.isdigit()):
        return None
    return int(revision), int(height)


def format_height(height: Height) -> str:
    return f"{height[0]}-{height[1]}"


def _host_block(event: Event) -> HostBlock:
    fields = Fields(event)
    return HostBlock(
        event.t_ns,
        fields.integer("height"),
        tuple(Tx.read(tx) for tx in fields.maps("txs")),
        tuple(ProposalOutcome.read(outcome) for outcome in fields.maps("proposals")),
    )


def _chain_block(event: Event) -> ChainBlock:
    fields = Fields(event)
    height = (fields.integer("revision"), fields.integer("height"))
    return ChainBlock(event.t_ns, event.actor, height, fields.text("version"))


def _sample(event: Event) -> ClientsSample:
    fields = Fields(event)
    clients = {
        name: ClientState(
            state.text("id"),
            state.optional_text("height"),
            state.optional_text("status"),
            state.text("counterparty"),
        )
        for name, state in fields.named_maps("clients").items()
    }
    return ClientsSample(event.t_ns, fields.named_optional_texts("counterparties"), clients)


def _spans(
    events: tuple[Event, ...],
    actor: str,
    kinds: tuple[str, str],
    reason: Callable[[Event], str],
) -> tuple[Interval, ...]:
    """``actor``'s spans from the first of ``kinds`` (``halted``, ``stalled``) to the second
    (``restarted``, ``resumed``), the last one open if the trace ends within it."""
    start_kind, end_kind = kinds
    found: list[Interval] = []
    started: Event | None = None
    for event in events:
        if event.actor != actor:
            continue
        if event.kind == start_kind and started is None:
            started = event
        elif event.kind == end_kind and started is not None:
            found.append(Interval(started.t_ns, event.t_ns, reason(started)))
            started = None
    if started is not None:
        found.append(Interval(started.t_ns, None, reason(started)))
    return tuple(found)


def _counterparty_halts(events: tuple[Event, ...], chains: tuple[str, ...]) -> tuple[Interval, ...]:
    """Every counterparty's halts and stalls, by when they began."""
    spans = [
        span
        for chain in chains
        for kinds in (_HALT, _STALL)
        for span in _spans(events, chain, kinds, _chain_reason)
    ]
    return tuple(sorted(spans, key=lambda span: span.start_ns))


def _chain_reason(started: Event) -> str:
    """``gaia halted (gaia-1)``, ``gaia stalled: <why>``: named, as several chains may be."""
    fields = Fields(started)
    if started.kind == "halted":
        chain_id = fields.optional_text("chain_id")
        return f"{started.actor} halted" + ("" if chain_id is None else f" ({chain_id})")
    reason = fields.optional_text("reason")
    return f"{started.actor} stalled" + ("" if reason is None else f": {reason}")


def _halt_reason(halted: Event) -> str:
    fields = Fields(halted)
    reason, height = fields.optional_text("reason"), fields.optional_integer("height")
    where = "" if height is None else f" at height {height}"
    return f"host halted{where}" + ("" if reason is None else f": {reason}")
