"""Metrics as rich tables: one run in detail (``relayer-sim report``) and runs side by side,
one column each (``relayer-sim compare``), each readable in 80 columns.

Lengths of time are compact in cells (``54m50s``, ``format_span``); moments keep the clock
(``01:00:20.000``), which lines up down a column, as does running text. A table that would be
too wide is two. Names, ids, numbers and times are kept whole; prose wraps (``FittedTable``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

from rich.console import Console

from relayer_sim.report.metrics import EventMark, Interval, PacketMetrics, RunMetrics
from relayer_sim.report.printable import Cell, Column, FittedTable, shown
from relayer_sim.sim.timefmt import format_elapsed, format_span

#: Shown where a run has no value: no such client, no switch, no packet received.
_NONE: Final = "—"
_Item = TypeVar("_Item")


def _value(header: str) -> Column:
    """A column of numbers or times, right-aligned and kept whole."""
    return Column(header, whole=True, justify="right")


def _name(header: str) -> Column:
    """A column of names or ids, kept whole."""
    return Column(header, whole=True)


@dataclass(frozen=True, slots=True)
class NamedRun:
    """One column of a comparison: a run's metrics, its label and where its trace is."""

    label: str
    metrics: RunMetrics
    trace_path: Path


# -- one run --------------------------------------------------------------------------------------


def render_metrics(console: Console, metrics: RunMetrics) -> None:
    """Every metric of one run, a table per kind; tables with nothing to show are left out."""
    console.print(
        shown(f"{metrics.scenario}, seed {metrics.seed}: {format_elapsed(metrics.duration_ns)}")
        + " of simulated time",
        soft_wrap=True,
    )
    _render_clients(console, metrics)
    _render_switch(console, metrics)
    _render_packets(console, metrics)
    _render_detections(console, metrics)
    _render_exploitation(console, metrics)
    if metrics.host_downtime:
        console.print(
            _intervals_table("host downtime", [("host", i) for i in metrics.host_downtime])
        )
    else:
        console.print("host downtime: none")
    _render_gas(console, metrics)
    if metrics.marks:
        console.print(_marks_table("events", metrics.marks))


def _render_clients(console: Console, metrics: RunMetrics) -> None:
    if not metrics.clients:
        console.print("no clients")
        return
    several = metrics.several_counterparties()
    names = ("client", "id", "follows") if several else ("client", "id")
    numbers = ("max lag (blocks)", "mean lag", "downtime", "down spans")
    rows = [
        [
            shown(client.name),
            shown(client.client_id),
            *((shown(client.counterparty),) if several else ()),
            str(client.max_lag_blocks),
            str(client.mean_lag_blocks),
            _duration(client.downtime_ns),
            str(len(client.downtime)),
        ]
        for client in metrics.clients
    ]
    columns = [*map(_name, names), *map(_value, numbers)]
    console.print(FittedTable("clients", columns, rows))
    spans = [(client.name, span) for client in metrics.clients for span in client.downtime]
    if spans:
        console.print(_intervals_table("client downtime", spans))


def _render_switch(console: Console, metrics: RunMetrics) -> None:
    switch = metrics.switch
    if switch is None:
        console.print("consensus switch: none")
        return
    console.print(
        shown(
            f"consensus switch: {switch.from_version} → {switch.to_version} at height "
            f"{switch.switch_height}, {format_elapsed(switch.switch_ns)}"
        ),
        soft_wrap=True,
    )
    columns = [_name("client"), _value("past the switch at"), _value("after the switch")]
    rows = [
        [shown(client.client), _clock(client.first_good_update_ns), _duration(client.recovery_ns)]
        for client in switch.clients
    ]
    console.print(FittedTable("clients past the switch", columns, rows))
    console.print(
        f"steps (governance, host halts): {len(switch.steps)} after the switch, "
        f"{len(switch.steps_before)} before it"
    )
    if switch.steps:
        console.print(_marks_table("steps after the switch", switch.steps))


def _render_packets(console: Console, metrics: RunMetrics) -> None:
    """Two tables, the counts and the latencies: as one, nine columns do not fit 80."""
    packets = metrics.packets
    if not packets.sent:
        console.print("packets: none sent")
        return
    rows = metrics.packet_rows()
    counts = ("sent", "received", "never received", "delayed")
    console.print(_packets_table("packets", counts, rows, _packet_counts))
    latencies = ("p50", "p90", "p99", "max")
    console.print(_packets_table("packet latency", latencies, rows, _packet_latencies))
    if packets.delay_threshold_ns is not None:
        console.print(
            f"delayed: received more than {format_elapsed(packets.delay_threshold_ns)} after sent"
        )


def _packets_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[tuple[str, PacketMetrics]],
    cells: Callable[[PacketMetrics], list[str]],
) -> FittedTable:
    """A packets table: a row per channel (when there are several) and one for all."""
    several = len(rows) > 1
    channel = [_name("channel")] if several else []
    table_rows = [[*([shown(name)] if several else []), *cells(counted)] for name, counted in rows]
    return FittedTable(title, [*channel, *map(_value, headers)], table_rows)


def _packet_counts(counted: PacketMetrics) -> list[str]:
    return [str(n) for n in (counted.sent, counted.received, counted.lost, counted.delayed)]


def _packet_latencies(counted: PacketMetrics) -> list[str]:
    return [
        _duration(ns) for ns in (counted.p50_ns, counted.p90_ns, counted.p99_ns, counted.max_ns)
    ]


def _render_detections(console: Console, metrics: RunMetrics) -> None:
    if not metrics.detections:
        return
    columns = [
        _name("client"),
        *map(_value, ("fork sent", "evidence sent", "frozen", "fork → frozen")),
    ]
    rows = [
        [
            shown(found.client),
            _clock(found.fork_ns),
            _clock(found.evidence_ns),
            _clock(found.frozen_ns),
            _duration(found.latency_ns),
        ]
        for found in metrics.detections
    ]
    console.print(FittedTable("misbehaviour detection", columns, rows))


def _render_exploitation(console: Console, metrics: RunMetrics) -> None:
    found = metrics.exploitation
    if found is None:
        return
    console.print(
        f"forks sent: {found.forks}, the first at {_clock(found.first_fork_ns)}; patched "
        f"(code migrated) {_clock(found.time_to_patch_ns)} later; forged packets received: "
        f"{found.forged_packets_received} of {found.forged_packets_sent} "
        f"({found.received_after_patch} after the patch)"
    )


def _render_gas(console: Console, metrics: RunMetrics) -> None:
    """SDK gas and contract gas as two tables: as one, seven columns of large numbers do not
    fit 80."""
    if not metrics.gas:
        return
    sdk_rows = [
        [
            shown(gas.message),
            str(gas.count),
            str(gas.ok),
            f"{gas.sdk_gas_total:,}",
            f"{gas.sdk_gas_mean:,}",
        ]
        for gas in metrics.gas
    ]
    sdk_columns = [_name("message"), *map(_value, ("txs", "ok", "gas", "mean"))]
    console.print(FittedTable("SDK gas by message type", sdk_columns, sdk_rows))
    if not any(gas.contract_gas_total for gas in metrics.gas):
        console.print("contract gas: none")
        return
    contract_rows = [
        [shown(gas.message), f"{gas.contract_gas_total:,}", f"{gas.contract_gas_mean:,}"]
        for gas in metrics.gas
    ]
    contract_columns = [_name("message"), _value("gas"), _value("mean")]
    console.print(FittedTable("contract gas by message type", contract_columns, contract_rows))


def _intervals_table(title: str, spans: Iterable[tuple[str, Interval]]) -> FittedTable:
    rows: list[Sequence[Cell]] = []
    for owner, span in spans:
        length = None if span.end_ns is None else span.end_ns - span.start_ns
        until = "end" if span.end_ns is None else format_elapsed(span.end_ns)
        rows.append(
            [
                shown(owner),
                format_elapsed(span.start_ns),
                until,
                _duration(length),
                shown(span.reason),
            ]
        )
    columns = [_name(""), *map(_value, ("from", "to", "length")), Column("why")]
    return FittedTable(title, columns, rows)


def _marks_table(title: str, marks: Iterable[EventMark]) -> FittedTable:
    rows = [[format_elapsed(mark.t_ns), mark.category, shown(mark.label)] for mark in marks]
    return FittedTable(title, [_value("time"), _name("what"), Column()], rows)


# -- runs side by side ----------------------------------------------------------------------------


def render_comparison(console: Console, runs: Sequence[NamedRun]) -> None:
    """One row per headline metric, one column per run, then where each run's trace is.

    The columns are numbered, with a legend above (``1 = consensus-upgrade``): the labels of
    one scenario's variants share their start, and a header cut or wrapped to fit 80 columns
    would not tell them apart."""
    for number, run in enumerate(runs, start=1):
        console.print(f"{number} = {shown(run.label)}", soft_wrap=True)
    columns = [Column("metric"), *(_value(str(number)) for number in range(1, len(runs) + 1))]
    rows = [
        [shown(name), *values] for name, values in comparison_rows([run.metrics for run in runs])
    ]
    console.print(FittedTable("comparison", columns, rows))
    for number, run in enumerate(runs, start=1):
        console.print(f"trace {number}: {shown(str(run.trace_path))}", soft_wrap=True)


def comparison_rows(runs: Sequence[RunMetrics]) -> list[tuple[str, list[str]]]:
    """(metric, its value in each run) for the comparison, ``—`` where a run has none."""
    rows: list[tuple[str, list[str]]] = [
        ("seed", [str(run.seed) for run in runs]),
        ("simulated time", [_duration(run.duration_ns) for run in runs]),
    ]
    for name in _in_order(client.name for run in runs for client in run.clients):
        found = [next((c for c in run.clients if c.name == name), None) for run in runs]
        rows.append((f"{name}: max lag (blocks)", _cells(found, lambda c: str(c.max_lag_blocks))))
        rows.append((f"{name}: downtime", _cells(found, lambda c: _duration(c.downtime_ns))))
    switches = [run.switch for run in runs]
    rows += [
        ("switch → clients past it", _cells(switches, lambda s: _duration(s.recovery_ns))),
        ("steps after switch (governance, halts)", _cells(switches, lambda s: str(len(s.steps)))),
        ("steps before switch", _cells(switches, lambda s: str(len(s.steps_before)))),
        ("packets sent", [str(run.packets.sent) for run in runs]),
        ("packets received", [str(run.packets.received) for run in runs]),
        ("packets delayed", [str(run.packets.delayed) for run in runs]),
        ("packet latency p50", [_duration(run.packets.p50_ns) for run in runs]),
        ("packet latency p99", [_duration(run.packets.p99_ns) for run in runs]),
    ]
    for name in _in_order(found.client for run in runs for found in run.detections):
        latencies = [
            next((d.latency_ns for d in run.detections if d.client == name), None) for run in runs
        ]
        rows.append((f"{name}: fork → frozen", [_duration(ns) for ns in latencies]))
    exploits = [run.exploitation for run in runs]
    if any(exploits):
        rows += [
            ("first fork → patched", _cells(exploits, lambda e: _duration(e.time_to_patch_ns))),
            ("forged packets received", _cells(exploits, lambda e: str(e.forged_packets_received))),
        ]
    rows += [
        ("host downtime", [_duration(run.host_downtime_ns) for run in runs]),
        ("SDK gas", [f"{sum(gas.sdk_gas_total for gas in run.gas):,}" for run in runs]),
        ("contract gas", [f"{sum(gas.contract_gas_total for gas in run.gas):,}" for run in runs]),
    ]
    return rows


def _cells(items: Sequence[_Item | None], show: Callable[[_Item], str]) -> list[str]:
    return [_NONE if item is None else show(item) for item in items]


def _in_order(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _duration(ns: int | None) -> str:
    """A length of time, compact for a cell: ``54m50s``."""
    return _NONE if ns is None else format_span(ns)


def _clock(ns: int | None) -> str:
    """A time on the clock, ``01:00:20.000``: moments of the run, which line up down a column,
    and times in running text."""
    return _NONE if ns is None else format_elapsed(ns)
