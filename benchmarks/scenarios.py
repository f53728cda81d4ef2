"""How fast scenarios run: wall time and simulated time per wall second; JSON out.

Two runs: the quick-start scenario for a whole simulated day, and packets under load (the same
chains with a packet every 2 s for two simulated hours). A simulated/wall ratio of 1000 means a
simulated day takes under a minute and a half.

Usage: ``python benchmarks/scenarios.py [--out FILE]`` (default
``benchmarks/results/scenarios.json``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from measure import RESULTS, write_results

from relayer_sim.scenario import Scenario, TrafficSpec, load_scenario
from relayer_sim.scenario.shipped import DEFAULT_SCENARIO
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

HOUR = 3600 * 10**9


def runs() -> dict[str, Scenario]:
    quick = load_scenario(DEFAULT_SCENARIO)
    day = quick.model_copy(update={"duration": 24 * HOUR, "expect": ()})
    load = quick.model_copy(
        update={"duration": 2 * HOUR, "traffic": TrafficSpec(every=2 * 10**9), "expect": ()}
    )
    return {"quick-start, 24 h": day, "packets under load, 2 h, a packet every 2 s": load}


def measure() -> dict[str, dict[str, float]]:
    vm = WasmVM()
    figures: dict[str, dict[str, float]] = {}
    for label, scenario in runs().items():
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = run_scenario(scenario, Path(out), vm=vm)
            wall = time.perf_counter() - started
            events = len(read_trace(result.trace_path).events)
            trace_bytes = result.trace_path.stat().st_size
        simulated = scenario.duration / 10**9
        figures[label] = {
            "simulated_seconds": simulated,
            "wall_seconds": round(wall, 2),
            "simulated_per_wall": round(simulated / wall, 1),
            "trace_events": events,
            "trace_bytes": trace_bytes,
        }
        print(f"{label:<48} {wall:8.1f} s wall  {simulated / wall:8.1f}x real time", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "scenarios.json")
    args = parser.parse_args()
    write_results({"runs": measure()}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
