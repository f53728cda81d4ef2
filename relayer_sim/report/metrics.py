"""The metrics of a run, computed from its trace alone (DESIGN §7), once for ``report``,
``compare`` and plots: client lag and downtime, recovery from a consensus switch, packet
latency, every fork sent and what became of it, detection latency, what forks got through
before a patch, host and counterparty downtime, gas per message type and the transactions the
host refused.

``measure(trace)`` gives a ``RunMetrics``; ``to_json`` turns it into JSON-native values;
``headlines`` are the metrics ``compare`` puts side by side, in its table and its plot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Final, Literal

from relayer_sim.report.metrics_attacks import attacks, detections, exploitation
from relayer_sim.report.metrics_clients import client_metrics, total_ns
from relayer_sim.report.metrics_marks import event_marks, switch_recovery
from relayer_sim.report.metrics_packets import (
    gas_by_message,
    packet_metrics,
    refused_transactions,
)
from relayer_sim.report.metrics_types import (
    ACCEPTED,
    REFUSED,
    Attack,
    ChannelPackets,
    ClientMetrics,
    ClientRecovery,
    Detection,
    EventMark,
    Exploitation,
    GasByMessage,
    Interval,
    LagSample,
    PacketMetrics,
    RefusedTransactions,
    RunMetrics,
    SwitchRecovery,
)
from relayer_sim.report.metrics_view import view_of
from relayer_sim.sim.timefmt import format_span
from relayer_sim.sim.trace import Trace

__all__ = [
    "Attack",
    "ChannelPackets",
    "ClientMetrics",
    "ClientRecovery",
    "Detection",
    "EventMark",
    "Exploitation",
    "GasByMessage",
    "Headline",
    "Interval",
    "LagSample",
    "PacketMetrics",
    "RefusedTransactions",
    "RunMetrics",
    "SwitchRecovery",
    "headlines",
    "measure",
    "to_json",
]

#: Shown where a run has no value: no such client, no switch, no packet received.
NOT_MEASURED: Final = "—"


def measure(trace: Trace) -> RunMetrics:
    view = view_of(trace)
    forks = attacks(view)
    marks = event_marks(view, forks)
    packets, by_channel = packet_metrics(view)
    return RunMetrics(
        scenario=trace.header.scenario,
        seed=trace.header.seed,
        duration_ns=view.duration_ns,
        clients=client_metrics(view),
        switch=switch_recovery(view, marks),
        packets=packets,
        detections=detections(view, forks),
        exploitation=exploitation(view, marks),
        host_downtime=view.host_halts,
        host_downtime_ns=total_ns(view.host_halts, view.duration_ns),
        gas=gas_by_message(view),
        marks=marks,
        packets_by_channel=by_channel,
        attacks=forks,
        refused=refused_transactions(view),
        counterparty_downtime=view.counterparty_halts,
    )


def to_json(metrics: RunMetrics) -> dict[str, Any]:
    """``metrics`` as dicts, lists, strs, ints and None, field names as keys."""
    converted = _json_value(metrics)
    assert isinstance(converted, dict)
    return converted


def _json_value(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _json_value(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    return value


# -- headline metrics -----------------------------------------------------------------------------

_Value = Callable[[RunMetrics], int | None]


@dataclass(frozen=True, slots=True)
class Headline:
    """One headline metric of ``compare``: a row of its table and a panel of its plot, both
    read from this one definition so that their labels and values cannot drift apart."""

    label: str
    #: How a value reads: a length of time (``54m50s``), a count, or gas (``1,234,567``).
    unit: Literal["time", "count", "gas"]
    value: _Value

    def shown(self, run: RunMetrics) -> str:
        """``run``'s value as the table and the plot's bars write it."""
        value = self.value(run)
        if value is None:
            return NOT_MEASURED
        if self.unit == "time":
            return format_span(value)
        return f"{value:,}" if self.unit == "gas" else str(value)


def headlines(runs: Sequence[RunMetrics]) -> list[Headline]:
    """The headline metrics of ``runs``, in the comparison's order: a client's, or an attacked
    client's, rows appear when any run has it; the forks' rows when any run sent one."""
    found = [Headline("simulated time", "time", lambda run: run.duration_ns)]
    for name in _in_order(client.name for run in runs for client in run.clients):
        found += [
            Headline(
                f"{name}: max lag (blocks)", "count", _of_client(name, lambda c: c.max_lag_blocks)
            ),
            Headline(f"{name}: downtime", "time", _of_client(name, lambda c: c.downtime_ns)),
        ]
    found += [
        Headline("switch → clients past it", "time", _of_switch(lambda s: s.recovery_ns)),
        Headline(
            "steps after switch (governance, halts)", "count", _of_switch(lambda s: len(s.steps))
        ),
        Headline("steps before switch", "count", _of_switch(lambda s: len(s.steps_before))),
        Headline("packets sent", "count", lambda run: run.packets.sent),
        Headline("packets received", "count", lambda run: run.packets.received),
        Headline("packets delayed", "count", lambda run: run.packets.delayed),
        Headline("packet latency p50", "time", lambda run: run.packets.p50_ns),
        Headline("packet latency p99", "time", lambda run: run.packets.p99_ns),
    ]
    for name in _in_order(caught.client for run in runs for caught in run.detections):
        found.append(Headline(f"{name}: detection latency", "time", _detection_of(name)))
    if any(run.attacks or run.exploitation for run in runs):
        found += _attack_headlines()
    found += [
        Headline("refused transactions", "count", lambda run: sum(r.count for r in run.refused)),
        Headline("host downtime", "time", lambda run: run.host_downtime_ns),
        Headline("SDK gas", "gas", lambda run: sum(gas.sdk_gas_total for gas in run.gas)),
        Headline("contract gas", "gas", lambda run: sum(gas.contract_gas_total for gas in run.gas)),
    ]
    return found


def _attack_headlines() -> list[Headline]:
    def outcomes(outcome: str) -> _Value:
        return lambda run: sum(attack.outcome == outcome for attack in run.attacks)

    def exploited(value: Callable[[Exploitation], int | None]) -> _Value:
        return lambda run: None if run.exploitation is None else value(run.exploitation)

    return [
        Headline("forks sent", "count", lambda run: len(run.attacks)),
        Headline("forks accepted", "count", outcomes(ACCEPTED)),
        Headline("forks refused", "count", outcomes(REFUSED)),
        Headline("first fork → patched", "time", exploited(lambda e: e.time_to_patch_ns)),
        Headline(
            "forged packets received", "count", exploited(lambda e: e.forged_packets_received)
        ),
    ]


def _of_client(name: str, value: Callable[[ClientMetrics], int]) -> _Value:
    """The client ``name``'s ``value`` in a run, None where it has no such client."""

    def of_run(run: RunMetrics) -> int | None:
        client = next((client for client in run.clients if client.name == name), None)
        return None if client is None else value(client)

    return of_run


def _of_switch(value: Callable[[SwitchRecovery], int | None]) -> _Value:
    return lambda run: None if run.switch is None else value(run.switch)


def _detection_of(name: str) -> _Value:
    def value(run: RunMetrics) -> int | None:
        return next((found.latency_ns for found in run.detections if found.client == name), None)

    return value


def _in_order(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
