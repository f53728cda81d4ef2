"""Per client: its lag behind the counterparty it follows over time, and when it was down.

A client is down while its status is not Active, while the host is halted, from a
``MsgUpdateClient`` to it that failed until the next one that succeeded, and while it goes
without an update for longer than its relayers' policies allow (``relayer_started`` says how
long: a relayer away leaves a stale client, however Active). A failure that a later
transaction of the same block makes good is no downtime: the client never stood still.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Final

from relayer_sim.report.metrics_events import Fields
from relayer_sim.report.metrics_types import ClientMetrics, Interval, LagSample
from relayer_sim.report.metrics_view import (
    ClientsSample,
    ClientState,
    Height,
    TraceView,
    parse_height,
)
from relayer_sim.sim.timefmt import format_span

_ACTIVE = "Active"
_UPDATE = "MsgUpdateClient"
#: The messages that move a client on.
_UPDATES: Final = frozenset({_UPDATE, "MsgUpgradeClient"})


def client_metrics(view: TraceView) -> tuple[ClientMetrics, ...]:
    """Every client that appears in a ``clients`` sample, in the order they first appear."""
    first: dict[str, ClientState] = {}
    for sample in view.samples:
        for name, state in sample.clients.items():
            first.setdefault(name, state)
    heights = {
        chain: sorted(block.height for block in view.blocks_of(chain))
        for chain in {state.counterparty for state in first.values()}
    }
    return tuple(
        _one_client(view, heights[state.counterparty], name, state) for name, state in first.items()
    )


def total_ns(intervals: Iterable[Interval], end_ns: int) -> int:
    """The time the (disjoint) ``intervals`` cover, an open one running to ``end_ns``."""
    return sum(
        max(0, (end_ns if interval.end_ns is None else interval.end_ns) - interval.start_ns)
        for interval in intervals
    )


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The union of ``intervals`` as disjoint ones in time order; touching ones join, and each
    keeps the reasons of all it joined, in order of their start."""
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda interval: interval.start_ns):
        last = merged[-1] if merged else None
        if last is None or (last.end_ns is not None and interval.start_ns > last.end_ns):
            merged.append(interval)
            continue
        end = (
            None
            if last.end_ns is None or interval.end_ns is None
            else max(last.end_ns, interval.end_ns)
        )
        reasons = last.reason.split("; ")
        reason = last.reason if interval.reason in reasons else f"{last.reason}; {interval.reason}"
        merged[-1] = Interval(last.start_ns, end, reason)
    return tuple(merged)


def _one_client(
    view: TraceView, chain: Sequence[Height], name: str, first: ClientState
) -> ClientMetrics:
    """``chain``: the heights of the counterparty the client follows, sorted."""
    client_id = first.client_id
    samples = tuple(
        _lag_sample(sample, name, chain) for sample in view.samples if name in sample.clients
    )
    lags = [sample.lag_blocks for sample in samples if sample.lag_blocks is not None]
    first_seen = samples[0].t_ns if samples else view.duration_ns
    halts = [halt for halt in view.host_halts if halt.start_ns >= first_seen]
    downtime = merge(
        [
            *_not_active(samples),
            *halts,
            *_failing_updates(view, client_id),
            *_stale(view, name, client_id, first_seen),
        ]
    )
    return ClientMetrics(
        name=name,
        client_id=client_id,
        counterparty=first.counterparty,
        samples=samples,
        max_lag_blocks=max(lags, default=0),
        mean_lag_blocks=sum(lags) // len(lags) if lags else 0,
        downtime=downtime,
        downtime_ns=total_ns(downtime, view.duration_ns),
    )


def _lag_sample(sample: ClientsSample, name: str, chain: Sequence[Height]) -> LagSample:
    state = sample.clients[name]
    followed = sample.counterparties.get(state.counterparty)
    latest, client = parse_height(followed), parse_height(state.height)
    lag = None
    if latest is not None and client is not None:
        # ``chain`` is sorted, so this counts the blocks in (client, latest]: a client ahead
        # of the chain (a forged header) lags by none.
        lag = max(0, bisect_right(chain, latest) - bisect_right(chain, client))
    return LagSample(sample.t_ns, followed, state.height, state.status, lag)


def _not_active(samples: Sequence[LagSample]) -> list[Interval]:
    """One interval per run of samples with the same status other than Active."""
    intervals: list[Interval] = []
    down: LagSample | None = None
    for sample in samples:
        if down is not None and sample.status != down.status:
            intervals.append(Interval(down.t_ns, sample.t_ns, f"status {down.status}"))
            down = None
        if down is None and sample.status != _ACTIVE:
            down = sample
    if down is not None:
        intervals.append(Interval(down.t_ns, None, f"status {down.status}"))
    return intervals


def _failing_updates(view: TraceView, client_id: str) -> list[Interval]:
    intervals: list[Interval] = []
    failing: tuple[int, str] | None = None  # since when, and the first failure's reason
    for block in view.host_blocks:
        for tx in block.txs:
            if tx.message != _UPDATE or tx.client != client_id:
                continue
            if not tx.ok and failing is None:
                failing = (block.t_ns, f"update failed: {tx.failure}")
            elif tx.ok and failing is not None:
                if failing[0] < block.t_ns:
                    intervals.append(Interval(failing[0], block.t_ns, failing[1]))
                failing = None
    if failing is not None:
        intervals.append(Interval(failing[0], None, failing[1]))
    return intervals


def _stale(view: TraceView, name: str, client_id: str, created_ns: int) -> list[Interval]:
    """The spans past the longest wait between updates that the relayers serving the client
    allow (the shortest of theirs): from then until the next update, or the end."""
    allowed = [
        Fields(event).duration("stale_after")
        for event in view.of_kind("relayer_started")
        if Fields(event).optional_text("client") == name
    ]
    if not allowed:
        return []
    wait = min(allowed)
    updates = [
        block.t_ns
        for block in view.host_blocks
        if block.t_ns >= created_ns
        and any(tx.ok and tx.message in _UPDATES and tx.client == client_id for tx in block.txs)
    ]
    reason = f"no update for longer than its relayers allow ({format_span(wait)})"
    spans = []
    for since, until in itertools.pairwise([created_ns, *updates, None]):
        assert since is not None
        if until is None:
            if view.duration_ns - since > wait:
                spans.append(Interval(since + wait, None, reason))
        elif until - since > wait:
            spans.append(Interval(since + wait, until, reason))
    return spans
