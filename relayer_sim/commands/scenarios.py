"""``relayer-sim scenarios``: the shipped scenarios with their descriptions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK
from relayer_sim.report.printable import Column, FittedTable, shown


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
    folders: dict[Path, list[dict[str, str | None]]] = {}
    for row in rows:
        folders.setdefault(Path(str(row["file"])).parent, []).append(row)
    for folder, in_folder in folders.items():
        console.print(_folder_table(folder, in_folder))
    return EXIT_OK


def _folder_table(folder: Path, rows: list[dict[str, str | None]]) -> FittedTable:
    """The scenarios of one folder, the folder in the title and each file by its name, whole
    (a cut or broken path cannot be pasted): a full path would leave the descriptions a third
    of 80 columns."""
    cells = []
    for row in rows:
        text, error = row["description"], row["error"]
        description = f"[red]invalid:[/] {shown(error or '')}" if text is None else shown(text)
        cells.append([shown(Path(str(row["file"])).name), description])
    columns = [Column("file", whole=True), Column("description")]
    return FittedTable(f"shipped scenarios in {folder}/", columns, cells)
