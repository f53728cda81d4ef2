"""The plots of a sweep's summary as PNG bytes: a metric's distribution at each point (a box and
its runs, or the runs' histogram when there is one point), and a metric against a numeric swept
parameter, its p50 a line and its p5-p95 a band, a line per value of the other parameters.

Built as the run report's plots are (``relayer_sim.report.plots``: no pyplot, the default
style, a fixed size, no software tag), so the same results give the same bytes. Percentiles are
the tables' (nearest rank), so a box or a band shows values some run had."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import cycle, pairwise
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter, MaxNLocator
from matplotlib.typing import LineStyleType

from relayer_sim.report.plots import CLIENT_COLOURS, new_figure, plain_text, png_bytes, say_on
from relayer_sim.report.sweep_table import format_value
from relayer_sim.sweep.aggregate import Metric, Point, Stats, SweepSummary, numeric, value_text

_HEIGHT_IN: Final = 4.2
#: Up to this many distinct values, a histogram has a bar per value rather than bins.
_EXACT_BARS: Final = 40
_BINS: Final = 30
#: Ticks at each swept value, labelled as written, up to this many values.
_LABELLED_TICKS: Final = 12
_BAND_ALPHA: Final = 0.18
_LINE_STYLES: Final[tuple[LineStyleType, ...]] = ("-", "--", "-.", ":")
_MARKERS: Final = ("o", "s", "^", "D", "v", "P")
_NS_PER_S: Final = 1_000_000_000
#: The strip's horizontal spread, as a share of the space between two boxes.
_STRIP_WIDTH: Final = 0.5
_GOLDEN: Final = 0.6180339887498949


@dataclass(frozen=True, slots=True)
class _Scale:
    """How raw values read on an axis: divided by ``divisor``, named ``unit``."""

    divisor: float
    unit: str

    def of(self, value: float) -> float:
        return value / self.divisor


def _time_scale(largest_ns: float) -> _Scale:
    if largest_ns <= 2 * 60 * _NS_PER_S:
        return _Scale(_NS_PER_S, "s")
    if largest_ns <= 2 * 3600 * _NS_PER_S:
        return _Scale(60 * _NS_PER_S, "min")
    return _Scale(3600 * _NS_PER_S, "h")


def _value_scale(metric: Metric, values: Sequence[int]) -> _Scale:
    if metric.unit == "time":
        return _time_scale(max(values, default=0))
    return _Scale(1, "")


def _axis_label(metric: Metric, scale: _Scale) -> str:
    return plain_text(metric.label) + (f" ({scale.unit})" if scale.unit else "")


def _style_values_axis(axes: Axes, metric: Metric, which: str) -> None:
    axis = axes.yaxis if which == "y" else axes.xaxis
    if metric.unit == "gas":
        axis.set_major_formatter(EngFormatter())
    elif metric.unit == "count":
        axis.set_major_locator(MaxNLocator(integer=True))


# -- distribution ---------------------------------------------------------------------------------


def plot_distribution(summary: SweepSummary, metric: Metric) -> bytes:
    """``metric``'s values in every run: a histogram for one point, a box (p25-p75, p50, whiskers
    p5-p95) and the runs as dots for each of several."""
    return png_bytes(distribution_figure(summary, metric))


def distribution_figure(summary: SweepSummary, metric: Metric) -> Figure:
    """The figure ``plot_distribution`` saves, for a test to measure."""
    with new_figure(_HEIGHT_IN) as (figure, (axes,)):
        values = summary.values(metric)
        scale = _value_scale(metric, values)
        if not values:
            say_on(axes, "no run measured it")
        elif len(summary.points) == 1:
            _histogram(axes, metric, summary.points[0].of(metric), scale)
        else:
            _boxes(axes, metric, summary.points, scale)
        runs = len(values)
        figure.suptitle(f"{plain_text(metric.label)}: {runs} run{'' if runs == 1 else 's'}")
    return figure


def _histogram(axes: Axes, metric: Metric, stats: Stats, scale: _Scale) -> None:
    """A bar per distinct value when there are few (measured times come in block steps), else
    even bins; the p50, p95 and p99 as vertical lines."""
    xs = [scale.of(value) for value in stats.values]
    distinct = sorted(set(xs))
    if len(distinct) <= _EXACT_BARS:
        gaps = [b - a for a, b in pairwise(distinct)]
        width = 0.8 * min(gaps, default=max(abs(distinct[0]), 1.0))
        axes.bar(distinct, [xs.count(x) for x in distinct], width=width, color=CLIENT_COLOURS[0])
    else:
        axes.hist(xs, bins=_BINS, color=CLIENT_COLOURS[0])
    handles: list[Patch | Line2D] = [Patch(color=CLIENT_COLOURS[0], label="runs")]
    lines: tuple[tuple[int, LineStyleType], ...] = ((50, "-"), (95, "--"), (99, ":"))
    for percent, style in lines:
        value = stats.percentile(percent)
        assert value is not None  # the point has values
        label = f"p{percent} = {format_value(metric.unit, value)}"
        axes.axvline(scale.of(value), color="#d62728", linestyle=style, linewidth=1.6)
        handles.append(Line2D([], [], color="#d62728", linestyle=style, label=label))
    axes.set_xlabel(_axis_label(metric, scale))
    axes.set_ylabel("runs")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _style_values_axis(axes, metric, "x")
    axes.figure.legend(handles=handles, loc="outside right upper", fontsize=9)


def _boxes(axes: Axes, metric: Metric, points: Sequence[Point], scale: _Scale) -> None:
    """A box per point from the tables' percentiles, its runs as dots beside it."""
    boxes, positions = [], []
    for position, point in enumerate(points, start=1):
        stats = point.of(metric)
        if not stats.values:
            continue
        boxes.append(_box(stats, scale))
        positions.append(position)
        xs = [position + _spread(index) for index in range(stats.measured)]
        ys = [scale.of(value) for value in stats.values]
        axes.scatter(xs, ys, s=10, color=CLIENT_COLOURS[1], alpha=0.55, linewidths=0, zorder=3)
    axes.bxp(boxes, positions=positions, widths=0.6, showfliers=False, manage_ticks=False)
    labels = [plain_text(point.label) for point in points]
    tilted = sum(map(len, labels)) > 90
    axes.set_xticks(
        range(1, len(points) + 1),
        labels,
        rotation=30 if tilted else 0,
        ha="right" if tilted else "center",
        fontsize=8,
    )
    axes.set_xlim(0.4, len(points) + 0.6)
    axes.set_ylabel(_axis_label(metric, scale))
    _style_values_axis(axes, metric, "y")
    handles = [
        Patch(facecolor="white", edgecolor="black", label="p25-p75, line p50"),
        Line2D([], [], color="black", label="whiskers p5-p95"),
        Line2D([], [], marker="o", color=CLIENT_COLOURS[1], linestyle="", label="a run"),
    ]
    axes.figure.legend(handles=handles, loc="outside right upper", fontsize=9)


def _box(stats: Stats, scale: _Scale) -> dict[str, float]:
    def at(percent: int) -> float:
        value = stats.percentile(percent)
        assert value is not None
        return scale.of(value)

    return {"whislo": at(5), "q1": at(25), "med": at(50), "q3": at(75), "whishi": at(95)}


def _spread(index: int) -> float:
    """A run's offset from its box's centre: an even, fixed scatter, so the picture is the same
    every time (no random jitter)."""
    return ((index * _GOLDEN) % 1.0 - 0.5) * _STRIP_WIDTH


# -- against a parameter --------------------------------------------------------------------------


def trend_parameter(summary: SweepSummary) -> str | None:
    """The parameter a metric is plotted against: the first one whose every value is a number
    or a duration, when it takes two values or more; None when there is none."""
    for name in summary.parameters:
        values = [numeric(point.value(name)) for point in summary.points]
        if all(value is not None for value in values) and len(set(values)) > 1:
            return name
    return None


def plot_trend(summary: SweepSummary, metric: Metric) -> bytes | None:
    """``metric`` against ``trend_parameter``: its p50 a line and p5-p95 a band, a line per
    value of the other parameters; None when no parameter is numeric."""
    figure = trend_figure(summary, metric)
    return None if figure is None else png_bytes(figure)


def trend_figure(summary: SweepSummary, metric: Metric) -> Figure | None:
    """The figure ``plot_trend`` saves, for a test to measure."""
    x_name = trend_parameter(summary)
    if x_name is None:
        return None
    others = [name for name in summary.parameters if name != x_name]
    series = _series(summary.points, others)
    x_scale = _x_scale(summary.points, x_name)
    y_scale = _value_scale(metric, summary.values(metric))
    with new_figure(_HEIGHT_IN) as (figure, (axes,)):
        styles = zip(cycle(CLIENT_COLOURS), cycle(_LINE_STYLES), cycle(_MARKERS), strict=False)
        handles: list[Patch | Line2D] = []
        for (label, points), (colour, dash, marker) in zip(series, styles, strict=False):
            line = _draw_series(axes, metric, points, x_name, x_scale, y_scale, colour, dash)
            line.set_marker(marker)
            if others:
                handles.append(
                    Line2D([], [], color=colour, linestyle=dash, marker=marker, label=label)
                )
        handles += [
            Line2D([], [], color="#555555", marker="o", label="p50"),
            Patch(color="#555555", alpha=_BAND_ALPHA + 0.1, label="p5-p95"),
        ]
        title = ", ".join(plain_text(name) for name in others) or None
        figure.legend(handles=handles, loc="outside right upper", fontsize=9, title=title)
        _x_ticks(axes, summary.points, x_name, x_scale)
        axes.set_xlabel(plain_text(x_name) + (f" ({x_scale.unit})" if x_scale.unit else ""))
        axes.set_ylabel(_axis_label(metric, y_scale))
        _style_values_axis(axes, metric, "y")
        figure.suptitle(f"{plain_text(metric.label)} against {plain_text(x_name)}")
    return figure


def _series(points: Sequence[Point], others: Sequence[str]) -> list[tuple[str, list[Point]]]:
    """The points of each combination of the other parameters, in the sweep's order."""
    groups: dict[str, list[Point]] = {}
    for point in points:
        label = ", ".join(plain_text(value_text(point.value(name))) for name in others)
        groups.setdefault(label, []).append(point)
    return list(groups.items())


def _draw_series(
    axes: Axes,
    metric: Metric,
    points: Sequence[Point],
    x_name: str,
    x_scale: _Scale,
    y_scale: _Scale,
    colour: str,
    dash: LineStyleType,
) -> Line2D:
    """One line: p50 at each value of ``x_name`` that has runs, and the p5-p95 band around it."""
    measured = sorted(
        ((_x(point, x_name), point.of(metric)) for point in points if point.of(metric).values),
        key=lambda item: item[0],
    )
    xs = [x_scale.of(x) for x, _ in measured]
    low, middle, high = (
        [y_scale.of(float(stats.percentile(percent) or 0)) for _, stats in measured]
        for percent in (5, 50, 95)
    )
    axes.fill_between(xs, low, high, color=colour, alpha=_BAND_ALPHA, linewidth=0)
    (line,) = axes.plot(xs, middle, color=colour, linestyle=dash, linewidth=2.0, markersize=6)
    if not measured:
        say_on(axes, "no run measured it")
    return line


def _x(point: Point, name: str) -> float:
    value = numeric(point.value(name))
    assert value is not None  # trend_parameter chose a numeric parameter
    return value


def _x_scale(points: Sequence[Point], name: str) -> _Scale:
    """Durations in s, min or h (as the largest reads best); numbers as they are."""
    if isinstance(points[0].value(name), str):
        return _time_scale(max(_x(point, name) for point in points))
    return _Scale(1, "")


def _x_ticks(axes: Axes, points: Sequence[Point], name: str, scale: _Scale) -> None:
    """A tick at each swept value, labelled as the file writes it, when they are few."""
    ticks = {_x(point, name): value_text(point.value(name)) for point in points}
    if len(ticks) <= _LABELLED_TICKS:
        ordered = sorted(ticks)
        axes.set_xticks([scale.of(x) for x in ordered], [plain_text(ticks[x]) for x in ordered])
