"""``relayer-sim trace show`` and ``trace export``: a run's events as a table or JSON lines."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from relayer_sim.commands.errors import EXIT_OK, BadInput
from relayer_sim.commands.inputs import trace_input
from relayer_sim.commands.outputs import output_file, write_output


def trace_show(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.trace import events_json, render_events

    trace = trace_input(args.trace, args.allow_torn_tail)
    kinds: list[str] | None = args.kind
    actors: list[str] | None = args.actor
    if kinds is not None:
        _check_kinds(kinds, {event.kind for event in trace.events})
    matching = [
        event
        for event in trace.events
        if (kinds is None or event.kind in kinds) and (actors is None or event.actor in actors)
    ]
    shown = matching if args.limit is None else matching[: args.limit]
    if args.json:
        document = events_json(trace, shown, len(matching))
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_events(console, trace, shown, len(matching))
    return EXIT_OK


def _check_kinds(kinds: list[str], in_trace: set[str]) -> None:
    """A kind no run writes (nor this trace holds) is a slip, not a filter matching nothing:
    refused, with the kinds it may have meant (``misbehaviour``: ``client_misbehaviour``)."""
    from relayer_sim.sim.event_kinds import EVENT_KINDS

    known = sorted(EVENT_KINDS | in_trace)
    for kind in kinds:
        if kind not in known:
            close = difflib.get_close_matches(kind, known, n=3, cutoff=0.5)
            close += [name for name in known if kind in name and name not in close]
            hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
            raise BadInput(f"--kind {kind}: not an event kind (docs/scenarios.md lists them){hint}")


def trace_export(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.sim.trace import events_to_json

    output: Path | None = args.output
    if output is not None:
        output_file(output)
    trace = trace_input(args.trace, args.allow_torn_tail)
    if trace.torn_tail_at is not None:
        Console(stderr=True).print(
            f"[yellow]warning:[/] left out the cut-short record at byte {trace.torn_tail_at}",
            soft_wrap=True,
        )
    text = events_to_json(trace)
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    write_output(output, lambda path: path.write_text(text, encoding="utf-8"))
    console.print(f"wrote {len(trace.events)} events to {escape(str(output))}", soft_wrap=True)
    return EXIT_OK
