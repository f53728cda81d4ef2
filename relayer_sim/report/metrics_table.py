"""Metrics as rich tables: one run in detail (``relayer-sim report``) and runs side by side,
one column each (``relayer-sim compare``), each readable in 80 columns.

Lengths of time are compact in cells (``54m50s``, ``format_span``); moments keep the clock
(``01:00:20.000``), which lines up down a column, as does running text. A table that would be
too wide is two. Names, ids, numbers and times are kept whole; prose wraps (``FittedTable``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rich.console import Console

from relayer_sim.report.metrics import (
    NOT_MEASURED,
    Attack,
    EventMark,
    Interval,
    PacketMetrics,
    RunMetrics,
    headlines,
)
from relayer_sim.report.metrics_types import REFUSED
from relayer_sim.report.printable import Cell, Column, FittedTable, shown
from relayer_sim.sim.timefmt import format_elapsed, format_span

#: Shown where a run has no value: no such client, no switch, no packet received.
_NONE: Final = NOT_MEASURED
#: What a refused transaction that recorded no reason shows.
NO_REASON: Final = "(no reason recorded)"
#: What the attacks tables' columns measure.
ATTACKS_NOTE: Final = (
    "Detected: a monitor's first evidence from the fork's acceptance on; latency: from the "
    "acceptance to the freeze (from sending, for a fork that froze the client at once). A "
    "refused fork failed: there was nothing to detect."
)


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
    """Every metric of one run, a table per kind; a kind with nothing to show gets no table,
    only a mention in one line at the top."""
    console.print(
        shown(f"{metrics.scenario}, seed {metrics.seed}: {format_elapsed(metrics.duration_ns)}")
        + " of simulated time",
        soft_wrap=True,
    )
    missing = absent(metrics)
    if missing:
        console.print(f"none in this run: {', '.join(missing)}")
    _render_clients(console, metrics)
    _render_switch(console, metrics)
    _render_packets(console, metrics)
    _render_attacks(console, metrics)
    _render_refused(console, metrics)
    if metrics.host_downtime:
        console.print(
            _intervals_table("host downtime", [("host", i) for i in metrics.host_downtime])
        )
    _render_gas(console, metrics)
    if metrics.marks:
        console.print(_marks_table("events", metrics.marks, numbered=True))


def absent(metrics: RunMetrics) -> list[str]:
    """The kinds of thing the run has none of, whose sections the reports leave out."""
    kinds = (
        ("clients", metrics.clients),
        ("consensus switch", metrics.switch),
        ("packets", metrics.packets.sent),
        ("forks", metrics.attacks or metrics.detections),
        # No transaction at all says it: none refused goes without saying.
        ("refused transactions", metrics.refused or not metrics.gas),
        ("host halts", metrics.host_downtime),
        ("transactions", metrics.gas),
    )
    return [name for name, found in kinds if not found]


def _render_clients(console: Console, metrics: RunMetrics) -> None:
    if not metrics.clients:
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


def _render_attacks(console: Console, metrics: RunMetrics) -> None:
    """Two tables, a row per fork sent in each: what was sent, and what came of it (as one,
    eleven columns do not fit 80); then what got through before a patch, if anything did."""
    forks = metrics.attacks
    if forks:
        several = len({attack.client for attack in forks} | {c.name for c in metrics.clients}) > 1
        sent = [_name("#"), _value("sent"), *([_name("client")] if several else [])]
        sent += [_name("fork"), _name("height"), _name("trusting"), Column("signed by")]
        console.print(FittedTable("attacks: what was sent", sent, _attack_rows(forks, several)))
        forged = any(attack.forged_packets_sent for attack in forks)
        caught = [_name("#"), Column("outcome"), *map(_value, ("detected", "frozen", "latency"))]
        caught += [_value("forged packets received")] if forged else []
        rows = [_outcome_row(n, attack, forged) for n, attack in enumerate(forks, start=1)]
        console.print(FittedTable("attacks: what came of it", caught, rows))
        console.print(ATTACKS_NOTE)
    got_through = what_got_through(metrics)
    if got_through:
        console.print(got_through)


def what_got_through(metrics: RunMetrics) -> str | None:
    """The forged packets received and the patch that stopped them, in a sentence; None when
    nothing was forged (a migration then patched nothing of the attack's), or when none got
    through and no patch came (the attacks tables already say what each fork forged)."""
    found = metrics.exploitation
    if found is None or not found.forged_packets_sent:
        return None
    if not found.forged_packets_received and found.patched_ns is None:
        return None
    received = (
        f"Forged packets received: {found.forged_packets_received} of {found.forged_packets_sent}"
    )
    if found.patched_ns is None:
        return f"{received}; the client's code was never patched."
    return (
        f"{received} ({found.received_after_patch} after the patch); patched (code migrated) at "
        f"{_clock(found.patched_ns)}, {_duration(found.time_to_patch_ns)} after the first fork."
    )


def outcome_text(attack: Attack) -> str:
    """The client's verdict, with its reason whole when it refused the fork."""
    if attack.outcome == REFUSED and attack.reason is not None:
        return f"{REFUSED}: {attack.reason}"
    return attack.outcome


def _attack_rows(forks: Sequence[Attack], several: bool) -> list[list[Cell]]:
    return [
        [
            str(number),
            _clock(attack.sent_ns),
            *([shown(attack.client)] if several else []),
            shown(attack.kind),
            shown(attack.height),
            shown(attack.trusted or _NONE),
            shown(", ".join(attack.coalition)) or _NONE,
        ]
        for number, attack in enumerate(forks, start=1)
    ]


def _outcome_row(number: int, attack: Attack, forged: bool) -> list[Cell]:
    return [
        str(number),
        shown(outcome_text(attack)),
        _clock(attack.detected_ns),
        _clock(attack.frozen_ns),
        _duration(attack.latency_ns),
        *([forged_received(attack)] if forged else []),
    ]


def forged_received(attack: Attack) -> str:
    """``1 of 2``: the fork's forged packets the host received, of those sent; ``—`` for a fork
    that forged none."""
    if not attack.forged_packets_sent:
        return _NONE
    return f"{attack.forged_packets_received} of {attack.forged_packets_sent}"


def _render_refused(console: Console, metrics: RunMetrics) -> None:
    if not metrics.refused:
        return
    columns = [_name("message"), Column("reason"), _value("count"), _value("first")]
    rows = [
        [
            shown(refused.message),
            shown(refused.reason or NO_REASON),
            f"{refused.count:,}",
            _clock(refused.first_ns),
        ]
        for refused in metrics.refused
    ]
    console.print(FittedTable("refused transactions", columns, rows))


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


def _marks_table(title: str, marks: Iterable[EventMark], numbered: bool = False) -> FittedTable:
    """``marks`` by time; ``numbered`` 1, 2… as the report's plots number them."""
    rows = [
        [
            *([str(number)] if numbered else []),
            format_elapsed(mark.t_ns),
            mark.category,
            shown(mark.label),
        ]
        for number, mark in enumerate(marks, start=1)
    ]
    number = [_value("#")] if numbered else []
    return FittedTable(title, [*number, _value("time"), _name("what"), Column()], rows)


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
    """(metric, its value in each run) for the comparison, ``—`` where a run has none: the
    seed, then the headlines, which the comparison plot shows too."""
    return [
        ("seed", [str(run.seed) for run in runs]),
        *((line.label, [line.shown(run) for run in runs]) for line in headlines(runs)),
    ]


def _duration(ns: int | None) -> str:
    """A length of time, compact for a cell: ``54m50s``."""
    return _NONE if ns is None else format_span(ns)


def _clock(ns: int | None) -> str:
    """A time on the clock, ``01:00:20.000``: moments of the run, which line up down a column,
    and times in running text."""
    return _NONE if ns is None else format_elapsed(ns)
