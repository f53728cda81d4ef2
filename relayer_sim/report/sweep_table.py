"""A sweep's summary as text tables and as JSON (``relayer-sim sweep-report``).

A table per metric that varies, a row per statistic and a column per point, split into as many
tables as the terminal's width needs: a time reads ``54m50s``, gas ``1,234,567``, and no value
is ever cut (``FittedTable``). Metrics alike in every run get one small table, metrics no run
measured one line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from rich.console import Console

from relayer_sim.report.metrics import NOT_MEASURED
from relayer_sim.report.printable import Cell, Column, FittedTable, cell_width, shown, table_width
from relayer_sim.sim.timefmt import format_span
from relayer_sim.sweep.aggregate import (
    PERCENTILES,
    Metric,
    Point,
    Stats,
    SweepSummary,
    Unit,
    value_text,
)

#: What the statistics mean, under the tables.
STATS_NOTE: Final = (
    "measured: runs with a value (a failed run has none); mean over those; p50, p95, p99: "
    "nearest-rank percentiles, each a value some run had."
)


def format_value(unit: Unit, value: int | None) -> str:
    """A raw value as a cell shows it: ``54m50s``, ``12``, ``1,234,567``; ``—`` for none."""
    if value is None:
        return NOT_MEASURED
    if unit == "time":
        return format_span(value)
    return f"{value:,}" if unit == "gas" else str(value)


def format_mean(unit: Unit, mean: float | None) -> str:
    """A mean as a cell shows it: a time or gas cut to whole units as ``format_value``'s, a
    count with up to two decimals (``2.5``)."""
    if mean is None:
        return NOT_MEASURED
    if unit == "count":
        return f"{mean:.2f}".rstrip("0").rstrip(".")
    return format_value(unit, int(mean))


def _percentile(percent: int) -> Callable[[Metric, Stats], str]:
    return lambda metric, stats: format_value(metric.unit, stats.percentile(percent))


#: The statistics of a metric's table, in its rows' order: (name, the text of a point's).
STAT_ROWS: Final[tuple[tuple[str, Callable[[Metric, Stats], str]], ...]] = (
    ("measured", lambda metric, stats: str(stats.measured)),
    ("mean", lambda metric, stats: format_mean(metric.unit, stats.mean)),
    *((f"p{percent}", _percentile(percent)) for percent in (50, 95, 99)),
    ("min", lambda metric, stats: format_value(metric.unit, stats.min)),
    ("max", lambda metric, stats: format_value(metric.unit, stats.max)),
)


# -- text -----------------------------------------------------------------------------------------


def render_sweep_report(console: Console, summary: SweepSummary) -> None:
    """The summary line, the points, the metrics alike everywhere, then a table per metric
    that varies (several when its points do not fit the width)."""
    console.print(summary_line(summary), soft_wrap=False)
    if summary.parameters and summary.points:
        console.print(points_table(summary))
    alike = summary.constant()
    if alike:
        rows = [[shown(metric.label), format_value(metric.unit, value)] for metric, value in alike]
        console.print(
            FittedTable(
                "alike in every run", [Column("metric"), _value("value")], rows, show_header=False
            )
        )
    missing = summary.unmeasured()
    if missing:
        console.print(shown("not measured in any run: " + ", ".join(m.label for m in missing)))
    for metric in summary.varying():
        for table in metric_tables(summary, metric, console.width):
            console.print(table)
    if summary.varying():
        console.print(STATS_NOTE)


def summary_line(summary: SweepSummary) -> str:
    points = len(summary.points)
    met = sum(point.met for point in summary.points)
    return (
        f"{summary.runs} runs at {points} point{'' if points == 1 else 's'}: "
        f"{summary.failed} failed, {met} met every expectation"
    )


def points_table(summary: SweepSummary) -> FittedTable:
    """Each point's parameter values, runs, failed runs and runs that met every expectation."""
    columns = [
        *(Column(shown(name), whole=True) for name in summary.parameters),
        *(_value(header) for header in ("runs", "failed", "met")),
    ]
    rows = [
        [
            *(shown(text) for text in _values(point, summary.parameters)),
            *(str(n) for n in (point.runs, point.failed, point.met)),
        ]
        for point in summary.points
    ]
    return FittedTable("points", columns, rows)


def metric_tables(summary: SweepSummary, metric: Metric, width: int) -> list[FittedTable]:
    """``metric``'s statistics, a column per point; the points split over as many tables as
    it takes for each to fit ``width`` (a column of its own for a point too wide alone)."""
    names = [name for name, _ in STAT_ROWS]
    columns = [
        (shown(point.label), [text(metric, point.of(metric)) for _, text in STAT_ROWS])
        for point in summary.points
    ]
    tables = []
    for number, chunk in enumerate(_chunks(columns, max(map(len, names)), width)):
        title = shown(metric.label) + (" (continued)" if number else "")
        heads = [Column(""), *(_value(header) for header, _ in chunk)]
        rows: list[list[Cell]] = [
            [name, *(cells[index] for _, cells in chunk)] for index, name in enumerate(names)
        ]
        tables.append(FittedTable(title, heads, rows))
    return tables


def _chunks(
    columns: Sequence[tuple[str, list[str]]], first: int, width: int
) -> list[list[tuple[str, list[str]]]]:
    """``columns`` in runs that fit ``width`` beside the first column, whole headers and all."""
    chunks: list[list[tuple[str, list[str]]]] = []
    widths: list[int] = []
    for column in columns:
        header, cells = column
        needed = max(cell_width(header), *(cell_width(cell) for cell in cells))
        if chunks and table_width([first, *widths, needed]) <= width:
            chunks[-1].append(column)
            widths.append(needed)
        else:
            chunks.append([column])
            widths = [needed]
    return chunks


def _values(point: Point, parameters: Sequence[str]) -> list[str]:
    return [value_text(point.value(name)) for name in parameters]


def _value(header: str) -> Column:
    return Column(header, whole=True, justify="right")


# -- JSON -----------------------------------------------------------------------------------------


def sweep_json(summary: SweepSummary, sources: Sequence[str]) -> dict[str, Any]:
    """The summary as JSON-native data: raw values (times in ns), every metric of every
    point, and which metrics vary."""
    kinds = {metric.label: "varying" for metric in summary.varying()}
    kinds |= {metric.label: "constant" for metric, _ in summary.constant()}
    kinds |= {metric.label: "unmeasured" for metric in summary.unmeasured()}
    return {
        "sources": list(sources),
        "parameters": list(summary.parameters),
        "runs": summary.runs,
        "failed": summary.failed,
        "metrics": [
            {"label": m.label, "unit": m.unit, "kind": kinds[m.label]} for m in summary.metrics
        ],
        "points": [_point_json(point, summary.metrics) for point in summary.points],
    }


def _point_json(point: Point, metrics: Sequence[Metric]) -> dict[str, Any]:
    return {
        "label": point.label,
        "params": dict(point.params),
        "runs": point.runs,
        "failed": point.failed,
        "met": point.met,
        "metrics": {metric.label: stats_json(point.of(metric)) for metric in metrics},
    }


def stats_json(stats: Stats) -> dict[str, Any]:
    return {
        "measured": stats.measured,
        "mean": stats.mean,
        **{f"p{percent}": stats.percentile(percent) for percent in PERCENTILES},
        "min": stats.min,
        "max": stats.max,
    }
