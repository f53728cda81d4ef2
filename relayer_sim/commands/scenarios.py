"""``relayer-sim scenarios``: the shipped scenarios with their descriptions."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from relayer_sim.commands.errors import EXIT_OK


def scenarios_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.scenario import ScenarioError, load_scenario
    from relayer_sim.scenario.shipped import shipped_scenarios

    table = Table(title="shipped scenarios", title_justify="left")
    table.add_column("file")
    table.add_column("description")
    for path in shipped_scenarios():
        try:
            description = escape(load_scenario(path).description)
        except ScenarioError as error:
            description = f"[red]invalid:[/] {escape(str(error))}"
        table.add_row(
            escape(str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)),
            description,
        )
    console.print(table)
    return EXIT_OK
