"""The report of a real short run with attacks and a host halt, as a reader gets it: the HTML
page rendered by headless chromium, its plots measured on their figures, and the comparison
plot next to the comparison table.

The run (eight simulated minutes, a second or two): a coalition of 34 % equivocates and the
client refuses the fork, saying why; governance halts the host for a software upgrade; then
the same coalition signs a lunatic fork, which the client accepts and a monitor catches.
"""

from __future__ import annotations

import base64
import html as html_text
import io
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib.style
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from PIL import Image

from relayer_sim.cli import EXIT_OK, main
from relayer_sim.report.html import write_html_report
from relayer_sim.report.metrics import RunMetrics, measure
from relayer_sim.report.metrics_table import comparison_rows
from relayer_sim.report.plots import (
    DPI,
    HOST_HALTED,
    MARK_LABEL_GID,
    WIDTH_IN,
    comparison_figure,
    heights_figure,
)
from relayer_sim.scenario import parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.timefmt import format_elapsed
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM
from tests.report.browser import find_image, screenshot

SCENARIO = """
name = "report-shots"
description = "A refused equivocation, a host halt for an upgrade, then a lunatic fork caught."
seed = 5
duration = "8m"

[counterparty]
validators = [
    { name = "mallet", power = 34 },
    { name = "alice", power = 33 },
    { name = "bob", power = 33 },
]

[host]
voting_period = "1m"
binary = "v1"
upgrade_delay = "30s"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"

[[relayers]]
name = "mallory"
client = "main"
byzantine = true

[[monitors]]
name = "watch"
client = "main"
poll = "10s"

[traffic]
every = "20s"

[[timeline]]
at = "1m"
action = "fork"
kind = "equivocation"
relayer = "mallory"
coalition = ["mallet"]
forge_packet = true

[[timeline]]
at = "1m30s"
action = "software_upgrade"
upgrade_name = "v2"
binary = "v2"
halt_after = "1m"

[[timeline]]
at = "5m"
action = "fork"
kind = "lunatic"
relayer = "mallory"
coalition = ["mallet"]
"""
#: Why the client refused the equivocation, as it said it.
REFUSAL = "not enough voting power signed: 34 of 100"
WINDOW = (1200, 7000)
IMAGE = re.compile(r'<img id="([^"]+)" src="data:image/png;base64,([^"]+)"')
ROW = re.compile(r"<tr>(.*?)</tr>")
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>")


@dataclass(frozen=True)
class Ran:
    trace: Path
    metrics: RunMetrics
    page: Path


@pytest.fixture(scope="module")
def ran(vm: WasmVM, tmp_path_factory: pytest.TempPathFactory) -> Ran:
    out = tmp_path_factory.mktemp("report-shots")
    result = run_scenario(parse_scenario(SCENARIO, "report-shots.toml"), out, vm=vm)
    metrics = measure(read_trace(result.trace_path))
    page = out / "report.html"
    write_html_report(metrics, page)
    return Ran(result.trace_path, metrics, page)


@pytest.fixture(scope="module")
def page(ran: Ran) -> str:
    return ran.page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shot(ran: Ran) -> Image.Image:
    png = ran.page.with_suffix(".png")
    screenshot(ran.page, png, *WINDOW)
    return Image.open(png).convert("RGB")


def test_the_run_refuses_a_fork_catches_one_and_halts(ran: Ran) -> None:
    refused, accepted = ran.metrics.attacks
    assert (refused.kind, refused.outcome, refused.reason) == ("equivocation", "refused", REFUSAL)
    assert (accepted.kind, accepted.outcome) == ("lunatic", "accepted")
    assert accepted.detected_ns is not None and accepted.frozen_ns is not None
    assert accepted.latency_ns == accepted.frozen_ns - (accepted.outcome_ns or 0)
    assert ran.metrics.host_downtime and ran.metrics.refused


def test_the_attacks_section_says_why_a_fork_failed(page: str) -> None:
    attacks = _section(page, "Attacks")
    outcomes = [row[1] for row in _rows(attacks) if row and row[0].isdigit() and len(row) == 6]
    assert outcomes[0] == f"refused: {REFUSAL}"  # the reason, whole
    assert outcomes[1] == "accepted"
    assert "What got through" not in page  # nothing did, and no patch: no empty section


def test_the_refused_transactions_section_counts_each_reason(page: str, ran: Ran) -> None:
    rows = _rows(_section(page, "Refused transactions"))
    assert ["MsgUpdateClient", REFUSAL, "1", format_elapsed(ran.metrics.refused[0].first_ns)] in [
        row for row in rows if row[1] == REFUSAL
    ]
    assert len(rows) == 1 + len(ran.metrics.refused)


def test_no_section_is_empty(page: str) -> None:
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert "Consensus switch" not in " ".join(headings)  # the run has none
    for heading in headings:
        assert re.search(r"<table|<figure|<p>", _section(page, heading)), heading


def test_each_mark_is_numbered_once_in_the_events_table(page: str, ran: Ran) -> None:
    events = page.split("<h3>Events</h3>", 1)[1].split("</table>", 1)[0]
    rows = [row for row in _rows(events) if row[0] != "#"]
    marks = ran.metrics.marks
    assert [row[0] for row in rows] == [str(n) for n in range(1, len(marks) + 1)]
    for row, mark in zip(rows, marks, strict=True):
        category = mark.category.replace("_", " ")
        assert row[1:] == [format_elapsed(mark.t_ns), category, mark.label]


def test_the_plot_numbers_every_mark_once_and_keeps_its_legend_clear(ran: Ran) -> None:
    figure = _laid_out(heights_figure(ran.metrics))
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = [text for text in figure.findobj(Annotation) if text.get_gid() == MARK_LABEL_GID]
    numbers = sorted(int(label.get_text()) for label in labels)
    assert numbers == list(range(1, len(ran.metrics.marks) + 1))
    boxes = [Text.get_window_extent(label, renderer) for label in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)
    assert not any(box.overlaps(axes.get_window_extent(renderer)) for axes in figure.axes)
    assert HOST_HALTED in [text.get_text() for text in legend.get_texts()]


def test_the_browser_paints_the_report_and_its_plots(page: str, shot: Image.Image) -> None:
    assert shot.size == WINDOW
    plots = dict(IMAGE.findall(page))
    assert list(plots) == ["plot-heights", "plot-latency", "plot-gas"]
    for element_id, data in plots.items():
        plot = _image(data)
        assert plot.width == WIDTH_IN * DPI, element_id
        assert find_image(shot, plot) is not None, f"{element_id} is not painted as drawn"


def test_the_comparison_plot_shows_the_tables_rows(
    ran: Ran, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    trace = str(ran.trace)
    assert main(["compare", trace, trace, "--out", str(tmp_path)]) == EXIT_OK
    printed = [
        cells[0]
        for line in capsys.readouterr().out.splitlines()
        if (cells := [cell.strip() for cell in line.split("│")[1:-1]])
    ]
    runs = [ran.metrics, ran.metrics]
    assert printed == [label for label, _ in comparison_rows(runs)]
    png = (tmp_path / "comparison.png").read_bytes()
    figure = _laid_out(comparison_figure(runs, ["report-shots", "report-shots-2"]))
    assert Image.open(io.BytesIO(png)).size == (
        WIDTH_IN * DPI,
        round(figure.get_figheight() * DPI),
    )
    titles = [axes.get_title().replace("\n", " ") for axes in figure.axes if axes.axison]
    assert titles == printed[1:]  # every row but the seed
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)
    assert not any(box.overlaps(axes.get_window_extent(renderer)) for axes in figure.axes)


def _section(page: str, heading: str) -> str:
    """The page from the ``<h2>`` ``heading`` to the next ``<h2>``."""
    return page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]


def _rows(part: str) -> list[list[str]]:
    """The text of each table row's cells in ``part``, unescaped."""
    return [[html_text.unescape(cell) for cell in CELL.findall(row)] for row in ROW.findall(part)]


def _image(data: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


def _laid_out(figure: Figure) -> Figure:
    with matplotlib.style.context("default"):
        figure.draw_without_rendering()
    return figure
