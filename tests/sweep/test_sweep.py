"""Sweeps: every combination and seed run as the ordinary run, the same table whatever the
number of workers, resumed where it stopped (even when killed), bad paths and combinations
refused before anything runs."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sweep.engines import LocalEngine
from relayer_sim.sweep.points import with_values
from relayer_sim.sweep.sweep import plan_sweep, run_sweep
from relayer_sim.vm import WasmVM

SHORT = """
name = "short-sweep"
description = "Five minutes of a relayer, its policy swept."
duration = "5m"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"
update = { policy = "lag", blocks = 3 }

[traffic]
every = "30s"

[sweep]
seeds = "1..2"
set = { "relayers[0].update.blocks" = [2, 6] }
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT, encoding="utf-8")
    return path


def _plan(path: Path, out: Path):  # type: ignore[no-untyped-def]
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    parameters = [("relayers[0].update.blocks", [2, 6])]
    return plan_sweep(data, parameters, (1, 2), out, str(path), path.parent)


def test_each_run_is_the_ordinary_run_and_workers_do_not_change_the_table(
    scenario_file: Path, tmp_path: Path, vm: WasmVM
) -> None:
    one = run_sweep(_plan(scenario_file, tmp_path / "one"), LocalEngine(1), keep_traces=True)
    two = run_sweep(_plan(scenario_file, tmp_path / "two"), LocalEngine(2))
    assert (one.ran, one.failed, two.ran) == (4, 0, 4)
    assert one.csv.read_bytes() == two.csv.read_bytes()
    assert pq.read_table(one.parquet).to_pylist() == pq.read_table(two.parquet).to_pylist()
    rows = list(csv.DictReader(one.csv.open(encoding="utf-8")))
    assert [(row["relayers[0].update.blocks"], row["seed"]) for row in rows] == [
        ("2", "1"),
        ("2", "2"),
        ("6", "1"),
        ("6", "2"),
    ]
    assert list(rows[0])[:4] == ["key", "relayers[0].update.blocks", "seed", "status"]
    # a lazier relayer lets the client lag more
    assert max(int(r["main: max lag (blocks)"]) for r in rows[:2]) < min(
        int(r["main: max lag (blocks)"]) for r in rows[2:]
    )
    # the run of a point is the ordinary run of its scenario: the same trace, byte for byte
    point = _plan(scenario_file, tmp_path / "one").points[3]
    data = with_values(parse_data(SHORT), point.params)
    scenario = parse_scenario_data(data)
    trace = run_scenario(scenario, tmp_path / "ordinary", seed=point.seed, vm=vm).trace_path
    kept = tmp_path / "one" / "runs" / point.key / "trace.msgpack"
    assert kept.read_bytes() == trace.read_bytes()


def parse_data(text: str) -> dict[str, object]:
    import tomllib

    return {key: value for key, value in tomllib.loads(text).items() if key != "sweep"}


def parse_scenario_data(data: dict[str, object]):  # type: ignore[no-untyped-def]
    from relayer_sim.scenario.loading import scenario_from_data

    return scenario_from_data(data, "short.toml")


def test_a_sweep_killed_midway_finishes_without_redoing_what_was_done(
    scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "relayer_sim.cli", "sweep", str(scenario_file)]
    command += ["--workers", "1", "--out", str(out), "--json"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(out.glob("runs/*/row.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = {path.parent.name for path in out.glob("runs/*/row.json")}
    assert 1 <= len(done) < 4
    assert main(["sweep", str(scenario_file), "--out", str(out), "--workers", "2"]) == EXIT_OK
    resumed = run_sweep(_plan(scenario_file, out), LocalEngine(1))
    assert resumed.ran == 0 and len(resumed.rows) == 4
    clean = run_sweep(_plan(scenario_file, tmp_path / "clean"), LocalEngine(2))
    assert resumed.csv.read_bytes() == clean.csv.read_bytes()


def test_bad_paths_and_combinations_are_refused_before_anything_runs(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bad"
    argv = ["sweep", str(scenario_file), "--out", str(out)]
    assert main([*argv, "--set", "relayers[3].drop=0.1"]) == EXIT_BAD_INPUT
    assert "relayers[3].drop: relayers has 1 entries, no [3]" in capsys.readouterr().err
    assert main([*argv, "--set", "host.voting_period=0s,5m"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("error:") == 2 and "host.voting_period='0s'" in err  # one per combination
    assert "expected a duration longer than 0s" in err
    with pytest.raises(SystemExit) as refused:  # argparse's own refusal: one line, exit 2
        main([*argv, "--set", "Host=1"])
    assert refused.value.code == EXIT_BAD_INPUT
    assert "expected a field's dotted path" in capsys.readouterr().err
    assert not list(out.glob("runs/*"))
