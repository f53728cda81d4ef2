"""A sweep from start to end: its runs resolved and checked, those already done (their row on
disk) skipped, the rest handed to an engine, and the table written from every row. Killing a
sweep loses only the runs in flight: re-running it finishes the rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from relayer_sim.sweep.engines import Engine, Row
from relayer_sim.sweep.points import RunPoint, run_points
from relayer_sim.sweep.results import read_rows, write_results
from relayer_sim.sweep.runner import ROW_FILE, RunTask

RUNS_DIR: Final = "runs"


@dataclass(frozen=True)
class SweepPlan:
    """A sweep resolved: every run, and where each goes."""

    points: tuple[RunPoint, ...]
    out: Path
    source: str
    base_dir: Path | None

    @property
    def runs_dir(self) -> Path:
        return self.out / RUNS_DIR

    def to_do(self) -> list[RunPoint]:
        """The runs without a row yet."""
        return [p for p in self.points if not (self.runs_dir / p.key / ROW_FILE).is_file()]

    def tasks(self, keep_traces: bool) -> list[RunTask]:
        base = None if self.base_dir is None else str(self.base_dir)
        return [
            RunTask(point, self.source, base, str(self.runs_dir / point.key), keep_traces)
            for point in self.to_do()
        ]


@dataclass(frozen=True)
class SweepResult:
    rows: list[dict[str, Any]]
    ran: int
    skipped: int
    failed: int
    csv: Path
    parquet: Path


def plan_sweep(
    data: Mapping[str, Any],
    parameters: Sequence[tuple[str, Sequence[Any]]],
    seeds: Sequence[int],
    out: Path,
    source: str,
    base_dir: Path | None,
) -> SweepPlan:
    """Every run of the sweep, checked (``SweepError`` before anything runs)."""
    return SweepPlan(
        tuple(run_points(data, parameters, seeds, source, base_dir)), out, source, base_dir
    )


def run_sweep(
    plan: SweepPlan,
    engine: Engine,
    keep_traces: bool = False,
    on_row: Callable[[Row], None] | None = None,
) -> SweepResult:
    """Run what is not done yet on ``engine`` (``on_row`` hears of each finished run), then
    write the table of every run in the sweep's order."""
    tasks = plan.tasks(keep_traces)
    failed = 0
    for row in engine.rows(tasks):
        failed += row.get("status") != "ok"
        if on_row is not None:
            on_row(row)
    rows = read_rows(plan.runs_dir, list(plan.points))
    csv, parquet = write_results(plan.out, rows)
    return SweepResult(rows, len(tasks), len(plan.points) - len(tasks), failed, csv, parquet)
