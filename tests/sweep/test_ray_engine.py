"""``--engine ray``: the same table as the local engine on a real local Ray of two CPUs, a
packaged sweep (what a cluster gets) bringing its files back, an exception in a worker a failed
row, tasks in flight bounded, and the refusals: Ray missing, ``--address`` without it. Each Ray
runs in a process of its own (``RAY_ENV``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.sweep.engines import EngineError, LocalEngine
from relayer_sim.sweep.ray_engine import PACKAGE_DIR, staged_contracts, windowed
from relayer_sim.sweep.sweep import SweepPlan, plan_sweep, run_sweep
from tests.sweep.test_sweep import SHORT, _plan

CONTRACT = PACKAGE_DIR / "contracts" / "sim-tendermint-v1.wasm"


#: Ray runs only in subprocesses here: a Ray driver in this process replaces the signal
#: handlers wasmtime traps through (SIGILL, SIGSEGV), and the next contract that traps in the
#: test process would crash it.
RAY_ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}


def _cli(*argv: str) -> dict[str, object]:
    """``relayer-sim ARGV --json`` in a process of its own: its summary."""
    command = [sys.executable, "-m", "relayer_sim.cli", *argv, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=RAY_ENV, timeout=300)
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    summary: dict[str, object] = json.loads(done.stdout)
    return summary


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT, encoding="utf-8")
    return path


def test_ray_gives_the_local_engines_table(scenario_file: Path, tmp_path: Path) -> None:
    """An embedded Ray of two workers, started and shut down by the sweep."""
    outs = {engine: tmp_path / engine for engine in ("local", "ray")}
    for engine, out in outs.items():
        summary = _cli(
            "sweep", str(scenario_file), "--engine", engine, "--out", str(out), "--workers", "2"
        )
        assert (summary["engine"], summary["ran"], summary["failed"]) == (engine, 4, 0)
        assert summary["workers"] == 2
    local, by_ray = (out / "results.csv" for out in outs.values())
    assert by_ray.read_bytes() == local.read_bytes()
    tables = [pq.read_table(out / "results.parquet") for out in outs.values()]
    assert tables[0].equals(tables[1])


EXPLODING = """
import json, sys, tomllib
from pathlib import Path

from relayer_sim.sweep.ray_engine import RayEngine
from relayer_sim.sweep.sweep import plan_sweep, run_sweep


def explode(task):
    raise RuntimeError(f"boom in {task.point.key}")


if __name__ == "__main__":
    source = Path(sys.argv[1])
    data = tomllib.loads(source.read_text())
    plan = plan_sweep(data, [], (1, 2), Path(sys.argv[2]), str(source), source.parent)
    first = run_sweep(plan, RayEngine(2, run=explode))
    again = run_sweep(plan, RayEngine(2, run=explode))
    keys = [point.key for point in plan.points]
    report = {"first": first.rows, "failed": first.failed, "again": again.ran, "keys": keys}
    print(json.dumps(report))
"""


def test_an_exception_in_a_worker_is_a_failed_row(scenario_file: Path, tmp_path: Path) -> None:
    script = tmp_path / "exploding.py"
    script.write_text(textwrap.dedent(EXPLODING), encoding="utf-8")
    command = [sys.executable, str(script), str(scenario_file), str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, env=RAY_ENV, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["failed"] == 2 and len(report["first"]) == 2
    for key, row in zip(report["keys"], report["first"], strict=True):
        assert row["key"] == key and row["status"] == "failed"
        assert row["error"] == f"ray: RuntimeError: boom in {key}"
    # a failed run has its row, as a run's own error does: re-running does not redo it
    assert report["again"] == 0


def test_tasks_in_flight_are_bounded() -> None:
    in_flight: set[int] = set()
    most = 0

    def submit(task: int) -> int:
        nonlocal most
        in_flight.add(task)
        most = max(most, len(in_flight))
        return task

    def wait_one(refs: list[int]) -> list[int]:
        assert len(refs) <= 4
        in_flight.discard(refs[-1])
        return [refs[-1]]

    done = [task for task, _ in windowed(range(10_000), 4, submit, wait_one)]
    assert sorted(done) == list(range(10_000)) and most == 4


PACKAGED = """
import json, sys, tomllib
from pathlib import Path

import ray

from relayer_sim.sweep.ray_engine import RayEngine
from relayer_sim.sweep.sweep import plan_sweep, run_sweep


def noting(task):
    import os

    import relayer_sim
    from relayer_sim.sweep.runner import run_task

    return {**run_task(task), "module": relayer_sim.__file__, "files": os.listdir(".")}


if __name__ == "__main__":
    source = Path(sys.argv[1])
    data = tomllib.loads(source.read_text())
    seen = []
    plan = plan_sweep(data, [], (1, 2), Path(sys.argv[2]), str(source), source.parent)
    engine = RayEngine(2, package=True, requirements=(), run=noting)
    result = run_sweep(plan, engine, keep_traces=True, on_row=seen.append)
    print(json.dumps({"failed": result.failed, "seen": seen, "up": ray.is_initialized()}))
"""


def test_a_packaged_sweep_runs_the_shipped_project_and_brings_its_files_back(
    tmp_path: Path,
) -> None:
    """What a cluster gets (``--address``), on a local Ray of its own: the package uploaded,
    only the contract files the runs name, each run's row and trace sent back."""
    folder = tmp_path / "scenario"
    (folder / "code").mkdir(parents=True)
    (folder / "code" / "light.wasm").write_bytes(CONTRACT.read_bytes())
    (folder / "unrelated.txt").write_text("not shipped")
    text = SHORT.replace('contract = "sim-tendermint-v1"', 'contract = "code/light.wasm"')
    scenario = folder / "short.toml"
    scenario.write_text(text.split("[sweep]")[0], encoding="utf-8")
    script = tmp_path / "packaged.py"
    script.write_text(textwrap.dedent(PACKAGED), encoding="utf-8")
    command = [sys.executable, str(script), str(scenario), str(tmp_path / "ray")]
    packaged = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=RAY_ENV
    )
    try:  # the reference runs while that Ray starts
        local = run_sweep(_seeds_plan(scenario, tmp_path / "local"), LocalEngine(2), True)
        stdout, stderr = packaged.communicate(timeout=300)
    finally:  # SIGTERM: the driver's Ray then shuts down whole, as SIGKILL would not let it
        if packaged.poll() is None:
            packaged.terminate()
            packaged.wait(timeout=60)
    assert packaged.returncode == 0, stderr[-3000:]
    report = json.loads(stdout.splitlines()[-1])
    assert report["failed"] == 0 and not report["up"]
    for row in report["seen"]:
        assert not row["module"].startswith(str(PACKAGE_DIR))  # the uploaded copy
        assert row["files"] == ["code"]
    assert (tmp_path / "ray" / "results.csv").read_bytes() == local.csv.read_bytes()
    for row in local.rows:
        trace = Path("runs") / row["key"] / "trace.msgpack"
        assert (tmp_path / "ray" / trace).read_bytes() == (tmp_path / "local" / trace).read_bytes()


def _seeds_plan(scenario: Path, out: Path) -> SweepPlan:
    """Seeds 1 and 2 of ``scenario``, nothing swept."""
    data = tomllib.loads(scenario.read_text(encoding="utf-8"))
    return plan_sweep(data, [], (1, 2), out, str(scenario), scenario.parent)


def test_a_contract_outside_the_scenarios_folder_cannot_be_shipped(scenario_file: Path) -> None:
    plan = _plan(scenario_file, scenario_file.parent / "out")
    task = plan.tasks(False)[0]
    data = {**task.point.data, "clients": [{"name": "main", "contract": "../light.wasm"}]}
    outside = replace(task, point=replace(task.point, data=data))
    with (
        pytest.raises(EngineError, match="outside the scenario's folder"),
        staged_contracts([outside]),
    ):
        pass


def test_without_ray_the_ray_engine_is_one_line(
    scenario_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails, as when not installed
    monkeypatch.delitem(sys.modules, "relayer_sim.sweep.ray_engine")
    out = tmp_path / "out"
    argv = ["sweep", str(scenario_file), "--engine", "ray", "--out", str(out)]
    assert main(argv) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        "error: --engine ray needs Ray: pip install 'relayer-sim[ray]'\n"
    )
    assert not out.exists()  # refused before anything ran


def test_an_address_needs_the_ray_engine(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["sweep", str(scenario_file), "--address", "auto", "--out", str(out)]
    assert main(argv) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == "error: --address needs --engine ray\n"
    assert not out.exists()
