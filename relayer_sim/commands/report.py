"""``relayer-sim report``: a run's metrics from its trace, as tables, JSON or an HTML page."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from relayer_sim.commands.errors import EXIT_OK
from relayer_sim.commands.inputs import measured, trace_input
from relayer_sim.commands.outputs import output_file, write_output


def report_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.metrics import to_json
    from relayer_sim.report.metrics_table import render_metrics

    html: Path | None = args.html
    if html is not None:
        output_file(html)
    metrics = measured(trace_input(args.trace, args.allow_torn_tail), args.trace)
    if args.json:
        sys.stdout.write(json.dumps(to_json(metrics), indent=2, ensure_ascii=False) + "\n")
    else:
        render_metrics(console, metrics)
    if html is not None:
        from relayer_sim.report.html import write_html_report

        write_output(html, lambda path: write_html_report(metrics, path))
        if not args.json:
            console.print(f"report: {escape(str(html))}", soft_wrap=True)
    return EXIT_OK
