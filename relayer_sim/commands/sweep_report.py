"""``relayer-sim sweep-report``: a sweep's results (``DIR/results.parquet``, else
``DIR/results.csv``) summarised per parameter point, as tables, JSON or an HTML page. Several
directories are read as one study, each a value of the parameter ``sweep``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.markup import escape

from relayer_sim.commands.compare import unique_name
from relayer_sim.commands.errors import EXIT_OK, BadInput
from relayer_sim.commands.outputs import output_file, write_output
from relayer_sim.files import GIB, FileRefused, read_regular
from relayer_sim.sweep.aggregate import (
    KEY,
    STATUS,
    ResultsTable,
    RowsError,
    SweepSummary,
    csv_cell,
    merge_tables,
    summarise,
)
from relayer_sim.sweep.results import CSV_FILE, PARQUET_FILE

#: The largest results file read, as for a trace.
RESULTS_LIMIT: Final = GIB // 2
#: Columns a CSV keeps as text whatever they look like.
_TEXT_COLUMNS: Final = frozenset({KEY, STATUS, "error"})


def sweep_report_command(args: argparse.Namespace, console: Console) -> int:
    html: Path | None = args.html
    if html is not None:
        output_file(html)
    directories: list[Path] = [args.dir, *args.more]
    summary = summary_of(directories)
    sources = [str(directory) for directory in directories]
    if args.json:
        from relayer_sim.report.sweep_table import sweep_json

        document = sweep_json(summary, sources)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        from relayer_sim.report.sweep_table import render_sweep_report

        render_sweep_report(console, summary)
    if html is not None:
        from relayer_sim.report.sweep_html import write_sweep_html

        write_output(html, lambda path: write_sweep_html(summary, sources, path))
        if not args.json:
            console.print(f"report: {escape(str(html))}", soft_wrap=True)
    return EXIT_OK


def summary_of(directories: Sequence[Path]) -> SweepSummary:
    """The points of the sweeps in ``directories``, each checked on its own first so that a
    fault names its file."""
    named: list[tuple[str, ResultsTable]] = []
    for directory in directories:
        path, table = read_results(directory)
        try:
            summarise(table)
        except RowsError as error:
            raise BadInput(f"{path}: {error}") from None
        named.append((unique_name(_name(directory), {name for name, _ in named}), table))
    try:
        return summarise(merge_tables(named))
    except RowsError as error:
        raise BadInput(f"{', '.join(map(str, directories))}: {error}") from None


def read_results(directory: Path) -> tuple[Path, ResultsTable]:
    """The results table a sweep wrote in ``directory``: its Parquet file, else its CSV."""
    if not directory.exists():
        raise BadInput(f"{directory}: expected a sweep's output directory (got no such directory)")
    if not directory.is_dir():
        raise BadInput(f"{directory}: expected a sweep's output directory (got a file)")
    for name, read in ((PARQUET_FILE, _parquet), (CSV_FILE, _csv)):
        path = directory / name
        if path.exists():
            try:
                data = read_regular(path, RESULTS_LIMIT)
            except FileRefused as error:
                raise BadInput(str(error)) from None
            return path, read(path, data)
    raise BadInput(
        f"{directory}: expected {PARQUET_FILE} or {CSV_FILE}, as relayer-sim sweep writes "
        "them (got neither)"
    )


def _parquet(path: Path, data: bytes) -> ResultsTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
        rows = table.to_pylist()
    except (pa.ArrowException, OSError, ValueError) as error:
        raise BadInput(f"{path}: expected a Parquet table (got {_first_line(error)})") from None
    return ResultsTable(tuple(table.column_names), tuple(rows))


def _csv(path: Path, data: bytes) -> ResultsTable:
    try:
        lines = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise BadInput(f"{path}: expected a CSV table (got {_first_line(error)})") from None
    if not lines:
        raise BadInput(f"{path}: expected a CSV table with a header (got an empty file)")
    header, *body = lines
    rows = []
    for number, cells in enumerate(body, start=2):
        if len(cells) != len(header):
            raise BadInput(
                f"{path}: line {number}: expected {len(header)} cells (got {len(cells)})"
            )
        rows.append({name: _cell(name, cell) for name, cell in zip(header, cells, strict=True)})
    return ResultsTable(tuple(header), tuple(rows))


def _cell(column: str, text: str) -> Any:
    if column in _TEXT_COLUMNS:
        return text or None
    return csv_cell(text)


def _name(directory: Path) -> str:
    """A sweep's name in a merged table: its directory's."""
    return directory.name or directory.resolve().name or str(directory)


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
