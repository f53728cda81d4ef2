"""``relayer-sim report`` and ``relayer-sim compare`` through the command line, on traces and
scenario files made here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.sim.trace import TraceRecorder

S = 10**9

STEADY = """
name = "steady"
description = "Five quiet minutes."
seed = 3
duration = "5m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"

[traffic]
every = "30s"
"""


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    """A frozen client and a halted host, a minute of them."""
    path = tmp_path / "hand.msgpack"
    with TraceRecorder(path) as recorder:
        recorder.header(scenario="hand-built", seed=9, started_ns=0)
        clients = {
            "main": {
                "id": "08-wasm-0",
                "height": "1-1",
                "status": "Active",
                "counterparty": "counterparty",
            }
        }
        heights = {"counterparty": "1-2"}
        recorder.record(5 * S, "metrics", "clients", counterparties=heights, clients=clients)
        recorder.record(10 * S, "mallory", "fork_sent", client="08-wasm-0", height="1-4")
        recorder.record(20 * S, "metrics", "client_frozen", client="08-wasm-0")
        clients["main"]["status"] = "Frozen"
        heights = {"counterparty": "1-3"}
        recorder.record(20 * S, "metrics", "clients", counterparties=heights, clients=clients)
        recorder.record(30 * S, "host", "halted", height=6, reason="planned upgrade")
        recorder.record(60 * S, "host", "restarted", height=6)
    return path


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "steady.toml"
    path.write_text(STEADY)
    return path


@pytest.mark.parametrize("command", ["report", "compare"])
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: relayer-sim {command}" in capsys.readouterr().out


def test_report_shows_every_table(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(trace_file)]) == EXIT_OK
    out = capsys.readouterr().out
    for fragment in (
        "hand-built, seed 9: 00:01:00.000",
        "client downtime",
        "status Frozen; host halted at height 6: planned upgrade",
        "attacks: what was sent",
        "attacks: what came of it",
        "host downtime",
        # What the run has none of is said once, with no empty table.
        "none in this run: consensus switch, packets, transactions\n",
    ):
        assert fragment in out, fragment
    for gone in ("misbehaviour detection", "what got through", "refused transactions"):
        assert gone not in out, gone
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in out.splitlines()]
    # The fork, sent with no kind and no verdict (a trace from before verdicts): when sent,
    # then its detection from its sending: evidence, frozen, latency, moments on the clock
    # and a length compact.
    assert ["1", "00:00:10.000", "?", "1-4", "—", "—"] in rows
    assert ["1", "no outcome", "—", "00:00:20.000", "10s"] in rows


def test_report_json(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--json", str(trace_file)]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert document["scenario"] == "hand-built" and document["switch"] is None
    assert document["host_downtime"] == [
        {"start_ns": 30 * S, "end_ns": 60 * S, "reason": "host halted at height 6: planned upgrade"}
    ]
    (detection,) = document["detections"]
    assert detection["latency_ns"] == 10 * S
    (client,) = document["clients"]
    assert client["downtime_ns"] == 40 * S  # frozen from 20 s to the end, halted within it


@pytest.mark.parametrize("command", ["report", "compare"])
def test_an_unreadable_trace_is_one_line_and_exit_2(
    command: str, tmp_path: Path, trace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.msgpack"
    not_a_trace = tmp_path / "notes.txt"
    not_a_trace.write_text("hello")
    for path in (missing, not_a_trace):
        before = [str(trace_file)] if command == "compare" else []
        assert main([command, *before, str(path)]) == EXIT_BAD_INPUT
        error = capsys.readouterr().err.strip()
        assert error.startswith("error:") and str(path.name) in error and "\n" not in error


def test_compare_an_invalid_scenario_is_exit_2(
    tmp_path: Path, trace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(STEADY.replace('duration = "5m"', 'duration = "-5m"'))
    good = tmp_path / "good.toml"
    good.write_text(STEADY)
    out = tmp_path / "runs"
    argv = ["compare", str(good), str(trace_file), str(bad), "--out", str(out)]
    assert main(argv) == EXIT_BAD_INPUT
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and "duration" in error and "\n" not in error
    assert not out.exists()  # nothing ran


def test_compare_runs_scenarios_and_reads_traces(
    tmp_path: Path, trace_file: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runs"
    argv = ["compare", str(scenario_file), str(scenario_file), str(trace_file), "--out", str(out)]
    assert main([*argv, "--seed", "4"]) == EXIT_OK
    text = capsys.readouterr().out
    # The same scenario twice gets two directories and two columns.
    assert (out / "steady" / "trace.msgpack").is_file()
    assert (out / "steady-2" / "trace.msgpack").is_file()
    # The columns are numbered; the legend above the table names them.
    header = next(line for line in text.splitlines() if "metric" in line)
    assert [cell.strip() for cell in header.split("┃")[2:-1]] == ["1", "2", "3"]
    assert text.startswith("1 = steady\n2 = steady-2\n3 = hand-built\n")
    assert f"trace 2: {out / 'steady-2' / 'trace.msgpack'}" in text
    rows = {
        cells[0]: cells[1:]
        for line in text.splitlines()
        if (cells := [cell.strip() for cell in line.split("│")[1:-1]])
    }
    for row in (
        "seed",
        "main: max lag (blocks)",
        "main: downtime",
        "switch → clients past it",
        "packets delayed",
        "packet latency p99",
        "main: detection latency",
        "forks sent",
        "refused transactions",
        "host downtime",
        "SDK gas",
        "contract gas",
    ):
        assert row in rows, row
    assert rows["seed"] == ["4", "4", "9"]  # --seed runs the scenarios; a trace is as it is
    assert rows["host downtime"] == ["0s", "0s", "30s"]  # lengths of time, compact
    assert rows["main: detection latency"] == ["—", "—", "10s"]
    assert rows["forks sent"] == ["0", "0", "1"]
    assert (out / "comparison.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"plot: {out / 'comparison.png'}" in text


def test_report_writes_html(
    tmp_path: Path, trace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "report.html"
    assert main(["report", str(trace_file), "--html", str(page)]) == EXIT_OK
    html = page.read_text(encoding="utf-8")
    assert "hand-built" in html and 'id="plot-heights"' in html
    assert f"report: {page}" in capsys.readouterr().out


def test_compare_json(
    tmp_path: Path, trace_file: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compare", "--json", str(trace_file), str(trace_file), str(scenario_file)]
    assert main([*argv, "--out", str(tmp_path / "runs")]) == EXIT_OK
    runs = json.loads(capsys.readouterr().out)
    assert [run["label"] for run in runs] == ["hand-built", "hand-built-2", "steady"]
    steady = runs[2]["metrics"]
    assert steady["seed"] == 3 and steady["packets"]["sent"] >= 9
    assert steady["packets"]["received"] == steady["packets"]["sent"] - steady["packets"]["lost"]
    assert runs[2]["trace"] == str(tmp_path / "runs" / "steady" / "trace.msgpack")
