"""The HTML report of a real (short) run: self-contained, escaped, and, rendered by a real
headless chromium, showing its plots pixel for pixel where a reader would see them."""

from __future__ import annotations

import base64
import dataclasses
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from relayer_sim.report.html import PAGE_BACKGROUND, render_html, write_html_report
from relayer_sim.report.metrics import EventMark, Interval, RunMetrics, measure
from relayer_sim.report.plots import (
    CLIENT_COLOURS,
    CONTRACT_GAS_COLOUR,
    COUNTERPARTY_COLOUR,
    DELAYED_COLOUR,
    SDK_GAS_COLOUR,
    THRESHOLD_COLOUR,
)
from relayer_sim.scenario import parse_scenario
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from tests.report.browser import find_image, screenshot

#: consensus-upgrade-reactive squeezed into 30 simulated minutes (a few seconds to run): a
#: switch, a stuck client, two governance proposals, recovery, packets throughout.
SCENARIO = """
name = "report-test"
description = "A consensus switch, a stuck client, governance, recovery; packets throughout."
seed = 11
duration = "30m"

[counterparty]
name = "gaia"
consensus = "tm-ed25519"

[host]
voting_period = "3m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"

[traffic]
every = "1m"

[[timeline]]
name = "switch"
at = "5m"
action = "consensus_switch"
version = "tm-secp256k1"

[[timeline]]
name = "store-v2"
after = "switch"
delay = "1m"
action = "store_code"
contract = "sim-tendermint-v2"

[[timeline]]
after = "store-v2"
delay = "4m"
action = "migrate"
client = "main"
contract = "sim-tendermint-v2"
"""
#: Tall enough for the whole page, so the bottom of the screenshot must be bare background.
WINDOW = (1200, 5000)
#: The colours each plot must show, as it was drawn and as the browser painted it.
PLOT_COLOURS = {
    "plot-heights": (CLIENT_COLOURS[0], COUNTERPARTY_COLOUR),
    "plot-latency": (DELAYED_COLOUR, THRESHOLD_COLOUR),
    "plot-gas": (SDK_GAS_COLOUR, CONTRACT_GAS_COLOUR),
}
WHITE = (255, 255, 255)
HOSTILE = '<script>alert("pwned")</script> & <img src=x onerror=alert(1)> $\\frac{1}{0}$'
IMAGE = re.compile(r'<img id="([^"]+)" src="data:image/png;base64,([^"]+)"')


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> RunMetrics:
    out = tmp_path_factory.mktemp("report-run")
    result = run_scenario(parse_scenario(SCENARIO, "report-test.toml"), out)
    return measure(read_trace(result.trace_path))


@pytest.fixture(scope="module")
def page(metrics: RunMetrics, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-page") / "report.html"
    write_html_report(metrics, path)
    return path


@pytest.fixture(scope="module")
def shot(page: Path) -> Image.Image:
    png = page.with_suffix(".png")
    screenshot(page, png, *WINDOW)
    return Image.open(png).convert("RGB")


def test_the_run_has_what_the_report_shows(metrics: RunMetrics) -> None:
    assert metrics.switch is not None and metrics.switch.recovery_ns is not None
    assert metrics.clients[0].downtime and metrics.packets.delayed and metrics.gas


def test_the_page_needs_nothing_from_outside(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == len(PLOT_COLOURS)
    assert all(re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/]+=*", s) for s in sources)
    # The images' base64 could spell anything; the rest of the page must name nothing outside.
    text = re.sub(r'src="[^"]*"', "", html).lower()
    for needle in ("http", "//", "<script", "<link", "<iframe", "url(", "@import", "href="):
        assert needle not in text


def test_every_plot_has_an_id_and_alt_text(page: Path) -> None:
    images = re.findall(r"<img [^>]*>", page.read_text(encoding="utf-8"))
    assert [re.findall(r' id="([^"]+)"', image) for image in images] == [
        [element_id] for element_id in PLOT_COLOURS
    ]
    assert all(re.search(r' alt="[^"]{20,}"', image) for image in images)


def test_strings_from_the_trace_are_escaped(metrics: RunMetrics) -> None:
    client = dataclasses.replace(
        metrics.clients[0],
        name=HOSTILE,
        downtime=(Interval(0, None, HOSTILE),),
    )
    hostile = dataclasses.replace(
        metrics,
        scenario=HOSTILE,
        clients=(client,),
        marks=(*metrics.marks, EventMark(1, "fork", HOSTILE)),
    )
    html = render_html(hostile)
    assert "<script" not in html
    assert "<img src=x" not in html
    assert html.count("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; ") >= 5


def test_the_browser_paints_the_page_and_every_plot(page: Path, shot: Image.Image) -> None:
    background = _rgb(PAGE_BACKGROUND)
    width, height = shot.size
    assert shot.getpixel((2, 2)) == background
    bottom = shot.crop((0, height - 20, width, height)).getcolors()
    assert bottom == [(width * 20, background)], "the page is taller than the window"
    colours = shot.getcolors(maxcolors=width * height)
    assert colours is not None and len(colours) > 300, "the screenshot is nearly blank"
    painted = sum(count for count, colour in colours if colour != background)
    assert painted > 0.1 * width * height

    tops = []
    for element_id, plot in _plots(page.read_text(encoding="utf-8")):
        found = find_image(shot, plot)
        assert found is not None, f"{element_id} is not painted pixel for pixel in the page"
        left, top = found
        region = shot.crop((left, top, left + plot.width, top + plot.height))
        counts = {colour: count for count, colour in region.getcolors(plot.width * plot.height)}
        drawn = plot.width * plot.height - counts.get(WHITE, 0)
        assert len(counts) > 50 and drawn > 0.05 * plot.width * plot.height, element_id
        for expected in PLOT_COLOURS[element_id]:
            # A handful of delayed packets' dots is the smallest thing looked for.
            assert counts.get(_rgb(expected), 0) > 50, f"{element_id} lacks {expected}"
        tops.append(top)
    assert tops == sorted(tops), "the plots are not in the page's order"


def _plots(html: str) -> list[tuple[str, Image.Image]]:
    return [
        (element_id, Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
        for element_id, data in IMAGE.findall(html)
    ]


def _rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue
