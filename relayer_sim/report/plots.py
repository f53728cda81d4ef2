"""The plots of a run's metrics as PNG bytes: heights and lag over time, packet latency, gas per
message type, and headline numbers of several runs side by side.

Figures are built with ``matplotlib.figure.Figure`` and the Agg canvas, never pyplot, so no
window, backend switch or global figure list is involved. Each is drawn under matplotlib's
default style, so a user's matplotlibrc cannot change the picture, at a fixed size and dpi and
saved without the software tag: the same metrics give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import cycle
from typing import Final

import matplotlib.style
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter, MaxNLocator, NullFormatter

from relayer_sim.report.metrics import ClientMetrics, EventMark, Interval, RunMetrics
from relayer_sim.report.metrics_types import (
    CONSENSUS_SWITCH,
    COUNTERPARTY_HALT,
    COUNTERPARTY_RESTART,
    EVIDENCE,
    FORK,
    FREEZE,
    GOVERNANCE_CATEGORIES,
    HOST_HALT,
    HOST_RESTART,
)

DPI: Final = 100
WIDTH_IN: Final = 10.0
#: Line and bar colours; a test looks for them in the rendered report.
CLIENT_COLOURS: Final = ("#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#e377c2", "#8c564b")
COUNTERPARTY_COLOUR: Final = "#111111"
ON_TIME_COLOUR: Final = "#1f77b4"
DELAYED_COLOUR: Final = "#ff7f0e"
THRESHOLD_COLOUR: Final = "#d62728"
SDK_GAS_COLOUR: Final = "#1f77b4"
CONTRACT_GAS_COLOUR: Final = "#ff7f0e"
HOST_DOWN_COLOUR: Final = "#7f7f7f"

_SECOND: Final = 1_000_000_000
#: The ticks of a latency axis: durations a person reads at a glance.
_ROUND_DURATIONS_S: Final = (
    *(1, 2, 5, 10, 15, 30),
    *(60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 6 * 3600, 12 * 3600),
    *(86400, 2 * 86400, 7 * 86400),
)
#: Event marks are coloured by what kind of thing happened.
_MARK_GROUPS: Final = (
    ("consensus switch", "#d62728", frozenset({CONSENSUS_SWITCH})),
    ("governance", "#2ca02c", GOVERNANCE_CATEGORIES),
    ("fork / evidence / freeze", "#000000", frozenset({FORK, EVIDENCE, FREEZE})),
    ("host halt / restart", "#7f7f7f", frozenset({HOST_HALT, HOST_RESTART})),
    (
        "counterparty halt / restart",
        "#bcbd22",
        frozenset({COUNTERPARTY_HALT, COUNTERPARTY_RESTART}),
    ),
)
_OTHER_MARK: Final = ("other event", "#8c564b")
#: The line style of each counterparty's height, in the order the clients name them.
_CHAIN_STYLES: Final = ("-", "--", ":", "-.")
#: Marks closer than this share of the time axis share one label, so labels do not overlap.
_LABEL_CLUSTER: Final = 0.025


# -- heights --------------------------------------------------------------------------------------


def plot_heights(metrics: RunMetrics) -> bytes:
    """Counterparty and client heights (top) and each client's lag (bottom) over simulated time,
    with downtime shaded and the event marks as vertical lines numbered as in the report."""
    axis = _time_axis(metrics.duration_ns)
    with _figure(6.4, rows=2) as (figure, (heights, lag)):
        heights.sharex(lag)
        _draw_counterparty(heights, metrics.clients, axis)
        for colour, client in zip(cycle(CLIENT_COLOURS), metrics.clients, strict=False):
            _draw_client((heights, lag), client, colour, metrics.duration_ns, axis)
        if not metrics.clients:
            _say(heights, "no clients in this run")
        for axes in (heights, lag):
            _shade(axes, metrics.host_downtime, metrics.duration_ns, axis, HOST_DOWN_COLOUR, "//")
            _draw_marks(axes, metrics.marks, axis)
        _label_marks(heights, metrics.marks, metrics.duration_ns, axis)
        heights.set_title("counterparty and client heights", pad=30)
        heights.set_ylabel("counterparty block")
        lag.set_ylabel("lag (blocks)")
        for axes in (heights, lag):
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        lag.set_xlabel(axis.label)
        lag.set_xlim(0, max(metrics.duration_ns, 1) / axis.unit_ns)
        heights.legend(handles=_legend_handles(heights, metrics), loc="upper left", fontsize=8)
        return _png(figure)


def _draw_counterparty(axes: Axes, clients: Sequence[ClientMetrics], axis: _TimeAxis) -> None:
    """The height of each counterparty the clients follow (named, when there are several; a
    dash style each)."""
    chains = list(dict.fromkeys(client.counterparty for client in clients))
    for chain, style in zip(chains, cycle(_CHAIN_STYLES), strict=False):
        by_time = {
            s.t_ns: s.counterparty_height
            for c in clients
            if c.counterparty == chain
            for s in c.samples
        }
        times = sorted(by_time)
        axes.plot(
            [axis.of(t) for t in times],
            _block_indices([by_time[t] for t in times]),
            color=COUNTERPARTY_COLOUR,
            linewidth=1,
            linestyle=style,
            drawstyle="steps-post",
            label="counterparty" if len(chains) == 1 else _plain(chain),
            zorder=3,
        )


def _draw_client(
    panels: Sequence[Axes], client: ClientMetrics, colour: str, end_ns: int, axis: _TimeAxis
) -> None:
    """The client's height on the first panel and its lag on the second, its downtime shaded
    on both; a downtime still open at the end runs to ``end_ns``."""
    times = [axis.of(sample.t_ns) for sample in client.samples]
    chain = _block_indices([sample.counterparty_height for sample in client.samples])
    lags = [_nan_if_none(sample.lag_blocks) for sample in client.samples]
    positions = [block - behind for block, behind in zip(chain, lags, strict=True)]
    label = f"client {_plain(client.name)}"
    for axes, values in zip(panels, (positions, lags), strict=True):
        axes.plot(times, values, color=colour, linewidth=2.5, drawstyle="steps-post", label=label)
        _shade(axes, client.downtime, end_ns, axis, colour)


def _block_indices(heights: Sequence[str | None]) -> list[float]:
    """``"R-H"`` heights as one block index that keeps counting across revisions: a new
    revision's heights continue from the last index of the one before. None stays a gap."""
    indices: list[float] = []
    revision, base, last = None, 0, 0
    for height in heights:
        parsed = _parse_height(height)
        if parsed is None:
            indices.append(float("nan"))
            continue
        if revision is not None and parsed[0] != revision:
            base = last
        revision, last = parsed[0], base + parsed[1]
        indices.append(float(last))
    return indices


def _parse_height(height: str | None) -> tuple[int, int] | None:
    revision, _, number = (height or "").partition("-")
    if not (revision.isdigit() and number.isdigit()):
        return None
    return int(revision), int(number)


# -- event marks and shading ----------------------------------------------------------------------


def mark_colour(category: str) -> tuple[str, str]:
    """The legend name and colour of an event mark's category."""
    for name, colour, categories in _MARK_GROUPS:
        if category in categories:
            return name, colour
    return _OTHER_MARK


def _draw_marks(axes: Axes, marks: Sequence[EventMark], axis: _TimeAxis) -> None:
    for mark in marks:
        _, colour = mark_colour(mark.category)
        axes.axvline(axis.of(mark.t_ns), color=colour, linewidth=1, alpha=0.8, zorder=1)


def _label_marks(axes: Axes, marks: Sequence[EventMark], duration_ns: int, axis: _TimeAxis) -> None:
    """Number the marks 1, 2, … above the plot (the report lists them by number); marks close
    together get one label such as ``3-5``, and neighbouring labels alternate rows."""
    clusters: list[list[int]] = []
    gap_ns = _LABEL_CLUSTER * max(duration_ns, 1)
    for number, mark in enumerate(marks, start=1):
        if clusters and mark.t_ns - marks[clusters[-1][0] - 1].t_ns <= gap_ns:
            clusters[-1].append(number)
        else:
            clusters.append([number])
    previous_ns: int | None = None
    row = 0
    for cluster in clusters:
        first = marks[cluster[0] - 1]
        crowded = previous_ns is not None and first.t_ns - previous_ns <= 3 * gap_ns
        row = 1 - row if crowded else 0
        text = str(cluster[0]) if len(cluster) == 1 else f"{cluster[0]}-{cluster[-1]}"
        axes.text(
            axis.of(first.t_ns),
            1.01 + 0.06 * row,
            text,
            transform=axes.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            color=mark_colour(first.category)[1],
            clip_on=False,
        )
        previous_ns = first.t_ns


def _shade(
    axes: Axes,
    intervals: Sequence[Interval],
    open_end_ns: int,
    axis: _TimeAxis,
    colour: str,
    hatch: str | None = None,
) -> None:
    """Shade ``intervals``; one still open at the end runs to ``open_end_ns``."""
    for interval in intervals:
        end = interval.end_ns if interval.end_ns is not None else open_end_ns
        axes.axvspan(
            axis.of(interval.start_ns),
            axis.of(max(end, interval.start_ns)),
            color=colour,
            alpha=0.15,
            hatch=hatch,
            linewidth=0,
            zorder=0,
        )


def _legend_handles(axes: Axes, metrics: RunMetrics) -> list[Artist]:
    """The lines drawn, then one entry per kind of shading and of event mark present."""
    # Unlabelled lines (the marks) are named "_child…", matplotlib's sign to leave them out.
    handles: list[Artist] = [
        line for line in axes.get_lines() if not str(line.get_label()).startswith("_")
    ]
    if any(client.downtime for client in metrics.clients):
        handles.append(Patch(color=CLIENT_COLOURS[0], alpha=0.15, label="client downtime"))
    if metrics.host_downtime:
        handles.append(Patch(color=HOST_DOWN_COLOUR, alpha=0.15, hatch="//", label="host downtime"))
    groups = dict(mark_colour(mark.category) for mark in metrics.marks)
    handles += [Line2D([], [], color=colour, label=name) for name, colour in groups.items()]
    return handles


# -- packets and gas ------------------------------------------------------------------------------


def plot_packet_latency(metrics: RunMetrics) -> bytes:
    """Each received packet's latency against when it was sent, on a log scale so that the
    usual few seconds and a stall's minutes both read; those past the delay threshold (drawn as
    a line when known) stand out in their own colour."""
    packets = metrics.packets
    axis = _time_axis(metrics.duration_ns)
    threshold = packets.delay_threshold_ns
    with _figure(3.6) as (figure, (axes,)):
        for delayed, colour, name in (
            (False, ON_TIME_COLOUR, "on time"),
            (True, DELAYED_COLOUR, "delayed"),
        ):
            points = [
                (axis.of(sent), latency / _SECOND)
                for sent, latency in packets.latencies
                if (threshold is not None and latency > threshold) == delayed
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                axes.scatter(xs, ys, s=12, color=colour, label=name, zorder=2)
        if threshold is not None:
            axes.axhline(
                threshold / _SECOND,
                color=THRESHOLD_COLOUR,
                linestyle="--",
                linewidth=1.5,
                label="delay threshold",
            )
        if packets.latencies:
            _duration_log_scale(axes, [latency for _, latency in packets.latencies], threshold)
            axes.legend(loc="upper right", fontsize=8)
        else:
            _say(axes, "no packet received")
        axes.set_xlim(0, max(metrics.duration_ns, 1) / axis.unit_ns)
        axes.set_title("packet latency")
        axes.set_xlabel(f"sent at, {axis.label}")
        axes.set_ylabel("latency")
        return _png(figure)


def _duration_log_scale(axes: Axes, latencies_ns: Sequence[int], threshold_ns: int | None) -> None:
    """A log y axis in seconds whose ticks are round durations labelled as such."""
    seconds_shown = [ns / _SECOND for ns in latencies_ns if ns > 0]
    if threshold_ns:
        seconds_shown.append(threshold_ns / _SECOND)
    low, high = min(seconds_shown, default=1.0) / 2, max(seconds_shown, default=1.0) * 2
    ticks = [seconds for seconds in _ROUND_DURATIONS_S if low <= seconds <= high]
    while len(ticks) > 8:
        ticks = ticks[::2]
    axes.set_yscale("log", nonpositive="clip")
    axes.set_ylim(low, high)
    axes.set_yticks(ticks, [_short_duration(seconds) for seconds in ticks])
    axes.yaxis.set_minor_formatter(NullFormatter())


def _short_duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds} s"


def plot_gas(metrics: RunMetrics) -> bytes:
    """Mean SDK gas and mean contract gas per message type, side by side: the two differ by
    orders of magnitude, so each gets its own scale."""
    gas = metrics.gas
    with _figure(max(2.4, 1.2 + 0.4 * len(gas)), columns=2) as (figure, (sdk, contract)):
        names = [f"{_plain(item.message)} ({item.count:,} txs)" for item in gas]
        positions = list(range(len(gas)))
        sdk.barh(positions, [item.sdk_gas_mean for item in gas], color=SDK_GAS_COLOUR)
        contract.barh(
            positions, [item.contract_gas_mean for item in gas], color=CONTRACT_GAS_COLOUR
        )
        sdk.set_yticks(positions, names, fontsize=8)
        contract.set_yticks(positions, [""] * len(gas))
        titles = ("mean SDK gas per transaction", "mean contract gas per transaction")
        for axes, title in zip((sdk, contract), titles, strict=True):
            axes.set_title(title)
            axes.invert_yaxis()
            axes.xaxis.set_major_formatter(EngFormatter())
            axes.xaxis.set_major_locator(MaxNLocator(6))
        if not gas:
            _say(sdk, "no transactions")
        return _png(figure)


# -- several runs ---------------------------------------------------------------------------------


def plot_comparison(runs: Sequence[RunMetrics], labels: Sequence[str] | None = None) -> bytes:
    """Headline durations of each run as grouped bars: worst client downtime, switch to first
    good update, host downtime and p99 packet latency. A run without a value gets no bar and
    an ``n/a``. ``labels`` name the runs (their scenario names by default)."""
    names = list(labels) if labels is not None else [run.scenario for run in runs]
    if len(names) != len(runs):
        raise ValueError(f"{len(names)} labels for {len(runs)} runs")
    values = [[value_of(run) for run in runs] for _, value_of in _HEADLINES]
    axis = _time_axis(max((v for row in values for v in row if v is not None), default=0))
    width = 0.8 / max(len(runs), 1)
    with _figure(3.8) as (figure, (axes,)):
        for index, (name, colour) in enumerate(zip(names, cycle(CLIENT_COLOURS), strict=False)):
            offset = (index - (len(runs) - 1) / 2) * width
            column = [row[index] for row in values]
            bars = axes.bar(
                [group + offset for group in range(len(_HEADLINES))],
                [0.0 if value is None else axis.of(value) for value in column],
                width,
                color=colour,
                label=_plain(name),
            )
            shown = ["n/a" if value is None else f"{axis.of(value):.3g}" for value in column]
            axes.bar_label(bars, shown, fontsize=7, padding=2)
        axes.set_xticks(range(len(_HEADLINES)), [name for name, _ in _HEADLINES])
        axes.set_ylabel(f"{axis.unit} of simulated time")
        axes.set_title("runs compared")
        if runs:
            # Above the bars, never over them: headroom for a legend row per three runs.
            axes.set_ylim(top=axes.get_ylim()[1] * (1.15 + 0.1 * (len(runs) // 3)))
            axes.legend(fontsize=8, loc="upper center", ncols=min(len(runs), 3), frameon=False)
        else:
            _say(axes, "no runs")
        return _png(figure)


def _worst_client_downtime(run: RunMetrics) -> int | None:
    return max((client.downtime_ns for client in run.clients), default=None)


def _switch_to_good_update(run: RunMetrics) -> int | None:
    return None if run.switch is None else run.switch.recovery_ns


_HEADLINES: Final[tuple[tuple[str, Callable[[RunMetrics], int | None]], ...]] = (
    ("worst client downtime", _worst_client_downtime),
    ("switch → first good update", _switch_to_good_update),
    ("host downtime", lambda run: run.host_downtime_ns),
    ("packet latency p99", lambda run: run.packets.p99_ns),
)


# -- common parts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TimeAxis:
    """A unit of simulated time chosen so the span reads in small numbers."""

    unit_ns: int
    unit: str

    @property
    def label(self) -> str:
        return f"simulated time ({self.unit})"

    def of(self, ns: int) -> float:
        return ns / self.unit_ns


def _time_axis(span_ns: int) -> _TimeAxis:
    if span_ns <= 10 * 60 * _SECOND:
        return _TimeAxis(_SECOND, "s")
    if span_ns <= 6 * 3600 * _SECOND:
        return _TimeAxis(60 * _SECOND, "min")
    return _TimeAxis(3600 * _SECOND, "h")


@contextmanager
def _figure(
    height_in: float, rows: int = 1, columns: int = 1
) -> Iterator[tuple[Figure, list[Axes]]]:
    """A figure of the fixed width and ``height_in`` with its grid of axes, drawn under the
    default style whatever the user's matplotlibrc says."""
    with matplotlib.style.context("default"):
        figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        grid = figure.subplots(rows, columns, squeeze=False)
        axes = [item for row in grid for item in row]
        for item in axes:
            item.grid(True, color="#e0e0e0", linewidth=0.6)
            item.set_axisbelow(True)
        yield figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _say(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color="#555555")


def _plain(text: str) -> str:
    """``text`` from a trace shown as it is: a ``$`` would otherwise start mathtext."""
    return text.replace("$", r"\$")


def _nan_if_none(value: int | None) -> float:
    return float("nan") if value is None else float(value)
