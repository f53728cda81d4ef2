"""``relayer-sim scenarios``: the shipped scenarios with their descriptions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from relayer_sim.commands.errors import EXIT_OK
from relayer_sim.report.printable import shown


def scenarios_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.scenario import ScenarioError, load_scenario
    from relayer_sim.scenario.shipped import shipped_scenarios

    rows: list[dict[str, str | None]] = []
    for path in shipped_scenarios():
        file = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        try:
            description = load_scenario(path).description
            rows.append({"file": str(file), "description": description, "error": None})
        except ScenarioError as invalid:
            rows.append({"file": str(file), "description": None, "error": str(invalid)})
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    table = Table(title="shipped scenarios", title_justify="left")
    table.add_column("file", overflow="fold")  # folded, never cut: a cut path cannot be run
    table.add_column("description")
    for row in rows:
        text, error = row["description"], row["error"]
        description = f"[red]invalid:[/] {shown(error or '')}" if text is None else shown(text)
        table.add_row(shown(str(row["file"])), description)
    console.print(table)
    return EXIT_OK
