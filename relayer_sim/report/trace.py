"""Renders a trace's events as a table or as JSON (``relayer-sim trace show``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from rich.console import Console
from rich.text import Text

from relayer_sim.report.printable import (
    Cell,
    Column,
    FittedTable,
    cell_width,
    printable,
    table_width,
)
from relayer_sim.sim.timefmt import format_elapsed
from relayer_sim.sim.trace import Event, Trace, events_to_json

#: Longer bytes show their first 4 bytes and their length; hashes stay recognisable.
_BYTES_SHOWN_WHOLE: Final = 8
_TEXT_SHOWN: Final = 40
_SUMMARY_SHOWN: Final = 120
#: The narrowest the data column may be left beside separate actor and kind columns.
_DATA_WIDTH: Final = 40


def render_events(console: Console, trace: Trace, events: Sequence[Event], matching: int) -> None:
    """``events`` (of ``matching`` events that passed the filters) with times since the start."""
    header = trace.header
    title = f"trace of {header.scenario!r}, seed {header.seed}"
    console.print(FittedTable(title, *_layout(events, console.width)))
    console.print(
        f"{len(events)} shown of {matching} matching, {len(trace.events)} events in the trace"
    )
    if trace.torn_tail_at is not None:
        console.print(
            f"[yellow]warning:[/] the trace ends in a cut-short record at byte "
            f"{trace.torn_tail_at}, not shown (a crashed run?)",
            soft_wrap=True,
        )


def _layout(events: Sequence[Event], width: int) -> tuple[list[Column], list[list[Cell]]]:
    """A row per event: its time, actor, kind and data; the actor and kind in one cell, one
    above the other, when side by side they would leave the data too narrow to read."""
    times = [format_elapsed(event.t_ns) for event in events]
    actors = [Text(printable(event.actor)) for event in events]
    kinds = [Text(printable(event.kind), style="dim") for event in events]
    data: list[Cell] = [Text(summarize(event)) for event in events]
    time = Column("time", whole=True, justify="right")
    widths = [_widest("time", times), _widest("actor", actors), _widest("kind", kinds)]
    if table_width([*widths, _DATA_WIDTH]) <= width:
        columns = [time, Column("actor", whole=True), Column("kind", whole=True), Column("data")]
        return columns, [list(row) for row in zip(times, actors, kinds, data, strict=True)]
    both = [Text("\n").join(pair) for pair in zip(actors, kinds, strict=True)]
    columns = [time, Column("actor\nkind", whole=True), Column("data")]
    return columns, [list(row) for row in zip(times, both, data, strict=True)]


def _widest(header: str, cells: Sequence[Cell]) -> int:
    return max(cell_width(cell) for cell in (header, *cells))


def events_json(trace: Trace, events: Sequence[Event], matching: int) -> dict[str, Any]:
    """What ``render_events`` shows, as JSON-native values: each event whole, as ``trace
    export`` writes it (bytes as hex), not summarized."""
    header = trace.header
    # ``events_to_json`` converts the events exactly as ``trace export`` does; its first line
    # is the header.
    lines = events_to_json(replace(trace, events=tuple(events))).splitlines()[1:]
    return {
        "scenario": header.scenario,
        "seed": header.seed,
        "started_ns": header.started_ns,
        "events_in_trace": len(trace.events),
        "matching": matching,
        "torn_tail_at": trace.torn_tail_at,
        "events": [json.loads(line) for line in lines],
    }


def summarize(event: Event) -> str:
    """The event's data on one short line: ``height=12, app_hash=3f2a9c01…(32 B), txs=[…]``;
    but a ``reason`` (why something was refused: the point of the event) is kept whole, after
    the rest."""
    data = dict(event.data)
    reason = data.pop("reason", None)
    summary = printable(_fields(data))
    if len(summary) > _SUMMARY_SHOWN:
        summary = summary[: _SUMMARY_SHOWN - 1] + "…"
    if isinstance(reason, str):
        summary = (
            f"{summary}, reason={printable(reason)}" if summary else f"reason={printable(reason)}"
        )
    return summary


def _fields(data: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={_value(value)}" for key, value in data.items())


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        if len(value) <= _BYTES_SHOWN_WHOLE:
            return value.hex()
        return f"{value[:4].hex()}…({len(value)} B)"
    if isinstance(value, str):
        return value if len(value) <= _TEXT_SHOWN else value[: _TEXT_SHOWN - 1] + "…"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + _fields(value) + "}"
    return str(value)
