"""Metrics as rich tables: one run in detail (``relayer-sim report``) and runs side by side,
one column each (``relayer-sim compare``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

from rich.console import Console
from rich.table import Table

from relayer_sim.report.metrics import EventMark, Interval, RunMetrics
from relayer_sim.report.printable import shown
from relayer_sim.sim.timefmt import format_elapsed

#: Shown where a run has no value: no such client, no switch, no packet received.
_NONE: Final = "—"
_Item = TypeVar("_Item")


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
    table = _table("clients")
    several = metrics.several_counterparties()
    named = ("client", "id", "follows") if several else ("client", "id")
    for column in (*named, "max lag (blocks)", "mean lag", "downtime", "down spans"):
        table.add_column(column, justify="left" if column in named else "right")
    for client in metrics.clients:
        follows = (shown(client.counterparty),) if several else ()
        table.add_row(
            shown(client.name),
            shown(client.client_id),
            *follows,
            str(client.max_lag_blocks),
            str(client.mean_lag_blocks),
            format_elapsed(client.downtime_ns),
            str(len(client.downtime)),
        )
    console.print(table)
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
    table = _table("clients past the switch")
    table.add_column("client")
    table.add_column("past the switch at", justify="right")
    table.add_column("after the switch", justify="right")
    for client in switch.clients:
        table.add_row(
            shown(client.client),
            _time(client.first_good_update_ns),
            _time(client.recovery_ns),
        )
    console.print(table)
    console.print(
        f"steps (governance, host halts): {len(switch.steps)} after the switch, "
        f"{len(switch.steps_before)} before it"
    )
    if switch.steps:
        console.print(_marks_table("steps after the switch", switch.steps))


def _render_packets(console: Console, metrics: RunMetrics) -> None:
    packets = metrics.packets
    if not packets.sent:
        console.print("packets: none sent")
        return
    table = _table("packets")
    rows = metrics.packet_rows()
    if len(rows) > 1:
        table.add_column("channel", overflow="fold")  # wrapped, never cut: names tell apart
    for column in ("sent", "received", "never received", "delayed", "p50", "p90", "p99", "max"):
        table.add_column(column, justify="right")
    for name, counted in rows:
        table.add_row(
            *((shown(name),) if len(rows) > 1 else ()),
            str(counted.sent),
            str(counted.received),
            str(counted.lost),
            str(counted.delayed),
            *(_time(ns) for ns in (counted.p50_ns, counted.p90_ns, counted.p99_ns, counted.max_ns)),
        )
    console.print(table)
    if packets.delay_threshold_ns is not None:
        console.print(f"delayed: received more than {_time(packets.delay_threshold_ns)} after sent")


def _render_detections(console: Console, metrics: RunMetrics) -> None:
    if not metrics.detections:
        return
    table = _table("misbehaviour detection")
    table.add_column("client")
    for column in ("fork sent", "evidence sent", "frozen", "fork → frozen"):
        table.add_column(column, justify="right")
    for found in metrics.detections:
        table.add_row(
            shown(found.client),
            _time(found.fork_ns),
            _time(found.evidence_ns),
            _time(found.frozen_ns),
            _time(found.latency_ns),
        )
    console.print(table)


def _render_exploitation(console: Console, metrics: RunMetrics) -> None:
    found = metrics.exploitation
    if found is None:
        return
    console.print(
        f"forks sent: {found.forks}, the first at {_time(found.first_fork_ns)}; patched "
        f"(code migrated) {_time(found.time_to_patch_ns)} later; forged packets received: "
        f"{found.forged_packets_received} of {found.forged_packets_sent} "
        f"({found.received_after_patch} after the patch)"
    )


def _render_gas(console: Console, metrics: RunMetrics) -> None:
    if not metrics.gas:
        return
    table = _table("gas by message type")
    table.add_column("message")
    for column in ("txs", "ok", "SDK gas", "mean", "contract gas", "mean"):
        table.add_column(column, justify="right")
    for gas in metrics.gas:
        table.add_row(
            shown(gas.message),
            str(gas.count),
            str(gas.ok),
            f"{gas.sdk_gas_total:,}",
            f"{gas.sdk_gas_mean:,}",
            f"{gas.contract_gas_total:,}",
            f"{gas.contract_gas_mean:,}",
        )
    console.print(table)


def _intervals_table(title: str, spans: Iterable[tuple[str, Interval]]) -> Table:
    table = _table(title)
    table.add_column("")
    for column in ("from", "to", "length"):
        table.add_column(column, justify="right")
    table.add_column("why")
    for owner, span in spans:
        length = None if span.end_ns is None else span.end_ns - span.start_ns
        until = "end" if span.end_ns is None else format_elapsed(span.end_ns)
        table.add_row(
            shown(owner), format_elapsed(span.start_ns), until, _time(length), shown(span.reason)
        )
    return table


def _marks_table(title: str, marks: Iterable[EventMark]) -> Table:
    table = _table(title)
    table.add_column("time", justify="right")
    table.add_column("what")
    table.add_column("")
    for mark in marks:
        table.add_row(format_elapsed(mark.t_ns), mark.category, shown(mark.label))
    return table


# -- runs side by side ----------------------------------------------------------------------------


def render_comparison(console: Console, runs: Sequence[NamedRun]) -> None:
    """One row per headline metric, one column per run."""
    table = _table("comparison")
    table.add_column("metric")
    for run in runs:
        table.add_column(shown(run.label), justify="right")
    for name, values in comparison_rows([run.metrics for run in runs]):
        table.add_row(shown(name), *values)
    console.print(table)
    for run in runs:
        console.print(f"{shown(run.label)}: {shown(str(run.trace_path))}", soft_wrap=True)


def comparison_rows(runs: Sequence[RunMetrics]) -> list[tuple[str, list[str]]]:
    """(metric, its value in each run) for the comparison, ``—`` where a run has none."""
    rows: list[tuple[str, list[str]]] = [
        ("seed", [str(run.seed) for run in runs]),
        ("simulated time", [format_elapsed(run.duration_ns) for run in runs]),
    ]
    for name in _in_order(client.name for run in runs for client in run.clients):
        found = [next((c for c in run.clients if c.name == name), None) for run in runs]
        rows.append((f"{name}: max lag (blocks)", _cells(found, lambda c: str(c.max_lag_blocks))))
        rows.append((f"{name}: downtime", _cells(found, lambda c: format_elapsed(c.downtime_ns))))
    switches = [run.switch for run in runs]
    rows += [
        ("switch → clients past it", _cells(switches, lambda s: _time(s.recovery_ns))),
        ("steps after switch (governance, halts)", _cells(switches, lambda s: str(len(s.steps)))),
        ("steps before switch", _cells(switches, lambda s: str(len(s.steps_before)))),
        ("packets sent", [str(run.packets.sent) for run in runs]),
        ("packets received", [str(run.packets.received) for run in runs]),
        ("packets delayed", [str(run.packets.delayed) for run in runs]),
        ("packet latency p50", [_time(run.packets.p50_ns) for run in runs]),
        ("packet latency p99", [_time(run.packets.p99_ns) for run in runs]),
    ]
    for name in _in_order(found.client for run in runs for found in run.detections):
        latencies = [
            next((d.latency_ns for d in run.detections if d.client == name), None) for run in runs
        ]
        rows.append((f"{name}: fork → frozen", [_time(ns) for ns in latencies]))
    exploits = [run.exploitation for run in runs]
    if any(exploits):
        rows += [
            ("first fork → patched", _cells(exploits, lambda e: _time(e.time_to_patch_ns))),
            ("forged packets received", _cells(exploits, lambda e: str(e.forged_packets_received))),
        ]
    rows += [
        ("host downtime", [format_elapsed(run.host_downtime_ns) for run in runs]),
        ("SDK gas", [f"{sum(gas.sdk_gas_total for gas in run.gas):,}" for run in runs]),
        ("contract gas", [f"{sum(gas.contract_gas_total for gas in run.gas):,}" for run in runs]),
    ]
    return rows


def _cells(items: Sequence[_Item | None], show: Callable[[_Item], str]) -> list[str]:
    return [_NONE if item is None else show(item) for item in items]


def _in_order(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _time(ns: int | None) -> str:
    return _NONE if ns is None else format_elapsed(ns)


def _table(title: str) -> Table:
    return Table(title=shown(title), title_justify="left")
