"""Packets from sent to received, the gas each message type cost, and the transactions the
host refused.

All arithmetic is on ints: percentiles are nearest-rank (a latency that happened, never an
interpolation), means round down.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from relayer_sim.report.metrics_events import Fields
from relayer_sim.report.metrics_types import (
    ChannelPackets,
    GasByMessage,
    PacketMetrics,
    RefusedTransactions,
)
from relayer_sim.report.metrics_view import TraceView
from relayer_sim.sim.refusals import RefusalTally

_RECV = "MsgRecvPacket"

#: A packet as the host knows it: its host channel (None: a channel never opened) and sequence.
_PacketKey = tuple[str | None, int]


def packet_metrics(view: TraceView) -> tuple[PacketMetrics, tuple[ChannelPackets, ...]]:
    """Every packet's way, and each channel's (by the scenario's channel names, in the order
    of their first packet).

    A packet is received by the host block whose ``MsgRecvPacket`` first stored its
    receipt (``received: true``); a repeat of it is a no-op and does not count. It is delayed
    when that took longer than a healthy relay: one counterparty block until the commitment is
    in a block, then three host blocks for the relayer to see it and for its update and
    receipt to land (with several counterparties, a block of the slowest).

    A packet is known by its host channel and sequence: the channel its ``packet_sent``
    names is the scenario's, whose host end its ``channel_opened`` gives."""
    host_channels: dict[str, str] = {}
    for event in view.of_kind("channel_opened"):
        fields = Fields(event)
        host_channels[fields.text("name")] = fields.text("channel")
    sent: dict[_PacketKey, int] = {}
    by_channel: dict[str, list[_PacketKey]] = {}
    for event in view.of_kind("packet_sent"):
        fields = Fields(event)
        channel = fields.text("channel")
        key = (host_channels.get(channel), fields.integer("sequence"))
        if key not in sent:
            sent[key] = event.t_ns
            by_channel.setdefault(channel, []).append(key)
    received: dict[_PacketKey, int] = {}
    for block in view.host_blocks:
        for tx in block.txs:
            if tx.message == _RECV and tx.ok and tx.received is True and tx.sequence is not None:
                received.setdefault((tx.channel, tx.sequence), block.t_ns)
    threshold = _delay_threshold(view)
    channels = tuple(
        ChannelPackets(name, _summary(keys, sent, received, threshold))
        for name, keys in by_channel.items()
    )
    return _summary(sent, sent, received, threshold), channels


def _delay_threshold(view: TraceView) -> int | None:
    """A healthy relay's time: a block of the slowest counterparty, three host blocks."""
    host_interval = median_gap_ns([block.t_ns for block in view.host_blocks])
    chain_interval = max(
        (
            median_gap_ns([block.t_ns for block in view.blocks_of(chain)]) or 0
            for chain in view.counterparty_actors
        ),
        default=0,
    )
    return None if host_interval is None else chain_interval + 3 * host_interval


def _summary(
    keys: Iterable[_PacketKey],
    sent: Mapping[_PacketKey, int],
    received: Mapping[_PacketKey, int],
    threshold: int | None,
) -> PacketMetrics:
    """The packets ``keys`` of those ``sent``: how many arrived, how fast."""
    keys = list(keys)
    latencies = tuple(
        sorted((sent[key], received[key] - sent[key]) for key in keys if key in received)
    )
    ordered = sorted(latency for _, latency in latencies)
    return PacketMetrics(
        sent=len(keys),
        received=len(latencies),
        lost=len(keys) - len(latencies),
        delayed=0 if threshold is None else sum(latency > threshold for latency in ordered),
        p50_ns=percentile(ordered, 50),
        p90_ns=percentile(ordered, 90),
        p99_ns=percentile(ordered, 99),
        max_ns=ordered[-1] if ordered else None,
        latencies=latencies,
        delay_threshold_ns=threshold,
    )


def percentile(ordered: Sequence[int], percent: int) -> int | None:
    """The nearest-rank ``percent``-th percentile of the sorted ``ordered``: the smallest value
    with at least ``percent`` % of the values at or below it."""
    if not ordered:
        return None
    rank = max(1, (percent * len(ordered) + 99) // 100)
    return ordered[rank - 1]


def median_gap_ns(times: Sequence[int]) -> int | None:
    """The median gap between consecutive blocks (the lower one of two middles), which a halt
    or a slow stretch does not move; None with fewer than two blocks."""
    gaps = sorted(later - earlier for earlier, later in itertools.pairwise(times))
    return gaps[(len(gaps) - 1) // 2] if gaps else None


#: How the gas table names a message a passed proposal ran, apart from transactions.
BY_GOVERNANCE: Final = "{} (governance)"


def gas_by_message(view: TraceView) -> tuple[GasByMessage, ...]:
    """Per message type, by name: transactions, successes, SDK gas and contract gas (CosmWasm
    gas, which the SDK gas includes divided by the 08-wasm multiplier). Messages a proposal ran
    count apart, as ``MsgStoreCode (governance)``: their gas is the chain's, not a sender's."""
    totals: dict[str, list[int]] = {}  # message → count, ok, SDK gas, contract gas

    def add(message: str, ok: bool, gas_used: int, contract_gas: int) -> None:
        total = totals.setdefault(message, [0, 0, 0, 0])
        total[0] += 1
        total[1] += ok
        total[2] += gas_used
        total[3] += contract_gas

    for block in view.host_blocks:
        for tx in block.txs:
            add(tx.message, tx.ok, tx.gas_used, tx.contract_gas)
        for outcome in block.proposals:
            for index, (message, gas_used, contract_gas) in enumerate(outcome.gas):
                # a failed proposal's last message is the one that failed
                ok = outcome.status != "Failed" or index < len(outcome.gas) - 1
                add(BY_GOVERNANCE.format(message), ok, gas_used, contract_gas)
    return tuple(
        GasByMessage(message, count, ok, sdk, sdk // count, contract, contract // count)
        for message, (count, ok, sdk, contract) in sorted(totals.items())
    )


def refused_transactions(view: TraceView) -> tuple[RefusedTransactions, ...]:
    """Failed transactions by message type and reason, in the order of their first failure,
    grouped as the run summary groups them (``relayer_sim.sim.refusals``)."""
    tally = RefusalTally()
    for block in view.host_blocks:
        for tx in block.txs:
            if not tx.ok:
                tally.add(block.t_ns, tx.message, tx.failure or "")
    return tuple(
        RefusedTransactions(group.message, group.reason, group.count, group.first_ns)
        for group in tally.groups()
    )
