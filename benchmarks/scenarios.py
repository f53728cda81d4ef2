"""How fast scenarios run, and in how much memory: wall and CPU time, simulated time per wall
second and peak RSS; JSON out.

Three runs: the quick-start scenario for a whole simulated day in each wire format (the shipped
sim-tendermint one, and its tendermint twin: ``[counterparty] format = "tendermint"`` and clients
on ``tendermint-v1``), and packets under load (the quick-start chains with a packet every 2 s for
two simulated hours). A simulated/wall ratio of 1000 means a simulated day takes under a minute
and a half. Each run is a fresh process, so that its peak RSS is its own (imports, the wasm
engine and the run); the tendermint day's figures are also given as ratios to the sim-tendermint
day's, taken in the same invocation.

The tendermint twin is ``scenarios/tendermint/quick-start.toml`` when that file is the
quick-start in the tendermint format (only its name and description differ); otherwise it is
built from ``scenarios/quick-start.toml``'s text. The JSON names which one ran.

Usage: ``python benchmarks/scenarios.py [--out FILE]`` (default
``benchmarks/results/scenarios.json``); ``--run LABEL`` runs one of them and prints its figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from measure import RESULTS, answer_parent, in_fresh_process, write_results

from relayer_sim.scenario import Scenario, TrafficSpec, load_scenario, parse_scenario
from relayer_sim.scenario.shipped import DEFAULT_SCENARIO, SCENARIOS_DIR
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.sim.trace import read_trace
from relayer_sim.vm import WasmVM

HOUR = 3600 * 10**9
DAY = "quick-start, 24 h"
TENDERMINT_DAY = "quick-start (tendermint), 24 h"
LOAD = "packets under load, 2 h, a packet every 2 s"
TENDERMINT_QUICK_START = SCENARIOS_DIR / "tendermint" / "quick-start.toml"


def tendermint_quick_start() -> tuple[Scenario, str]:
    """The quick-start in the tendermint wire format, and where it comes from."""
    text = DEFAULT_SCENARIO.read_text()
    for old, new in (
        ("[counterparty]\n", '[counterparty]\nformat = "tendermint"\n'),
        ('contract = "sim-tendermint-v1"', 'contract = "tendermint-v1"'),
    ):
        if text.count(old) != 1:
            raise SystemExit(f"{DEFAULT_SCENARIO} has {old!r} {text.count(old)} times, not once")
        text = text.replace(old, new)
    twin = parse_scenario(text, f"{DEFAULT_SCENARIO} (tendermint)", DEFAULT_SCENARIO.parent)
    if TENDERMINT_QUICK_START.exists():
        shipped = load_scenario(TENDERMINT_QUICK_START)
        if shipped.model_copy(update={"name": twin.name, "description": twin.description}) == twin:
            return shipped, str(TENDERMINT_QUICK_START)
        print(
            f"{TENDERMINT_QUICK_START} differs from the quick-start's twin; running the twin",
            file=sys.stderr,
        )
    return twin, f"{DEFAULT_SCENARIO} with format = tendermint, contract tendermint-v1"


def runs() -> dict[str, tuple[Scenario, str]]:
    quick = load_scenario(DEFAULT_SCENARIO)
    tendermint, source = tendermint_quick_start()
    whole_day = {"duration": 24 * HOUR, "expect": ()}
    load = quick.model_copy(
        update={"duration": 2 * HOUR, "traffic": TrafficSpec(every=2 * 10**9), "expect": ()}
    )
    return {
        DAY: (quick.model_copy(update=whole_day), str(DEFAULT_SCENARIO)),
        TENDERMINT_DAY: (tendermint.model_copy(update=whole_day), source),
        LOAD: (load, f"{DEFAULT_SCENARIO}, traffic every 2 s"),
    }


def run_one(label: str) -> dict[str, object]:
    """Run one scenario in this process: its figures (peak RSS is this process's)."""
    scenario, source = runs()[label]
    vm = WasmVM()
    with tempfile.TemporaryDirectory() as out:
        cpu_started, started = time.process_time(), time.perf_counter()
        result = run_scenario(scenario, Path(out), vm=vm)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        events = len(read_trace(result.trace_path).events)
        trace_bytes = result.trace_path.stat().st_size
    simulated = scenario.duration / 10**9
    return {
        "scenario": source,
        "simulated_seconds": simulated,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "simulated_per_wall": round(simulated / wall, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "trace_events": events,
        "trace_bytes": trace_bytes,
    }


def measure() -> dict[str, dict[str, object]]:
    figures: dict[str, dict[str, object]] = {}
    for label in runs():
        figures[label] = entry = in_fresh_process(__file__, "--run", label)
        print(
            f"{label:<48} {entry['wall_seconds']:8.1f} s wall {entry['cpu_seconds']:8.1f} s CPU"
            f"  {entry['simulated_per_wall']:8.1f}x real time  {entry['peak_rss_mib']:7.1f} MiB",
            flush=True,
        )
    return figures


def ratios(figures: dict[str, dict[str, object]]) -> dict[str, float]:
    """The tendermint day's figures over the sim-tendermint day's."""
    out = {}
    for name in ("wall_seconds", "cpu_seconds", "simulated_per_wall", "peak_rss_mib"):
        tendermint, sim = figures[TENDERMINT_DAY][name], figures[DAY][name]
        assert isinstance(tendermint, float) and isinstance(sim, float)
        out[name] = round(tendermint / sim, 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "scenarios.json")
    parser.add_argument("--run", metavar="LABEL", choices=list(runs()), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run is not None:
        answer_parent(run_one(args.run))
        return 0
    figures = measure()
    write_results({"runs": figures, "tendermint / sim-tendermint, 24 h": ratios(figures)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
