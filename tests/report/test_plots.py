"""The plots are PNGs, the same bytes for the same metrics, and survive runs with nothing in
them and names that matplotlib would otherwise read as markup. Measured on the figures
themselves: legends stand clear of the data, every event mark is numbered once with no two
numbers overlapping, halts are bands of their own, and the comparison plot has a panel per row
of the comparison table, titled alike."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable

import matplotlib.style
import pytest
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from relayer_sim.report.metrics import (
    ClientMetrics,
    Detection,
    EventMark,
    Exploitation,
    GasByMessage,
    Interval,
    LagSample,
    PacketMetrics,
    RunMetrics,
    SwitchRecovery,
)
from relayer_sim.report.metrics_table import comparison_rows
from relayer_sim.report.plots import (
    COUNTERPARTY_HALTED,
    HOST_HALTED,
    MARK_LABEL_GID,
    comparison_figure,
    gas_figure,
    heights_figure,
    latency_figure,
    plot_comparison,
    plot_gas,
    plot_heights,
    plot_packet_latency,
    spread_labels,
)

SECOND = 1_000_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN_PLOTS: list[Callable[[RunMetrics], bytes]] = [plot_heights, plot_packet_latency, plot_gas]
RUN_FIGURES: list[Callable[[RunMetrics], Figure]] = [heights_figure, latency_figure, gas_figure]


def _no_packets() -> PacketMetrics:
    return PacketMetrics(0, 0, 0, 0, None, None, None, None, (), None)


def empty_run() -> RunMetrics:
    """A run in which nothing happened: no clients, packets, transactions or events."""
    return RunMetrics("empty", 1, 0, (), None, _no_packets(), (), None, (), 0, (), ())


def busy_run(name: str = "busy") -> RunMetrics:
    """A run with a bit of everything, including a revision change, a client with no height
    yet, a downtime still open at the end, and ``$`` signs that must not start mathtext."""
    samples = [
        LagSample(t * 5 * SECOND, f"1-{t}", f"1-{max(t - 1, 1)}", "Active", 1) for t in range(1, 60)
    ]
    samples.append(LagSample(300 * SECOND, None, None, None, None))
    samples += [
        LagSample(t * 5 * SECOND, f"2-{t - 60}", "1-59", "Expired", t - 60) for t in range(61, 80)
    ]
    client = ClientMetrics(
        name="main $x^2$",
        client_id="08-wasm-0",
        counterparty="counterparty",
        samples=tuple(samples),
        max_lag_blocks=19,
        mean_lag_blocks=5,
        downtime=(Interval(305 * SECOND, None, "status Expired"),),
        downtime_ns=95 * SECOND,
    )
    marks = (
        EventMark(2 * SECOND, "proposal_sent", "early"),
        EventMark(100 * SECOND, "consensus_switch", "tm-ed25519 → tm-secp256k1"),
        EventMark(101 * SECOND, "proposal_sent", "store v2"),
        # A burst: more marks at one moment than there are rows for their numbers.
        *(EventMark(150 * SECOND, "vote", f"vote {n}") for n in range(5)),
        EventMark(200 * SECOND, "host_halt", "host halted"),
        EventMark(250 * SECOND, "host_restart", "host restarted"),
        EventMark(300 * SECOND, "fork", "fork sent"),
        EventMark(350 * SECOND, "something_new", "a category the plots do not know"),
        EventMark(360 * SECOND, "counterparty_stall", "counterparty: too little power"),
        *(EventMark(399 * SECOND, "evidence", f"evidence {n}") for n in range(4)),
    )
    packets = PacketMetrics(
        sent=4,
        received=3,
        lost=1,
        delayed=1,
        p50_ns=15 * SECOND,
        p90_ns=90 * SECOND,
        p99_ns=90 * SECOND,
        max_ns=90 * SECOND,
        latencies=((60 * SECOND, 15 * SECOND), (120 * SECOND, 90 * SECOND), (180 * SECOND, 0)),
        delay_threshold_ns=10 * SECOND,
    )
    gas = (
        GasByMessage("MsgUpdateClient", 10, 9, 700_000, 70_000, 3_800_000_000, 380_000_000),
        GasByMessage("Msg$Vote$", 1, 1, 168_501, 168_501, 0, 0),
    )
    return RunMetrics(
        scenario=name,
        seed=7,
        duration_ns=400 * SECOND,
        clients=(client,),
        switch=SwitchRecovery(
            switch_ns=100 * SECOND,
            first_good_update_ns=None,
            recovery_ns=None,
            steps=marks[1:2],
            switch_height="1-20",
            from_version="tm-ed25519",
            to_version="tm-secp256k1",
            clients=(),
            steps_before=(),
        ),
        packets=packets,
        detections=(Detection("main", 300 * SECOND, None, None, None, "08-wasm-0"),),
        exploitation=Exploitation(1, 300 * SECOND, None, None, 1, 1, 0),
        host_downtime=(Interval(200 * SECOND, 250 * SECOND, "host halted"),),
        host_downtime_ns=50 * SECOND,
        gas=gas,
        marks=marks,
        counterparty_downtime=(Interval(360 * SECOND, None, "counterparty stalled: power"),),
    )


@pytest.mark.parametrize("plot", RUN_PLOTS)
def test_a_plot_is_the_same_png_every_time(plot: Callable[[RunMetrics], bytes]) -> None:
    first, second = plot(busy_run()), plot(busy_run())
    assert first.startswith(PNG_SIGNATURE)
    assert first == second


@pytest.mark.parametrize("plot", RUN_PLOTS)
def test_a_run_with_nothing_in_it_still_plots(plot: Callable[[RunMetrics], bytes]) -> None:
    assert plot(empty_run()).startswith(PNG_SIGNATURE)


def test_comparison_is_the_same_png_every_time_and_shows_missing_values() -> None:
    runs = [busy_run("a"), empty_run(), busy_run("c $y$")]
    first = plot_comparison(runs, labels=["a", "empty", "c"])
    assert first.startswith(PNG_SIGNATURE)
    assert first == plot_comparison(runs, labels=["a", "empty", "c"])
    assert plot_comparison(runs) != first  # labelled by scenario name instead


def test_comparison_of_no_runs_still_plots() -> None:
    assert plot_comparison([]).startswith(PNG_SIGNATURE)


def test_comparison_needs_one_label_per_run() -> None:
    with pytest.raises(ValueError, match="1 labels for 2 runs"):
        plot_comparison([empty_run(), empty_run()], labels=["only one"])


@pytest.mark.parametrize(("plot", "figure_of"), list(zip(RUN_PLOTS, RUN_FIGURES, strict=True)))
def test_a_plot_is_its_figure(
    plot: Callable[[RunMetrics], bytes], figure_of: Callable[[RunMetrics], Figure]
) -> None:
    """The figures the tests below measure are the ones the PNGs are made of."""
    assert plot(busy_run()) == _png_of(figure_of(busy_run()))


@pytest.mark.parametrize("figure_of", [heights_figure, latency_figure])
def test_the_legend_stands_clear_of_the_data(figure_of: Callable[[RunMetrics], Figure]) -> None:
    figure = _laid_out(figure_of(busy_run()))
    (legend,) = figure.legends
    box = _box(figure, legend)
    assert _box(figure, figure).contains(box.x0, box.y0) and _box(figure, figure).contains(
        box.x1, box.y1
    ), "the legend is cut off"
    for axes in figure.axes:
        assert not box.overlaps(_box(figure, axes)), "the legend covers the data"


def test_every_mark_is_numbered_once_and_no_numbers_overlap() -> None:
    run = busy_run()
    figure = _laid_out(heights_figure(run))
    labels = [text for text in figure.findobj(Annotation) if text.get_gid() == MARK_LABEL_GID]
    assert sorted(int(text.get_text()) for text in labels) == list(range(1, len(run.marks) + 1))
    boxes = [_box(figure, text) for text in labels]
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert not box.overlaps(other), "two mark numbers overlap"
    heights = figure.axes[0]
    title = _box(figure, heights.title)
    assert all(box.y1 <= title.y0 for box in boxes), "a mark number runs into the title"
    assert all(box.y0 >= _box(figure, heights).y1 for box in boxes)


def test_labels_spread_side_by_side_then_over_rows() -> None:
    # Apart: each over its mark, on the first row.
    assert spread_labels([10, 100], [8, 8], 200) == [(10, 0), (100, 0)]
    # A few at one moment: side by side on one row, centred over it, 4 px apart.
    placed = spread_labels([50] * 3, [10] * 3, 200)
    assert placed == [(36, 0), (50, 0), (64, 0)]
    # Too many for one row within reach of their mark: they take the rows in turn.
    placed = spread_labels([100] * 15, [10] * 15, 200)
    assert [row for _, row in placed] == [0, 1, 2] * 5
    assert all(abs(centre - 100) <= 30 for centre, _ in placed)
    # At an edge, a run is pushed back within 0 to ``right``, still apart.
    placed = spread_labels([2, 2, 198, 198], [10] * 4, 200)
    lefts = [centre - 5 for centre, _ in placed]
    assert lefts[0] >= 0 and lefts[1] >= lefts[0] + 14 and lefts[3] + 10 <= 200
    assert lefts[3] >= lefts[2] + 14


def test_halts_are_bands_named_in_the_legend() -> None:
    run = busy_run()
    for figure_of in (heights_figure, latency_figure):
        (legend,) = figure_of(run).legends
        names = [text.get_text() for text in legend.get_texts()]
        assert HOST_HALTED in names and COUNTERPARTY_HALTED in names
    calm = dataclasses.replace(run, host_downtime=(), counterparty_downtime=())
    (legend,) = heights_figure(calm).legends
    assert HOST_HALTED not in [text.get_text() for text in legend.get_texts()]


def test_comparison_has_a_panel_per_row_of_the_table_titled_alike() -> None:
    runs = [busy_run("a"), empty_run(), busy_run("c")]
    figure = _laid_out(comparison_figure(runs, ["a", "empty", "c"]))
    panels = [axes for axes in figure.axes if axes.axison]
    titles = [axes.get_title().replace("\n", " ") for axes in panels]
    rows = comparison_rows(runs)[1:]  # all but the seed, which names a run, not measures it
    assert titles == [label.replace("$", r"\$") for label, _ in rows]
    # Each bar says what the table's cell says, "—" where a run has no value.
    assert [[text.get_text() for text in axes.texts] for axes in panels] == [
        values for _, values in rows
    ]
    (legend,) = figure.legends
    box = _box(figure, legend)
    assert not any(box.overlaps(_box(figure, axes)) for axes in figure.axes)
    assert [text.get_text() for text in legend.get_texts()] == ["1 = a", "2 = empty", "3 = c"]


def _laid_out(figure: Figure) -> Figure:
    """``figure`` laid out as it is when saved: where its artists are is known then."""
    with matplotlib.style.context("default"):
        figure.draw_without_rendering()
    return figure


def _box(figure: Figure, artist: Artist) -> Bbox:
    """Where ``artist`` is drawn, in pixels; an annotation's text alone, not its leader."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    if isinstance(artist, Annotation):
        return Text.get_window_extent(artist, renderer)
    return artist.get_window_extent(renderer)


def _png_of(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.style.context("default"):
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
