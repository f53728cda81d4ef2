"""``relayer-sim sweep-report``: runs grouped by parameter point with exact means and nearest-rank
percentiles, tables that read at 80 columns with every value whole, the same as JSON, a
self-contained HTML page with its plots, one line and exit 2 for what is not a sweep's
results, a real small sweep reported end to end, and the shipped studies load and plan."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.report.sweep_plots import plot_distribution, plot_trend, trend_parameter
from relayer_sim.scenario import load_scenario
from relayer_sim.scenario.shipped import SCENARIOS_DIR
from relayer_sim.sweep.aggregate import (
    ResultsTable,
    merge_tables,
    summarise,
    unit_of,
)
from relayer_sim.sweep.results import write_results
from relayer_sim.sweep.sweep import plan_sweep
from tests.sweep.test_sweep import SHORT

WIDTH = 80
S = 1_000_000_000
DOWNTIME = "main: downtime"
GAS = "contract gas"
LAG = "main: max lag (blocks)"
STUDIES = sorted((SCENARIOS_DIR / "sweeps").glob("*.toml"))


def _row(drop: float, seed: int, downtime_s: int | None, **more: Any) -> dict[str, Any]:
    return {
        "key": f"k{drop}-{seed}",
        "relayers[0].drop": drop,
        "seed": seed,
        "status": "ok",
        "expectations_met": 1,
        "expectations": 1,
        "simulated time": 1800 * S,
        LAG: seed,
        DOWNTIME: None if downtime_s is None else downtime_s * S,
        "switch → clients past it": None,
        GAS: 123_456_789_012 + seed,
        **more,
    }


def _hand_made() -> list[dict[str, Any]]:
    """Three points: 0.0 with downtimes 10..200 s (20 seeds), 0.5 with 1 s and a failed run,
    0.9 with one run that measured nothing."""
    rows = [_row(0.0, seed, 10 * seed) for seed in range(1, 21)]
    rows.append(_row(0.5, 1, 1))
    failed = {"key": "k0.5-2", "relayers[0].drop": 0.5, "seed": 2, "status": "failed"}
    rows.append(failed | {"error": "RuntimeError: boom"})
    rows.append(_row(0.9, 1, None, expectations_met=0))
    return rows


def _table(rows: list[dict[str, Any]]) -> ResultsTable:
    columns = tuple(dict.fromkeys(key for row in rows for key in row))
    return ResultsTable(columns, tuple(rows))


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """A sweep's output directory holding the hand-made rows, as the sweep writes them."""
    out = tmp_path / "hand-made"
    out.mkdir()
    write_results(out, _hand_made())
    return out


@pytest.fixture
def eighty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))


def _printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == EXIT_OK, capsys.readouterr().err
    out = capsys.readouterr().out
    wide = [line for line in out.splitlines() if len(line) > WIDTH]
    assert not wide, "\n".join(wide)
    return out


# -- aggregation ----------------------------------------------------------------------------------


def test_points_means_and_nearest_rank_percentiles_are_exact() -> None:
    summary = summarise(_table(_hand_made()))
    assert summary.parameters == ("relayers[0].drop",)
    assert [point.label for point in summary.points] == ["0.0", "0.5", "0.9"]
    assert [(p.runs, p.failed, p.met) for p in summary.points] == [
        (20, 0, 20),
        (2, 1, 1),
        (1, 0, 0),
    ]
    assert (summary.runs, summary.failed) == (23, 1)
    metric = next(metric for metric in summary.metrics if metric.label == DOWNTIME)
    first = summary.points[0].of(metric)
    assert first.measured == 20 and first.mean == 105 * S  # (10 + 200) / 2 s
    percentiles = [first.percentile(p) for p in (5, 25, 50, 75, 95, 99)]
    assert percentiles == [s * S for s in (10, 50, 100, 150, 190, 200)]
    assert (first.min, first.max) == (10 * S, 200 * S)
    lag = next(metric for metric in summary.metrics if metric.label == LAG)
    assert summary.points[0].of(lag).mean == 10.5  # seeds 1..20
    assert summary.points[1].of(metric).values == (S,)  # the failed run measured nothing
    assert summary.points[2].of(metric).measured == 0
    assert summary.points[2].of(metric).mean is None
    assert [m.label for m in summary.varying()] == [LAG, DOWNTIME, GAS]
    assert [(m.label, v) for m, v in summary.constant()] == [("simulated time", 1800 * S)]
    assert [m.label for m in summary.unmeasured()] == ["switch → clients past it"]


def test_units_come_from_the_headline_definitions() -> None:
    assert unit_of("main: downtime") == unit_of("host downtime") == "time"
    assert unit_of("gaia-2: detection latency") == unit_of("first fork → patched") == "time"
    assert unit_of("osmosis: max lag (blocks)") == unit_of("forks accepted") == "count"
    assert unit_of("SDK gas") == unit_of("contract gas") == "gas"
    assert unit_of(": downtime") == "count"  # a template needs a client's name
    assert unit_of("something new") == "count"


def test_several_sweeps_are_one_study_each_a_value_of_sweep() -> None:
    rows = _hand_made()
    merged = merge_tables([("a", _table(rows[:20])), ("b", _table(rows[20:]))])
    summary = summarise(merged)
    assert summary.parameters == ("relayers[0].drop", "sweep")
    assert [point.label for point in summary.points] == ["0.0, a", "0.5, b", "0.9, b"]
    assert trend_parameter(summary) == "relayers[0].drop"


# -- the command ----------------------------------------------------------------------------------


def test_the_text_report_reads_at_80_columns_with_every_value_whole(
    tmp_path: Path, eighty: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Six points of twelve-digit gas cannot share one table: the metric's table is split,
    and every value is there whole."""
    rows = [
        _row(drop, seed, 3600 + seed, **{GAS: 244_370_977_085 * (seed + 1)})
        for drop, seed in itertools.product((0.0, 0.1, 0.2, 0.3, 0.4, 0.5), (1, 2))
    ]
    out = tmp_path / "wide"
    out.mkdir()
    write_results(out, rows)
    printed = _printed(["sweep-report", str(out)], capsys)
    assert "12 runs at 6 points: 0 failed, 12 met every expectation" in printed
    assert "contract gas (continued)" in printed
    for value in ("488,741,954,170", "733,112,931,255", "1h0m1s", "1h0m2s"):
        assert value in printed
    assert re.search(r"│ simulated time\s+│\s+30m │", printed)
    assert "not measured in any run: switch → clients past it" in printed


def test_json_is_the_same_summary_with_raw_values(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(_printed(["sweep-report", str(results), "--json"], capsys))
    assert document["parameters"] == ["relayers[0].drop"]
    assert (document["runs"], document["failed"]) == (23, 1)
    kinds = {metric["label"]: (metric["unit"], metric["kind"]) for metric in document["metrics"]}
    assert kinds[DOWNTIME] == ("time", "varying")
    assert kinds["simulated time"] == ("time", "constant")
    first = document["points"][0]
    assert first["params"] == {"relayers[0].drop": 0.0} and first["runs"] == 20
    stats = first["metrics"][DOWNTIME]
    assert stats["mean"] == 105 * S and stats["p95"] == 190 * S and stats["p99"] == 200 * S
    # the CSV alone gives the same summary as the Parquet file
    csv_only = results.parent / "csv-only"
    csv_only.mkdir()
    shutil.copy(results / "results.csv", csv_only)
    again = json.loads(_printed(["sweep-report", str(csv_only), "--json"], capsys))
    assert {**again, "sources": None} == {**document, "sources": None}


def test_html_is_one_self_contained_file_with_its_plots(
    results: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # the path printed is a line of its own, short here
    page = Path("sweep.html")
    _printed(["sweep-report", str(results), "--html", str(page)], capsys)
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert not re.search(r"<script|<link|src=\"(?!data:)|https?://", html)
    images = re.findall(r'<img id="([^"]+)" src="data:image/png;base64,', html)
    assert images == [f"plot-{kind}-{n}" for n in (1, 2, 3) for kind in ("distribution", "trend")]
    assert html.count("<img") == len(images)
    assert "<h2>main: downtime</h2>" in html and "1m45s" in html  # the mean, as a cell shows it


def test_plots_are_the_same_bytes_for_the_same_results() -> None:
    summary = summarise(_table(_hand_made()))
    metric = summary.varying()[1]
    assert plot_distribution(summary, metric) == plot_distribution(summary, metric)
    assert plot_trend(summary, metric) == plot_trend(summary, metric)
    one_point = summarise(_table(_hand_made()[:20]))  # a histogram, and no trend
    assert plot_distribution(one_point, metric).startswith(b"\x89PNG")
    assert plot_trend(one_point, metric) is None


def _periods(values: list[str]) -> ResultsTable:
    """Two seeds at each voting period of ``values``, the downtime growing with it."""
    rows = []
    for number, (period, seed) in enumerate(itertools.product(values, (1, 2))):
        measured = _row(0.0, seed, 60 * number)
        del measured["key"], measured["relayers[0].drop"]
        rows.append({"key": f"k{number}", "host.voting_period": period, **measured})
    return _table(rows)


def test_durations_are_numbers_for_the_axis_and_text_is_not() -> None:
    summary = summarise(_periods(["5m", "10m", "1h"]))
    assert summary.parameters == ("host.voting_period",)
    assert trend_parameter(summary) == "host.voting_period"
    downtime = next(metric for metric in summary.metrics if metric.label == DOWNTIME)
    assert (plot_trend(summary, downtime) or b"").startswith(b"\x89PNG")
    assert trend_parameter(summarise(_periods(["fast", "slow"]))) is None


def _damaged(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / name).write_bytes(data)
    return folder


BAD = {
    "no such dir": (lambda tmp: tmp / "nowhere", "(got no such directory)"),
    "a file": (lambda tmp: _damaged(tmp, "x", b"") / "x", "(got a file)"),
    "no results": (lambda tmp: _damaged(tmp, "other.txt", b""), "(got neither)"),
    "damaged parquet": (
        lambda tmp: _damaged(tmp, "results.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1"),
        "expected a Parquet table",
    ),
    "ragged csv": (
        lambda tmp: _damaged(tmp, "results.csv", b"key,seed,status\nk,1,ok\nk2,2\n"),
        "line 3: expected 3 cells (got 2)",
    ),
    "not utf-8": (lambda tmp: _damaged(tmp, "results.csv", b"\xff\xfe"), "expected a CSV"),
    "not a sweep's": (
        lambda tmp: _damaged(tmp, "results.csv", b"a,b\n1,2\n"),
        "with a 'key' column",
    ),
    "not a number": (
        lambda tmp: _damaged(tmp, "results.csv", b"key,seed,status,m\nk,1,ok,x\n"),
        "run 1: m: expected a whole number",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_one_line_and_exit_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, expected = BAD[case]
    assert main(["sweep-report", str(make(tmp_path))]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and expected in err, err


# -- end to end -----------------------------------------------------------------------------------


def test_a_real_sweep_reported_end_to_end(
    tmp_path: Path,
    eighty: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two points (a relayer lagging 2 or 6 blocks) by two seeds of five minutes."""
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "short.toml"
    scenario.write_text(SHORT, encoding="utf-8")
    out = tmp_path / "sweep"
    argv = ["sweep", str(scenario), "--out", str(out), "--workers", "2", "--json"]
    assert main(argv) == EXIT_OK, capsys.readouterr().err
    capsys.readouterr()
    text = _printed(["sweep-report", str(out), "--html", "r.html"], capsys)
    assert "4 runs at 2 points: 0 failed, 4 met every expectation" in text
    document = json.loads(_printed(["sweep-report", str(out), "--json"], capsys))
    points = document["points"]
    assert [(p["params"], p["runs"]) for p in points] == [
        ({"relayers[0].update.blocks": 2}, 2),
        ({"relayers[0].update.blocks": 6}, 2),
    ]
    lag = [point["metrics"][LAG] for point in points]
    assert lag[0]["max"] < lag[1]["min"]  # a lazier relayer lets the client lag more
    assert 'id="plot-trend-1"' in Path("r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", STUDIES, ids=lambda path: path.name)
def test_each_shipped_study_loads_and_plans(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.sweep is not None
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    parameters = list(scenario.sweep.set.items())
    plan = plan_sweep(data, parameters, scenario.sweep.seeds, tmp_path, str(path), path.parent)
    combinations = 1
    for _, values in parameters:
        combinations *= len(values)
    assert len(plan.points) == combinations * len(scenario.sweep.seeds) >= 12


def test_the_studies_are_the_ones_the_readme_shows() -> None:
    names = {path.stem for path in STUDIES}
    assert {"detection-latency", "expiry-vs-loss"} <= names
    assert {f"migration-downtime-{a}" for a in ("proactive", "reactive", "hardfork")} <= names
