"""Renders a trace's events as a table (``relayer-sim trace show``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from rich.console import Console
from rich.table import Table
from rich.text import Text

from relayer_sim.report.printable import printable, shown
from relayer_sim.sim.timefmt import format_elapsed
from relayer_sim.sim.trace import Event, Trace

#: Longer bytes show their first 4 bytes and their length; hashes stay recognisable.
_BYTES_SHOWN_WHOLE: Final = 8
_TEXT_SHOWN: Final = 40
_SUMMARY_SHOWN: Final = 120


def render_events(console: Console, trace: Trace, events: Sequence[Event], matching: int) -> None:
    """``events`` (of ``matching`` events that passed the filters) with times since the start."""
    header = trace.header
    table = Table(title=shown(f"trace of {header.scenario!r}, seed {header.seed}"))
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("actor", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("data")
    for event in events:
        table.add_row(
            format_elapsed(event.t_ns),
            Text(printable(event.actor)),
            Text(printable(event.kind)),
            Text(summarize(event)),
        )
    console.print(table)
    console.print(
        f"{len(events)} shown of {matching} matching, {len(trace.events)} events in the trace"
    )
    if trace.torn_tail_at is not None:
        console.print(
            f"[yellow]warning:[/] the trace ends in a cut-short record at byte "
            f"{trace.torn_tail_at}, not shown (a crashed run?)",
            soft_wrap=True,
        )


def summarize(event: Event) -> str:
    """The event's data on one short line: ``height=12, app_hash=3f2a9c01…(32 B), txs=[…]``."""
    summary = printable(_fields(event.data))
    if len(summary) <= _SUMMARY_SHOWN:
        return summary
    return summary[: _SUMMARY_SHOWN - 1] + "…"


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
