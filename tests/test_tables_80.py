"""Every table the command line prints is readable in 80 columns: no line is wider, and no
value is cut with "…" (each test looks for the full values: checksums, file names, labels,
ids, times), and every command that prints a table prints JSON with ``--json``.

One short scenario, written here, is run once through ``relayer-sim run`` (with the session's
VM); ``report``, ``compare`` and ``trace show`` read its trace. Paths are relative to the run's
folder, as a user's usually are: a path is printed whole on a line of its own, and a long
temporary directory would make that line, not a table, wider than 80.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from relayer_sim.cli import EXIT_OK, main
from relayer_sim.report.printable import Column, FittedTable
from relayer_sim.scenario.shipped import shipped_scenarios
from relayer_sim.sim import runtime
from relayer_sim.sim.timefmt import format_elapsed, format_span
from relayer_sim.vm import WasmVM

WIDTH = 80
MS = 1_000_000
SECOND = 1000 * MS

#: Ten minutes of two chains that fill every table of a report: a lunatic fork on gaia's client
#: that the monitor catches, a consensus switch on osmosis that governance answers with a
#: migration, and a software upgrade that halts the host for a minute.
SCENARIO = """
name = "tables-80"
description = "Two chains for ten minutes: a fork, a switch and a migration, a host halt."
seed = 7
duration = "10m"

[[counterparties]]
name = "gaia"

[[counterparties]]
name = "osmosis"
consensus = "tm-ed25519"

[host]
voting_period = "1m"
binary = "v1"
upgrade_delay = "1m"

[[clients]]
name = "gaia"
counterparty = "gaia"
contract = "sim-tendermint-v1"

[[clients]]
name = "osmosis"
counterparty = "osmosis"
contract = "sim-tendermint-v1"

[[channels]]
name = "gaia-transfer"
client = "gaia"

[[channels]]
name = "osmosis-transfer"
client = "osmosis"

[[relayers]]
name = "r-gaia"
client = "gaia"

[[relayers]]
name = "r-osmosis"
client = "osmosis"

[[relayers]]
name = "mallory"
client = "gaia"
byzantine = true

[[monitors]]
name = "watch"
client = "gaia"
poll = "10s"

[[traffic]]
name = "from-gaia"
channel = "gaia-transfer"
every = "30s"

[[traffic]]
name = "from-osmosis"
channel = "osmosis-transfer"
every = "30s"

[[timeline]]
name = "attack"
at = "2m"
action = "fork"
kind = "lunatic"
coalition = ["alice"]
relayer = "mallory"

[[timeline]]
name = "switch"
at = "3m"
action = "consensus_switch"
counterparty = "osmosis"
version = "tm-secp256k1"

[[timeline]]
name = "store-v2"
after = "switch"
delay = "30s"
action = "store_code"
contract = "sim-tendermint-v2"

[[timeline]]
after = "store-v2"
delay = "2m"
action = "migrate"
client = "osmosis"
contract = "sim-tendermint-v2"

[[timeline]]
at = "4m"
action = "software_upgrade"
upgrade_name = "v2"
binary = "v2"
halt_after = "1m"

[[expect]]
kind = "misbehaviour_detected"
client = "gaia"
within = "1m"

[[expect]]
kind = "client_status"
client = "osmosis"
status = "Active"
"""

TRACE = "run/trace.msgpack"


@dataclass(frozen=True)
class Ran:
    """The scenario's run: its folder (the working directory of every test) and what
    ``relayer-sim run`` printed."""

    folder: Path
    summary: str


@pytest.fixture(scope="module")
def ran(vm: WasmVM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    folder = tmp_path_factory.mktemp("tables-80")
    (folder / "tables-80.toml").write_text(SCENARIO)
    with pytest.MonkeyPatch.context() as patch:
        _in_80_columns(patch, vm, folder)
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(["run", "tables-80.toml", "--out", "run"]) == EXIT_OK
    yield Ran(folder, out.getvalue())


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch, vm: WasmVM, ran: Ran) -> None:
    _in_80_columns(monkeypatch, vm, ran.folder)


def _in_80_columns(patch: pytest.MonkeyPatch, vm: WasmVM, folder: Path) -> None:
    """80 columns, in ``folder``, and runs on the session's VM (its modules compiled once)."""
    patch.setenv("COLUMNS", str(WIDTH))
    patch.chdir(folder)
    patch.setattr(runtime, "run_scenario", partial(runtime.run_scenario, vm=vm))


Printed = Callable[[list[str]], str]


@pytest.fixture
def printed(capsys: pytest.CaptureFixture[str]) -> Printed:
    """What a command prints on stdout, once it has exited 0 and printed no line over 80."""

    def run(argv: list[str]) -> str:
        assert main(argv) == EXIT_OK, capsys.readouterr().err
        out = capsys.readouterr().out
        wide = [line for line in out.splitlines() if len(line) > WIDTH]
        assert not wide, "\n".join(wide)
        return out

    return run


@pytest.fixture
def printed_json(capsys: pytest.CaptureFixture[str]) -> Callable[[list[str]], Any]:
    def run(argv: list[str]) -> Any:
        assert main([*argv, "--json"]) == EXIT_OK, capsys.readouterr().err
        return json.loads(capsys.readouterr().out)

    return run


def _cells(text: str) -> list[str]:
    """The text of every cell of ``text``'s tables, line by line, stripped of borders and
    padding, and every line outside them: a value shown whole is one of these."""
    return [cell.strip() for line in text.splitlines() for cell in re.split("[│┃]", line)]


def _rows(text: str) -> list[list[str]]:
    """The rows of the tables in ``text``, as the stripped text of each cell."""
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in text.splitlines()]


def _column(text: str, index: int) -> str:
    """The text of a table's column ``index`` (from 1), its lines joined by spaces: a cell
    wrapped at spaces reads whole again."""
    return " ".join(cells[index - 1] for cells in _rows(text) if cells and cells[index - 1])


def _contract(name: str) -> Path:
    """A copy of a shipped contract in the working directory, by a relative path: the path is
    printed on a line of its own, and wherever the package lies must not make it wide."""
    path = Path(f"{name}.wasm")
    path.write_bytes(files("relayer_sim.contracts").joinpath(path.name).read_bytes())
    return path


# -- each command ---------------------------------------------------------------------------------


def test_scenarios_show_every_file_name_whole(printed: Printed, printed_json: Any) -> None:
    cells = _cells(printed(["scenarios"]))
    for path in shipped_scenarios():
        assert path.name in cells, path.name
    assert {row["file"].rsplit("/", 1)[-1] for row in printed_json(["scenarios"])} == {
        path.name for path in shipped_scenarios()
    }


def test_run_summary(ran: Ran, printed_json: Any) -> None:
    lines = ran.summary.splitlines()
    assert max(map(len, lines)) <= WIDTH
    assert "trace: run/trace.msgpack" in lines
    summary = printed_json(["run", "tables-80.toml", "--out", "run-json"])
    assert summary["ok"] and summary["trace"] == "run-json/trace.msgpack"
    for expectation in summary["expectations"]:  # prose: wrapped at spaces, never cut
        assert expectation["expectation"] in _column(ran.summary, 2)
        assert expectation["measured"] in _column(ran.summary, 3)


def test_report_keeps_every_id_name_and_time(printed: Printed, printed_json: Any) -> None:
    text = printed(["report", TRACE])
    assert "…" not in text
    metrics = printed_json(["report", TRACE])
    cells = _cells(text)
    for client in metrics["clients"]:
        assert client["client_id"] in cells and client["name"] in cells
        assert format_span(client["downtime_ns"]) in cells
    for channel in metrics["packets_by_channel"]:
        assert channel["channel"] in cells
        assert format_span(channel["packets"]["max_ns"]) in cells
    (found,) = metrics["detections"]
    for moment in ("fork_ns", "evidence_ns", "frozen_ns"):
        assert format_elapsed(found[moment]) in cells
    assert format_span(found["latency_ns"]) in cells
    for span in metrics["host_downtime"]:
        assert format_elapsed(span["start_ns"]) in cells and format_elapsed(span["end_ns"]) in cells
    for gas in metrics["gas"]:
        assert gas["message"] in cells and f"{gas['contract_gas_total']:,}" in cells
    for mark in metrics["marks"]:
        assert format_elapsed(mark["t_ns"]) in cells and mark["category"] in cells


def test_compare_numbers_its_columns(printed: Printed, printed_json: Any) -> None:
    argv = ["compare", TRACE, TRACE, "--out", "compared"]
    text = printed(argv)
    assert "…" not in text
    runs = printed_json(argv)
    labels = [run["label"] for run in runs]
    assert labels == ["tables-80", "tables-80-2"]
    for number, label in enumerate(labels, start=1):
        assert f"{number} = {label}" in text.splitlines()
    header = next(line for line in text.splitlines() if "metric" in line)
    assert [cell.strip() for cell in header.split("┃")[2:-1]] == ["1", "2"]
    contract_gas = sum(gas["contract_gas_total"] for gas in runs[0]["metrics"]["gas"])
    assert ["contract gas", f"{contract_gas:,}", f"{contract_gas:,}"] in _rows(text)


def test_contract_check_prints_the_checksum_whole(printed: Printed, printed_json: Any) -> None:
    path = _contract("sim-tendermint-v1")
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    text = printed(["contract", "check", str(path)])
    assert checksum in text and "…" not in text
    assert printed_json(["contract", "check", str(path)])["checksum"] == checksum


def test_contract_try(printed: Printed, printed_json: Any) -> None:
    path = _contract("sim-tendermint-v1")
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    text = printed(["contract", "try", str(path)])
    assert checksum in text and "…" not in text
    result = printed_json(["contract", "try", str(path)])
    cells = _cells(text)
    for use in result["gas"]:
        assert use["call"] in cells and f"{use['max']:,}" in cells


def test_trace_show_keeps_times_and_actors_whole(printed: Printed, printed_json: Any) -> None:
    # The data is a summary, legitimately cut with "…"; the time, actor and kind are whole.
    argv = ["trace", "show", TRACE, "--limit", "40"]
    text = printed(argv)
    shown = printed_json(argv)
    assert len(shown["events"]) == 40 and shown["matching"] == shown["events_in_trace"]
    cells = _cells(text)
    for event in shown["events"]:
        assert format_elapsed(event["t"]) in cells
        assert event["actor"] in cells and event["kind"] in cells
    assert "open:osmosis-transfer" in cells  # the longest actor, whole
    assert any("app_hash" in event["data"] for event in shown["events"])


def test_new_list(printed: Printed, printed_json: Any) -> None:
    cells = _cells(printed(["new", "--list"]))
    for template in printed_json(["new", "--list"]):
        assert template["template"] in cells


def test_demo(printed: Printed, printed_json: Any) -> None:
    text = printed(["demo"])
    assert "…" not in text and "..." not in text
    tour = printed_json(["demo"])
    cells = _cells(text)
    assert tour["checksum"] in cells
    for step in tour["steps"]:
        assert step["outcome"] in cells
        assert any(cell.startswith(f"{step['entry']}:") for cell in cells)


# -- the pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (999_999, "0s"),  # cut to the millisecond, as on the clock
        (250 * MS, "250ms"),
        (1250 * MS, "1.25s"),
        (10 * SECOND, "10s"),
        (60 * SECOND + 10 * MS, "1m0.01s"),
        (3290 * SECOND, "54m50s"),
        (7200 * SECOND, "2h"),
        (3605 * SECOND, "1h0m5s"),  # no unit between the largest and the smallest left out
        ((26 * 3600 + 3 * 60 + 4) * SECOND + 500 * MS, "1d2h3m4.5s"),
    ],
)
def test_format_duration(ns: int, text: str) -> None:
    assert format_span(ns) == text


def test_format_duration_refuses_a_negative_duration() -> None:
    with pytest.raises(ValueError, match="-1 ns"):
        format_span(-1)


def test_a_fitted_table_wraps_prose_before_values() -> None:
    """An id wider than its share stays whole while the prose beside it wraps."""
    ident, prose = "07-tendermint-123456789", "a sentence that has room to wrap " * 3
    text = _in_columns(
        44, FittedTable("t", [Column("id", whole=True), Column("why")], [[ident, prose]])
    )
    assert ident in _cells(text) and "…" not in text
    assert _column(text, 2) == prose.strip()


def test_a_value_wider_than_the_table_folds_and_leaves_the_prose_room() -> None:
    text = _in_columns(
        40, FittedTable("t", [Column("id", whole=True), Column("why")], [["x" * 60, "so it goes"]])
    )
    assert _column(text, 1).replace(" ", "") == "x" * 60  # folded over lines, never cut
    assert "so it goes" in _cells(text)


def _in_columns(width: int, table: FittedTable) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(table)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    assert max(map(len, text.splitlines())) <= width
    return text
