"""The plots are PNGs, the same bytes for the same metrics, and survive runs with nothing in
them and names that matplotlib would otherwise read as markup."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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
from relayer_sim.report.plots import plot_comparison, plot_gas, plot_heights, plot_packet_latency

SECOND = 1_000_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN_PLOTS: list[Callable[[RunMetrics], bytes]] = [plot_heights, plot_packet_latency, plot_gas]


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
        EventMark(100 * SECOND, "consensus_switch", "tm-ed25519 → tm-secp256k1"),
        EventMark(101 * SECOND, "proposal_sent", "store v2"),
        EventMark(200 * SECOND, "host_halt", "host halted"),
        EventMark(250 * SECOND, "host_restart", "host restarted"),
        EventMark(300 * SECOND, "fork", "fork sent"),
        EventMark(350 * SECOND, "something_new", "a category the plots do not know"),
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
