"""A sweep's results as data: one row per run (its parameters, seed, status and every headline
metric), in the sweep's order, as CSV and as Parquet. The rows come from the runs' own row files,
so the table is the same whatever order or engine ran them."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from relayer_sim.sweep.points import RunPoint
from relayer_sim.sweep.runner import ROW_FILE

CSV_FILE: Final = "results.csv"
PARQUET_FILE: Final = "results.parquet"


def read_rows(runs_dir: Path, points: Sequence[RunPoint]) -> list[dict[str, Any]]:
    """The row of each point that has one, in the points' order."""
    rows = []
    for point in points:
        path = runs_dir / point.key / ROW_FILE
        if path.is_file():
            rows.append(json.loads(path.read_text(encoding="utf-8")))
    return rows


def columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every column, in the order rows first name them (parameters and seed first)."""
    return list(dict.fromkeys(key for row in rows for key in row))


def write_results(out: Path, rows: Sequence[dict[str, Any]]) -> tuple[Path, Path]:
    """``results.csv`` and ``results.parquet`` in ``out``; a column a row lacks is empty."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns(rows)
    csv_path = out / CSV_FILE
    with csv_path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    table = pa.table({name: [_cell(row.get(name)) for row in rows] for name in names})
    parquet_path = out / PARQUET_FILE
    pq.write_table(table, parquet_path)
    return csv_path, parquet_path


def _cell(value: Any) -> Any:
    """A value Parquet keeps in one typed column: lists and tables (a swept list) as JSON."""
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value
