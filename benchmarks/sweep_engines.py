"""What a sweep's engines give and cost (``relayer_sim.sweep``): the local engine's speed-up
over the same runs one after the other in one process, and each engine's overhead per task.

Speed-up: a relayer lagging 2 or 6 blocks, ``--hours`` simulated (default 1 h), over
``--seeds`` seeds (default 6: 12 runs), run once sequentially in this process (``run_task``
after ``run_task``, one VM) and once on the local engine (a worker process per core), in the
same invocation; the figure is sequential wall / local wall. When Ray is installed, the same
runs on ``--engine ray`` (a local Ray started for them) too. The tables must be byte for byte
the same.

Overhead: ``--tasks`` runs (default 200) of the same scenario for 10 simulated seconds, a few
milliseconds each, on each engine with one worker, noting when each row arrives; and as many in
this process just before and just after (their median is the run's own time). Start-up is the
first row's time less one run; the time per task is the mean gap between the later rows (the
engine busy, its worker warm), and the overhead per task is that less the run's own time. The
local engine hands a worker its next task while the parent takes the last one's row, so its
overhead is within the noise of the run's own time (a negative figure is that noise).

Usage: ``python benchmarks/sweep_engines.py [--hours H] [--seeds N] [--tasks N] [--out FILE]``
(default ``benchmarks/results/sweep_engines.json``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from measure import RESULTS, write_results

from relayer_sim.sweep.engines import Engine, LocalEngine, Row
from relayer_sim.sweep.runner import RunTask, run_task
from relayer_sim.sweep.sweep import SweepPlan, plan_sweep, run_sweep

SCENARIO = """
name = "sweep-bench"
description = "A relayer updating its client every few blocks, packets every 30 s."
duration = "{duration}"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"

[[relayers]]
name = "r1"
client = "main"
update = {{ policy = "lag", blocks = 3 }}

[traffic]
every = "30s"
"""
LAGS = ("relayers[0].update.blocks", [2, 6])


def plan(duration: str, seeds: int, out: Path, swept: bool = True) -> SweepPlan:
    data = tomllib.loads(SCENARIO.format(duration=duration))
    parameters = [LAGS] if swept else []
    return plan_sweep(data, parameters, range(1, seeds + 1), out, "sweep-bench.toml", None)


def ray_engine(workers: int | None) -> Engine | None:
    """The Ray engine, or None when Ray is not installed."""
    try:
        from relayer_sim.sweep.ray_engine import RayEngine
    except ImportError:
        return None
    return RayEngine(workers)


class Sequential:
    """The baseline: every run one after the other in this process, on its one VM."""

    name = "sequential"
    workers = 1

    def rows(self, tasks: Sequence[RunTask]) -> Iterator[Row]:
        for task in tasks:
            yield run_task(task)


def timed(sweep: SweepPlan, engine: Engine) -> tuple[float, list[float], bytes]:
    """Wall seconds of ``sweep`` on ``engine``, when each row arrived, and its CSV."""
    arrivals: list[float] = []
    start = time.perf_counter()
    result = run_sweep(sweep, engine, on_row=lambda _: arrivals.append(time.perf_counter()))
    wall = time.perf_counter() - start
    return wall, [moment - start for moment in arrivals], result.csv.read_bytes()


def speed_up(hours: float, seeds: int) -> dict[str, Any]:
    duration = f"{round(hours * 60)}m"
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as scratch:
        root = Path(scratch)
        alone, _, sequential_csv = timed(plan(duration, seeds, root / "one"), Sequential())
        local = LocalEngine()
        local_wall, _, local_csv = timed(plan(duration, seeds, root / "local"), local)
        figures: dict[str, Any] = {
            "scenario": f"{hours:g} h simulated, {len(LAGS[1]) * seeds} runs",
            "runs": len(LAGS[1]) * seeds,
            "sequential_wall_s": alone,
            "local": {"workers": local.workers, "wall_s": local_wall},
            "local_speedup": alone / local_wall,
            "tables_identical": local_csv == sequential_csv,
        }
        engine = ray_engine(None)
        if engine is not None:
            ray_wall, _, ray_csv = timed(plan(duration, seeds, root / "ray"), engine)
            figures["ray"] = {"workers": engine.workers, "wall_s": ray_wall}
            figures["ray_speedup"] = alone / ray_wall
            figures["tables_identical"] &= ray_csv == sequential_csv
    return figures


def overhead(tasks: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as scratch:
        root = Path(scratch)

        def trivial(name: str) -> SweepPlan:
            return plan("10s", tasks, root / name, swept=False)

        run_task(trivial("warm-up").tasks(False)[0])  # imports, the VM's compiled module
        figures: dict[str, Any] = {"tasks": tasks}
        engines: list[tuple[str, Engine | None]] = [
            ("local", LocalEngine(1)),
            ("ray", ray_engine(1)),
        ]
        for name, engine in engines:
            if engine is None:
                figures[name] = None
                continue
            # the runs' own time, just before and just after: what load there is, both see
            before = _each(run_task, trivial(f"{name}-before"))
            _, arrivals, _ = timed(trivial(name), engine)
            own = statistics.median(before + _each(run_task, trivial(f"{name}-after")))
            per_task = (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1)
            figures[name] = {
                "workers": engine.workers,
                "run_ms": own * 1e3,
                "startup_s": arrivals[0] - own,
                "per_task_ms": per_task * 1e3,
                "overhead_per_task_ms": (per_task - own) * 1e3,
            }
    return figures


def _each(action: Callable[[Any], object], sweep: SweepPlan) -> list[float]:
    """Wall seconds of each of ``sweep``'s runs through ``action``, in this process."""
    seconds = []
    for task in sweep.tasks(keep_traces=False):
        start = time.perf_counter()
        action(task)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS / "sweep_engines.json")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    load_before = os.getloadavg()[0]
    figures = {
        "cores": os.cpu_count(),
        # first, while this process is fresh: the runs it times must be as warm as a worker's
        "overhead": overhead(args.tasks),
        "speedup": speed_up(args.hours, args.seeds),
        # other processes' load skews a speed-up on 2 cores: see that the machine was idle
        "load_average_1m": {"before": load_before, "after": os.getloadavg()[0]},
    }
    write_results(figures, args.out)
    if not figures["speedup"]["tables_identical"]:
        raise SystemExit("an engine's table differs from the sequential runs'")


if __name__ == "__main__":
    main()
