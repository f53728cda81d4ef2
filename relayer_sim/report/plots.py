"""The plots of a run's metrics as PNG bytes: heights and lag over time, packet latency, gas per
message type, and the headline metrics of several runs side by side.

Figures are built with ``matplotlib.figure.Figure`` and the Agg canvas, never pyplot, so no
window, backend switch or global figure list is involved. Each is drawn under matplotlib's
default style, so a user's matplotlibrc cannot change the picture, at a fixed size and dpi and
saved without the software tag: the same metrics give the same bytes. Each ``*_figure``
function gives the figure itself, laid out, for a test to measure; ``plot_*`` its PNG.

Legends stand outside the axes (to their right, or above a grid), so they never hide data;
lines that can coincide (a client following its counterparty, two clients alike) differ in
width and dash as well as colour; a host halt is a hatched grey band, a counterparty's halt or
stall a band of its own.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import cycle
from typing import Final

import matplotlib.style
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter, MaxNLocator, NullFormatter, NullLocator
from matplotlib.typing import LineStyleType

from relayer_sim.report.metrics import (
    ClientMetrics,
    EventMark,
    Headline,
    Interval,
    RunMetrics,
    headlines,
)
from relayer_sim.report.metrics_types import (
    CONSENSUS_SWITCH,
    COUNTERPARTY_HALT,
    COUNTERPARTY_RESTART,
    COUNTERPARTY_RESUME,
    COUNTERPARTY_STALL,
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
COUNTERPARTY_DOWN_COLOUR: Final = "#bcbd22"
#: The legend's names for the bands of a halt.
HOST_HALTED: Final = "host halted"
COUNTERPARTY_HALTED: Final = "counterparty halted / stalled"
#: The ``gid`` of each mark's number above the heights plot, for a test to find them.
MARK_LABEL_GID: Final = "mark-label"

_SECOND: Final = 1_000_000_000
#: The ticks of a latency axis: durations a person reads at a glance.
_ROUND_DURATIONS_S: Final = (
    *(1, 2, 5, 10, 15, 30),
    *(60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 6 * 3600, 12 * 3600),
    *(86400, 2 * 86400, 7 * 86400),
)


#: A matplotlib line style: a name (``"--"``) or an offset and on-off lengths.
_Dash = LineStyleType


@dataclass(frozen=True, slots=True)
class _MarkStyle:
    """How the marks of a group of categories are drawn, and their legend name."""

    name: str
    colour: str
    linestyle: _Dash
    categories: frozenset[str]


#: Event marks are coloured and dashed by what kind of thing happened: marks of two kinds at
#: the same moment still show both.
_MARK_STYLES: Final = (
    _MarkStyle("consensus switch", "#d62728", "-", frozenset({CONSENSUS_SWITCH})),
    _MarkStyle("governance", "#2ca02c", "--", GOVERNANCE_CATEGORIES),
    _MarkStyle("fork / evidence / freeze", "#000000", ":", frozenset({FORK, EVIDENCE, FREEZE})),
    _MarkStyle("host halt / restart", HOST_DOWN_COLOUR, "-", frozenset({HOST_HALT, HOST_RESTART})),
    _MarkStyle(
        "counterparty halt / stall",
        "#8c8d00",
        "-.",
        frozenset(
            {COUNTERPARTY_HALT, COUNTERPARTY_RESTART, COUNTERPARTY_STALL, COUNTERPARTY_RESUME}
        ),
    ),
)
_OTHER_MARK: Final = _MarkStyle("other event", "#8c564b", (0, (1, 3)), frozenset())
#: Each client's line: width and dash. The first is widest and drawn lowest, so a client that
#: coincides with another still shows around it.
_CLIENT_LINES: Final[tuple[tuple[_Dash, float], ...]] = (
    ("-", 3.4),
    ((0, (5, 2)), 2.4),
    ((0, (3, 1, 1, 1)), 1.8),
    (":", 1.6),
)
#: The line style of each counterparty's height, in the order the clients name them: thin and
#: black, on top of its clients' lines.
_CHAIN_STYLES: Final[tuple[_Dash, ...]] = ("-", (0, (6, 3)), (0, (1, 2)), (0, (6, 2, 1, 2)))
#: The numbers of the marks: rows above the heights plot, points between rows and labels.
_LABEL_ROWS: Final = 3
_LABEL_ROW_PT: Final = 11.0
_LABEL_GAP_PX: Final = 4.0
#: How far a number may stand from its mark before another row is worth using.
_LABEL_SHIFT_PX: Final = 30.0
_LABEL_FONT: Final = FontProperties(size=8, weight="bold")
_BAND_FONT: Final = FontProperties(size=7.5, style="italic")


# -- heights --------------------------------------------------------------------------------------


def plot_heights(metrics: RunMetrics) -> bytes:
    """Counterparty and client heights (top) and each client's lag (bottom) over simulated time,
    with downtime and halts shaded and the event marks as vertical lines numbered as in the
    report."""
    return png_bytes(heights_figure(metrics))


def heights_figure(metrics: RunMetrics) -> Figure:
    """The figure ``plot_heights`` saves, for a test to measure."""
    axis = _time_axis(metrics.duration_ns)
    with new_figure(6.4, rows=2) as (figure, (heights, lag)):
        heights.sharex(lag)
        _draw_counterparty(heights, metrics.clients, axis)
        clients = list(enumerate(metrics.clients))
        for (index, client), colour in zip(clients, cycle(CLIENT_COLOURS), strict=False):
            _draw_client((heights, lag), client, colour, index, metrics.duration_ns, axis)
        if not metrics.clients:
            say_on(heights, "no clients in this run")
        for axes in (heights, lag):
            _shade_halts(axes, metrics, axis)
            _draw_marks(axes, metrics.marks, axis)
        heights.set_ylabel("counterparty block")
        lag.set_ylabel("lag (blocks)")
        for axes in (heights, lag):
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        lag.set_xlabel(axis.label)
        lag.set_xlim(0, max(metrics.duration_ns, 1) / axis.unit_ns)
        _legend(figure, _legend_handles(heights, metrics))
        # Numbers and band names are placed in pixels: lay the figure out first.
        figure.draw_without_rendering()
        rows = _label_marks(heights, metrics.marks, axis)
        _name_halts(heights, metrics)
        heights.set_title("counterparty and client heights", pad=6 + _LABEL_ROW_PT * rows)
    return figure


def _draw_counterparty(axes: Axes, clients: Sequence[ClientMetrics], axis: _TimeAxis) -> None:
    """The height of each counterparty the clients follow (named, when there are several; a
    dash style each), thin and above the clients' lines."""
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
            label="counterparty" if len(chains) == 1 else f"counterparty {plain_text(chain)}",
            zorder=10,
        )


def _draw_client(
    panels: Sequence[Axes],
    client: ClientMetrics,
    colour: str,
    index: int,
    end_ns: int,
    axis: _TimeAxis,
) -> None:
    """The client's height on the first panel and its lag on the second, its downtime shaded
    on both; a downtime still open at the end runs to ``end_ns``. The ``index``-th client is
    drawn narrower, dashed otherwise and above the ones before it."""
    times = [axis.of(sample.t_ns) for sample in client.samples]
    chain = _block_indices([sample.counterparty_height for sample in client.samples])
    lags = [_nan_if_none(sample.lag_blocks) for sample in client.samples]
    positions = [block - behind for block, behind in zip(chain, lags, strict=True)]
    style, width = _CLIENT_LINES[index % len(_CLIENT_LINES)]
    label = f"client {plain_text(client.name)}"
    for axes, values in zip(panels, (positions, lags), strict=True):
        axes.plot(
            times,
            values,
            color=colour,
            linewidth=width,
            linestyle=style,
            drawstyle="steps-post",
            label=label,
            zorder=3 + index,
        )
        _shade(axes, client.downtime, end_ns, axis, colour, alpha=0.12)


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


# -- event marks, halts and legends ---------------------------------------------------------------


def mark_colour(category: str) -> tuple[str, str]:
    """The legend name and colour of an event mark's category."""
    style = _mark_style(category)
    return style.name, style.colour


def _mark_style(category: str) -> _MarkStyle:
    return next((style for style in _MARK_STYLES if category in style.categories), _OTHER_MARK)


def _draw_marks(axes: Axes, marks: Sequence[EventMark], axis: _TimeAxis) -> None:
    for mark in marks:
        style = _mark_style(mark.category)
        axes.axvline(
            axis.of(mark.t_ns),
            color=style.colour,
            linestyle=style.linestyle,
            linewidth=1.2,
            alpha=0.85,
            zorder=2,
        )


def _label_marks(axes: Axes, marks: Sequence[EventMark], axis: _TimeAxis) -> int:
    """Number every mark once, 1, 2… as the report lists them, above ``axes`` (laid out):
    each number on the lowest of the rows where it fits over its mark, else beside the
    others, tied to its mark by a thin line. Gives the number of rows used."""
    if not marks:
        return 0
    box = axes.get_window_extent()
    wanted = [_x_px(axes, axis.of(mark.t_ns)) for mark in marks]
    texts = [str(number) for number in range(1, len(marks) + 1)]
    widths = [_text_width(axes, text, _LABEL_FONT) for text in texts]
    placed = spread_labels(wanted, widths, box.width)
    points_per_px = 72 / DPI
    for mark, text, x_px, (centre, row) in zip(marks, texts, wanted, placed, strict=True):
        colour = _mark_style(mark.category).colour
        shifted = abs(centre - x_px) > 0.5
        label = axes.annotate(
            text,
            xy=(x_px / box.width, 1.0),
            xycoords="axes fraction",
            xytext=((centre - x_px) * points_per_px, 3 + _LABEL_ROW_PT * row),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontproperties=_LABEL_FONT,
            color=colour,
            annotation_clip=False,
            arrowprops=(
                {"arrowstyle": "-", "color": colour, "linewidth": 0.6, "shrinkA": 0, "shrinkB": 0}
                if shifted
                else None
            ),
        )
        label.set_gid(MARK_LABEL_GID)
        label.set_in_layout(False)
    return 1 + max(row for _, row in placed)


def spread_labels(
    wanted: Sequence[float], widths: Sequence[float], right: float, rows: int = _LABEL_ROWS
) -> list[tuple[float, int]]:
    """(centre, row) of labels ``widths`` wide that want to be centred at ``wanted`` (sorted),
    in pixels from 0 to ``right``, no two on a row closer than ``_LABEL_GAP_PX``.

    A label that crowds no other stays over its mark on the first row. Crowded ones take the
    rows in turn, and each row's labels sit side by side, each run of touching ones centred
    where its marks are. The fewest rows that keep every label within ``_LABEL_SHIFT_PX`` of
    its mark are used (else those that shift them least)."""
    crowds = _crowds(wanted, widths)
    best: tuple[float, list[tuple[float, int]]] | None = None
    for count in range(1, rows + 1):
        row_of = [0] * len(wanted)
        for crowd in crowds:
            for place, index in enumerate(crowd):
                row_of[index] = place % count
        placed = [(0.0, 0)] * len(wanted)
        for row in range(count):
            members = [index for index in range(len(wanted)) if row_of[index] == row]
            centres = _spread_row(
                [wanted[index] for index in members], [widths[index] for index in members], right
            )
            for index, centre in zip(members, centres, strict=True):
                placed[index] = (centre, row)
        worst = max((abs(c - x) for (c, _), x in zip(placed, wanted, strict=True)), default=0.0)
        if worst <= _LABEL_SHIFT_PX:
            return placed
        if best is None or worst < best[0]:
            best = (worst, placed)
    return [] if best is None else best[1]


def _crowds(wanted: Sequence[float], widths: Sequence[float]) -> list[list[int]]:
    """The labels in runs where each would touch the next if centred over its mark."""
    crowds: list[list[int]] = []
    for index, x in enumerate(wanted):
        touches = index > 0 and (
            wanted[index - 1] + widths[index - 1] / 2 + _LABEL_GAP_PX > x - widths[index] / 2
        )
        if touches:
            crowds[-1].append(index)
        else:
            crowds.append([index])
    return crowds


def _spread_row(wanted: Sequence[float], widths: Sequence[float], right: float) -> list[float]:
    """Centres for one row: labels side by side in order, each run of touching ones placed
    where its labels' mean shift is none (so a burst of marks gets its numbers centred over
    it), then kept between 0 and ``right`` without touching."""
    blocks: list[tuple[list[int], float]] = []  # the labels of a run, and its left edge
    for index, x in enumerate(wanted):
        block, left = [index], x - widths[index] / 2
        while blocks and blocks[-1][1] + _extent(blocks[-1][0], widths) + _LABEL_GAP_PX > left:
            block = blocks.pop()[0] + block
            left = _centred_left(block, wanted, widths)
        blocks.append((block, left))
    lefts = [left for _, left in blocks]
    for place in range(len(blocks)):  # not before 0, nor over the run before
        floor = 0.0 if place == 0 else lefts[place - 1] + _extent(blocks[place - 1][0], widths)
        lefts[place] = max(lefts[place], floor + (_LABEL_GAP_PX if place else 0.0))
    for place in reversed(range(len(blocks))):  # nor past ``right``, nor over the next run
        ceiling = right if place == len(blocks) - 1 else lefts[place + 1] - _LABEL_GAP_PX
        lefts[place] = min(lefts[place], ceiling - _extent(blocks[place][0], widths))
    centres = [0.0] * len(wanted)
    for (block, _), left in zip(blocks, lefts, strict=True):
        for index, offset in zip(block, _offsets(block, widths), strict=True):
            centres[index] = left + offset
    return centres


def _extent(block: Sequence[int], widths: Sequence[float]) -> float:
    return sum(widths[index] for index in block) + _LABEL_GAP_PX * (len(block) - 1)


def _offsets(block: Sequence[int], widths: Sequence[float]) -> list[float]:
    """Each label's centre from the left edge of its run."""
    offsets, edge = [], 0.0
    for index in block:
        offsets.append(edge + widths[index] / 2)
        edge += widths[index] + _LABEL_GAP_PX
    return offsets


def _centred_left(block: Sequence[int], wanted: Sequence[float], widths: Sequence[float]) -> float:
    """The left edge that puts the run's labels, on average, over their marks."""
    offsets = _offsets(block, widths)
    return sum(wanted[index] - offset for index, offset in zip(block, offsets, strict=True)) / len(
        block
    )


def _name_halts(axes: Axes, metrics: RunMetrics) -> None:
    """Write what each halt band is inside it, at the top of ``axes`` (laid out): ``host
    halted``, ``gaia stalled``; upright in a band too narrow for it, none in a sliver."""
    axis = _time_axis(metrics.duration_ns)
    bands = [(span, HOST_HALTED) for span in metrics.host_downtime]
    bands += [(span, span.reason.partition(":")[0]) for span in metrics.counterparty_downtime]
    for span, name in bands:
        end = metrics.duration_ns if span.end_ns is None else span.end_ns
        start_px, end_px = (_x_px(axes, axis.of(ns)) for ns in (span.start_ns, end))
        wide = end_px - start_px >= _text_width(axes, name, _BAND_FONT) + 8
        if not wide and end_px - start_px < 14:
            continue
        text = axes.annotate(
            plain_text(name),
            xy=(axis.of(span.start_ns), 1.0),
            xycoords=axes.get_xaxis_transform(),
            xytext=(3, -3),
            textcoords="offset points",
            ha="left",
            va="top",
            rotation=0 if wide else 90,
            fontproperties=_BAND_FONT,
            color="#333333",
            bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1},
        )
        text.set_in_layout(False)


def _x_px(axes: Axes, x: float) -> float:
    """Where ``x`` (data) lies from the left edge of ``axes``, in pixels."""
    low, high = axes.get_xlim()
    return (x - low) / (high - low) * axes.get_window_extent().width


def _text_width(axes: Axes, text: str, font: FontProperties) -> float:
    renderer = axes.get_figure(root=True).canvas.get_renderer()  # type: ignore[union-attr]
    width: float = renderer.get_text_width_height_descent(text, font, ismath=False)[0]
    return width


def _shade_halts(axes: Axes, metrics: RunMetrics, axis: _TimeAxis) -> None:
    """The host's halts as grey hatched bands, the counterparties' halts and stalls as bands
    of their own colour and hatch."""
    end = metrics.duration_ns
    _shade(axes, metrics.host_downtime, end, axis, HOST_DOWN_COLOUR, hatch="//", alpha=0.25)
    _shade(axes, metrics.counterparty_downtime, end, axis, COUNTERPARTY_DOWN_COLOUR, "\\\\", 0.25)


def _halt_handles(metrics: RunMetrics) -> list[Artist]:
    """Legend entries for the halt bands the run has."""
    bands = (
        (metrics.host_downtime, HOST_DOWN_COLOUR, "//", HOST_HALTED),
        (metrics.counterparty_downtime, COUNTERPARTY_DOWN_COLOUR, "\\\\", COUNTERPARTY_HALTED),
    )
    return [
        Patch(facecolor=colour, alpha=0.25, hatch=hatch, edgecolor=colour, label=name)
        for found, colour, hatch, name in bands
        if found
    ]


def _shade(
    axes: Axes,
    intervals: Sequence[Interval],
    open_end_ns: int,
    axis: _TimeAxis,
    colour: str,
    hatch: str | None = None,
    alpha: float = 0.15,
) -> None:
    """Shade ``intervals``; one still open at the end runs to ``open_end_ns``."""
    for interval in intervals:
        end = interval.end_ns if interval.end_ns is not None else open_end_ns
        axes.axvspan(
            axis.of(interval.start_ns),
            axis.of(max(end, interval.start_ns)),
            facecolor=colour,
            edgecolor=colour,
            alpha=alpha,
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
        handles.append(Patch(color=CLIENT_COLOURS[0], alpha=0.12, label="client downtime"))
    handles += _halt_handles(metrics)
    styles = dict.fromkeys(_mark_style(mark.category) for mark in metrics.marks)
    handles += [
        Line2D([], [], color=style.colour, linestyle=style.linestyle, label=style.name)
        for style in styles
    ]
    return handles


def _legend(figure: Figure, handles: Sequence[Artist]) -> None:
    """The figure's legend, to the right of its axes: never over the data."""
    if handles:
        figure.legend(handles=list(handles), loc="outside right upper", fontsize=8)


# -- packets and gas ------------------------------------------------------------------------------


def plot_packet_latency(metrics: RunMetrics) -> bytes:
    """Each received packet's latency against when it was sent, on a log scale so that the
    usual few seconds and a stall's minutes both read; those past the delay threshold (drawn as
    a line when known) stand out in their own colour and marker. Halts are shaded."""
    return png_bytes(latency_figure(metrics))


def latency_figure(metrics: RunMetrics) -> Figure:
    """The figure ``plot_packet_latency`` saves, for a test to measure."""
    packets = metrics.packets
    axis = _time_axis(metrics.duration_ns)
    threshold = packets.delay_threshold_ns
    with new_figure(3.6) as (figure, (axes,)):
        for delayed, colour, marker, name in (
            (False, ON_TIME_COLOUR, "o", "on time"),
            (True, DELAYED_COLOUR, "^", "delayed"),
        ):
            points = [
                (axis.of(sent), latency / _SECOND)
                for sent, latency in packets.latencies
                if (threshold is not None and latency > threshold) == delayed
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                axes.scatter(xs, ys, s=14, color=colour, marker=marker, label=name, zorder=3)
        if threshold is not None and packets.latencies:
            axes.axhline(
                threshold / _SECOND,
                color=THRESHOLD_COLOUR,
                linestyle="--",
                linewidth=1.5,
                label="delay threshold",
                zorder=2,
            )
        _shade_halts(axes, metrics, axis)
        if packets.latencies:
            _duration_log_scale(axes, [latency for _, latency in packets.latencies], threshold)
        else:
            say_on(axes, "no packet received")
        handles = [*axes.get_legend_handles_labels()[0], *_halt_handles(metrics)]
        _legend(figure, handles)
        axes.set_xlim(0, max(metrics.duration_ns, 1) / axis.unit_ns)
        axes.set_title("packet latency")
        axes.set_xlabel(f"sent at, {axis.label}")
        axes.set_ylabel("latency")
    return figure


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
    return png_bytes(gas_figure(metrics))


def gas_figure(metrics: RunMetrics) -> Figure:
    """The figure ``plot_gas`` saves, for a test to measure."""
    gas = metrics.gas
    with new_figure(max(2.4, 1.2 + 0.4 * len(gas)), columns=2) as (figure, (sdk, contract)):
        names = [f"{plain_text(item.message)} ({item.count:,} txs)" for item in gas]
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
            say_on(sdk, "no transactions")
    return figure


# -- several runs ---------------------------------------------------------------------------------

#: Panels per row of the comparison, the width a panel's title wraps at, and the share of a
#: panel the longest bar takes (its value is written past its end).
_PANEL_COLUMNS: Final = 3
_PANEL_TITLE_CHARS: Final = 44
_LONGEST_BAR: Final = 0.6


def plot_comparison(runs: Sequence[RunMetrics], labels: Sequence[str] | None = None) -> bytes:
    """Every headline metric of the comparison table as a small bar panel, a bar per run, the
    panel titled with the table's row label and each bar with the table's value (``—`` where a
    run has none): both read ``headlines``. ``labels`` name the runs (their scenario names by
    default)."""
    return png_bytes(comparison_figure(runs, labels))


def comparison_figure(runs: Sequence[RunMetrics], labels: Sequence[str] | None = None) -> Figure:
    """The figure ``plot_comparison`` saves, for a test to measure."""
    names = list(labels) if labels is not None else [run.scenario for run in runs]
    if len(names) != len(runs):
        raise ValueError(f"{len(names)} labels for {len(runs)} runs")
    metrics = headlines(runs) if runs else []
    rows = max(1, -(-len(metrics) // _PANEL_COLUMNS))
    colours = [colour for colour, _ in zip(cycle(CLIENT_COLOURS), runs, strict=False)]
    numbers = [str(number) for number in range(1, len(runs) + 1)]
    panel_in = 0.6 + 0.2 * max(len(runs), 2)
    with new_figure(0.9 + panel_in * rows, rows=rows, columns=_PANEL_COLUMNS) as (figure, panels):
        for axes, headline in zip(panels, metrics, strict=False):
            _headline_panel(axes, headline, runs, numbers, colours)
        for axes in panels[len(metrics) :]:
            axes.set_axis_off()
        if runs:
            handles = [
                Patch(color=colour, label=f"{number} = {plain_text(name)}")
                for number, colour, name in zip(numbers, colours, names, strict=True)
            ]
            figure.legend(
                handles=handles, loc="outside lower center", ncols=min(len(runs), 3), fontsize=8
            )
        else:
            say_on(panels[0], "no runs")
        figure.suptitle("runs compared: the comparison table's metrics, a bar per run")
    return figure


def _headline_panel(
    axes: Axes,
    headline: Headline,
    runs: Sequence[RunMetrics],
    numbers: Sequence[str],
    colours: Sequence[str],
) -> None:
    """One metric: a horizontal bar per run, numbered as the table's columns, each labelled
    with the value as the table shows it (no bar where a run has none)."""
    values = [headline.value(run) for run in runs]
    bars = axes.barh(numbers, [float(value or 0) for value in values], color=colours, height=0.7)
    axes.bar_label(bars, [plain_text(headline.shown(run)) for run in runs], fontsize=7, padding=3)
    axes.set_title(_panel_title(headline.label), fontsize=8)
    axes.set_xlim(0, max((float(v) for v in values if v), default=1.0) / _LONGEST_BAR)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(NullLocator())
    axes.tick_params(axis="y", labelsize=8, length=0)


def _panel_title(label: str) -> str:
    """A row label as a panel's title: whole, wrapped at spaces if it is long."""
    return "\n".join(textwrap.wrap(plain_text(label), _PANEL_TITLE_CHARS)) or " "


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
def new_figure(
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


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes, saved under the default style as it was built."""
    buffer = io.BytesIO()
    with matplotlib.style.context("default"):
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def say_on(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color="#555555")


def plain_text(text: str) -> str:
    """``text`` from a trace shown as it is: a ``$`` would otherwise start mathtext."""
    return text.replace("$", r"\$")


def _nan_if_none(value: int | None) -> float:
    return float("nan") if value is None else float(value)
