"""A sweep's runs grouped by parameter point (one combination of the swept values; the seeds vary
within a point), each headline metric summarised per point over the runs that measured it:
mean, nearest-rank percentiles (a value some run had, never an interpolation), min and max.

Pure data: a results table (the columns and rows ``relayer-sim sweep`` wrote) in, summaries
out; reading the files is the command's. Several sweeps of one study (one per approach, say)
are read as one, each a value of a parameter named ``sweep``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, Literal

from relayer_sim.report.metrics_packets import percentile

KEY: Final = "key"
SEED: Final = "seed"
STATUS: Final = "status"
#: The columns of a row that are neither parameters nor metrics.
RUN_COLUMNS: Final = (STATUS, "error", "expectations_met", "expectations")
#: The parameter that tells the sweeps of a merged table apart.
SWEEP: Final = "sweep"
#: The percentiles kept per point: the tables show p50, p95 and p99, the plots' boxes and bands
#: the rest.
PERCENTILES: Final = (5, 25, 50, 75, 95, 99)
#: Where a headline's label names a client (``main: downtime``).
_NAME: Final = "\x00"
_NUMBER: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")

Unit = Literal["time", "count", "gas"]
Row = Mapping[str, Any]


class RowsError(ValueError):
    """A results table that is not a sweep's: ``str()`` is one line saying where and why."""


@dataclass(frozen=True, slots=True)
class ResultsTable:
    """A sweep's results as written: its columns in order (key, parameters, seed, the run's
    status, then the metrics), and a row per run."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Metric:
    """A headline metric: its label (the column) and how its raw values read."""

    label: str
    unit: Unit


@dataclass(frozen=True, slots=True)
class Stats:
    """One metric over the runs of one point that measured it (``values``, sorted)."""

    values: tuple[int, ...] = ()

    @property
    def measured(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float | None:
        """The exact mean (as a float); None when no run measured it."""
        return sum(self.values) / len(self.values) if self.values else None

    def percentile(self, percent: int) -> int | None:
        """Nearest-rank, as the run report's packet latencies are."""
        return percentile(self.values, percent)

    @property
    def min(self) -> int | None:
        return self.values[0] if self.values else None

    @property
    def max(self) -> int | None:
        return self.values[-1] if self.values else None


@dataclass(frozen=True, slots=True)
class Point:
    """The runs of one combination of parameter values."""

    params: tuple[tuple[str, Any], ...]
    runs: int
    failed: int
    #: Runs that met every expectation of their scenario.
    met: int
    stats: Mapping[str, Stats] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The point's values as written, ``5m, reactive`` (``all runs`` with no parameter)."""
        return ", ".join(value_text(value) for _, value in self.params) or "all runs"

    def value(self, parameter: str) -> Any:
        return dict(self.params).get(parameter)

    def of(self, metric: Metric) -> Stats:
        return self.stats.get(metric.label, Stats())


@dataclass(frozen=True, slots=True)
class SweepSummary:
    """Every point of a sweep, in the sweep's order, and its metrics, in the table's."""

    parameters: tuple[str, ...]
    metrics: tuple[Metric, ...]
    points: tuple[Point, ...]

    @property
    def runs(self) -> int:
        return sum(point.runs for point in self.points)

    @property
    def failed(self) -> int:
        return sum(point.failed for point in self.points)

    def values(self, metric: Metric) -> list[int]:
        return [value for point in self.points for value in point.of(metric).values]

    def varying(self) -> list[Metric]:
        """The metrics worth a table: measured, and not alike in every run that finished."""
        return [metric for metric in self.metrics if _kind(self, metric) == "varying"]

    def constant(self) -> list[tuple[Metric, int]]:
        """The metrics that had one value in every run that finished, with that value."""
        return [
            (metric, self.values(metric)[0])
            for metric in self.metrics
            if _kind(self, metric) == "constant"
        ]

    def unmeasured(self) -> list[Metric]:
        """The metrics no run measured."""
        return [metric for metric in self.metrics if _kind(self, metric) == "unmeasured"]


def _kind(summary: SweepSummary, metric: Metric) -> str:
    values = summary.values(metric)
    finished = sum(point.runs - point.failed for point in summary.points)
    if not values:
        return "unmeasured"
    return "constant" if len(values) == finished and len(set(values)) == 1 else "varying"


# -- from rows to points --------------------------------------------------------------------------


def parameters_of(columns: Sequence[str]) -> tuple[str, ...]:
    """The swept parameters: the columns between ``key`` and ``seed``, as the sweep writes
    them."""
    for needed in (KEY, SEED, STATUS):
        if needed not in columns:
            raise RowsError(f"expected a sweep's results, with a {needed!r} column (got none)")
    start, end = columns.index(KEY), columns.index(SEED)
    if end < start:
        raise RowsError("expected a sweep's results, its 'key' column before 'seed'")
    return tuple(columns[start + 1 : end])


def metric_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """The headline metrics: every column after ``seed`` that is not the run's own."""
    after = columns[columns.index(SEED) + 1 :]
    return tuple(column for column in after if column not in RUN_COLUMNS)


def summarise(table: ResultsTable) -> SweepSummary:
    """The points of ``table`` in the order their first run appears, each metric summarised
    over the runs that measured it (a failed run measured nothing)."""
    parameters = parameters_of(table.columns)
    metrics = tuple(Metric(label, unit_of(label)) for label in metric_columns(table.columns))
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for number, row in enumerate(table.rows, start=1):
        _check_row(number, row, metrics)
        groups.setdefault(tuple(_hashable(row.get(name)) for name in parameters), []).append(row)
    points = tuple(_point(parameters, key, rows, metrics) for key, rows in groups.items())
    return SweepSummary(parameters, metrics, points)


def _point(
    parameters: Sequence[str], key: tuple[Any, ...], rows: Sequence[Row], metrics: Sequence[Metric]
) -> Point:
    finished = [row for row in rows if row.get(STATUS) == "ok"]
    stats = {metric.label: Stats(_measured(finished, metric.label)) for metric in metrics}
    met = sum(row.get("expectations_met") == row.get("expectations") for row in finished)
    return Point(
        tuple(zip(parameters, key, strict=True)), len(rows), len(rows) - len(finished), met, stats
    )


def _measured(rows: Sequence[Row], label: str) -> tuple[int, ...]:
    return tuple(sorted(row[label] for row in rows if row.get(label) is not None))


def _check_row(number: int, row: Row, metrics: Sequence[Metric]) -> None:
    for metric in metrics:
        value = row.get(metric.label)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise RowsError(
                f"run {number}: {metric.label}: expected a whole number or nothing "
                f"(got {value!r:.40})"
            )


def _hashable(value: Any) -> Any:
    """A parameter's value as a group's key: a swept list or table (CSV and Parquet keep those
    as JSON text anyway) by its text."""
    return repr(value) if isinstance(value, list | dict) else value


def merge_tables(named: Sequence[tuple[str, ResultsTable]]) -> ResultsTable:
    """One table of several sweeps, each named by a value of the parameter ``sweep`` (the last
    parameter): a study whose approaches cannot be one file's values. One table is itself."""
    if len(named) == 1:
        return named[0][1]
    parameters = _union(parameters_of(table.columns) for _, table in named)
    if SWEEP in parameters:
        raise RowsError(f"expected sweeps without a {SWEEP!r} parameter of their own")
    rest = _union(table.columns[table.columns.index(SEED) + 1 :] for _, table in named)
    columns = (KEY, *parameters, SWEEP, SEED, *rest)
    rows = tuple({**row, SWEEP: name} for name, table in named for row in table.rows)
    return ResultsTable(columns, rows)


def _union(lists: Iterable[Sequence[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for names in lists for name in names))


# -- units and values -----------------------------------------------------------------------------


def unit_of(label: str) -> Unit:
    """How a headline's raw values read, from the headline definitions themselves (a label
    that names a client matches its template); an unknown label reads as a count."""
    exact, templates = _units()
    if label in exact:
        return exact[label]
    for (prefix, suffix), unit in templates.items():
        fits = len(label) > len(prefix) + len(suffix)
        if fits and label.startswith(prefix) and label.endswith(suffix):
            return unit
    return "count"


@cache
def _units() -> tuple[dict[str, Unit], dict[tuple[str, str], Unit]]:
    """Every headline's unit, by label and by template: the headlines of a made-up run that
    has a client, a detection and an exploitation, so every kind of row appears."""
    from relayer_sim.report.metrics import headlines

    exact: dict[str, Unit] = {}
    templates: dict[tuple[str, str], Unit] = {}
    for line in headlines([_specimen()]):
        if _NAME in line.label:
            prefix, _, suffix = line.label.partition(_NAME)
            templates[(prefix, suffix)] = line.unit
        else:
            exact[line.label] = line.unit
    return exact, templates


def _specimen() -> Any:
    from relayer_sim.report.metrics import (
        ClientMetrics,
        Detection,
        Exploitation,
        PacketMetrics,
        RunMetrics,
    )

    client = ClientMetrics(_NAME, "", "", (), 0, 0, (), 0)
    packets = PacketMetrics(0, 0, 0, 0, None, None, None, None, (), None)
    detection = Detection(_NAME, 0, None, None, None, "")
    exploitation = Exploitation(1, 0, None, None, 0, 0, 0)
    return RunMetrics("", 0, 0, (client,), None, packets, (detection,), exploitation, (), 0, (), ())


def value_text(value: Any) -> str:
    """A parameter's value as a scenario file writes it: ``5m``, ``0.2``, ``true``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def numeric(value: Any) -> float | None:
    """A parameter's value as a number for an axis: a number, or a duration in ns (``5m``);
    None for anything else."""
    from relayer_sim.scenario.durations import parse_duration

    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(parse_duration(value))
        except ValueError:
            return None
    return None


def is_duration(value: Any) -> bool:
    return isinstance(value, str) and numeric(value) is not None


def csv_cell(text: str) -> Any:
    """A CSV cell as the value the sweep wrote: nothing, a whole number, a number, or text."""
    if text == "":
        return None
    if text in ("True", "False"):  # how Python's csv writes a swept boolean
        return text == "True"
    if _NUMBER.fullmatch(text):
        return int(text) if text.lstrip("-").isdigit() else float(text)
    return text
