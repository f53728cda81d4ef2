"""What the host's status cache saves (``relayer_sim.host.status_cache``): the quick-start for a
simulated hour with the cache and without it, in one process, on one VM.

For each: contract calls through the VM (all, and ``status`` queries), the cache's hits, wall
and CPU time (medians of ``--repeat`` runs, the two kinds alternating after a warm-up run of
each), and whether the two traces are byte for byte the same (they must be). Ratios are
cached / uncached.

Usage: ``python benchmarks/status_cache.py [--hours H] [--repeat N] [--out FILE]`` (default 1 h,
3 runs, ``benchmarks/results/status_cache.json``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from measure import RESULTS, write_results

from relayer_sim.host.app import HostApp
from relayer_sim.scenario import load_scenario
from relayer_sim.scenario.shipped import DEFAULT_SCENARIO
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM
from relayer_sim.world import World

HOUR = 3600 * 10**9
ENTRY_POINTS = ("instantiate", "query", "sudo", "migrate")


class CountingVM(WasmVM):
    """A VM that counts its contract calls (by entry point, and ``status`` queries apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()

    def instantiate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls["instantiate"] += 1
        return super().instantiate(*args, **kwargs)

    def query(self, checksum: bytes, env: Any, msg: bytes, *args: Any, **kwargs: Any) -> Any:
        self.calls["status" if msg.startswith(b'{"status"') else "query"] += 1
        return super().query(checksum, env, msg, *args, **kwargs)

    def sudo(self, *args: Any, **kwargs: Any) -> Any:
        self.calls["sudo"] += 1
        return super().sudo(*args, **kwargs)

    def migrate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls["migrate"] += 1
        return super().migrate(*args, **kwargs)


def one_run(vm: CountingVM, hours: float, cached: bool) -> dict[str, Any]:
    """One quick-start run of ``hours``: its figures and trace bytes."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    scenario = scenario.model_copy(update={"duration": int(hours * HOUR), "expect": ()})
    apps: list[HostApp] = []

    def note_app(world: World) -> None:
        apps[:] = [world.host.app]

    vm.calls.clear()
    with tempfile.TemporaryDirectory() as out:
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_scenario(scenario, Path(out), vm=vm, observer=note_app, status_cache=cached)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        trace = result.trace_path.read_bytes()
    (app,) = apps
    cache = app.status_cache
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "contract_calls": sum(vm.calls.values()),
        "status_calls": vm.calls["status"],
        "calls": dict(sorted(vm.calls.items())),
        "cache_hits": 0 if cache is None else cache.hits,
        "trace": trace,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "status_cache.json")
    args = parser.parse_args()
    vm = CountingVM()
    runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for cached in (False, True):  # warm-up: module cache, imports
        one_run(vm, args.hours, cached)
    for _ in range(args.repeat):
        for cached in (False, True):
            runs[cached].append(one_run(vm, args.hours, cached))

    def summary(cached: bool) -> dict[str, Any]:
        first = runs[cached][0]
        return {
            "wall_s": statistics.median(run["wall_s"] for run in runs[cached]),
            "cpu_s": statistics.median(run["cpu_s"] for run in runs[cached]),
            "contract_calls": first["contract_calls"],
            "status_calls": first["status_calls"],
            "calls": first["calls"],
            "cache_hits": first["cache_hits"],
        }

    plain, cached = summary(False), summary(True)
    traces = {run["trace"] for run in runs[False] + runs[True]}
    figures = {
        "scenario": f"{DEFAULT_SCENARIO.name}, {args.hours:g} h simulated",
        "repeat": args.repeat,
        "uncached": plain,
        "cached": cached,
        "ratio_cached_over_uncached": {
            name: cached[name] / plain[name]
            for name in ("wall_s", "cpu_s", "contract_calls", "status_calls")
        },
        "simulated_per_wall_second": {
            "uncached": args.hours * 3600 / plain["wall_s"],
            "cached": args.hours * 3600 / cached["wall_s"],
        },
        "traces_identical": len(traces) == 1,
    }
    write_results(figures, args.out)
    if len(traces) != 1:
        raise SystemExit("the cached run's trace differs from the uncached one's")


if __name__ == "__main__":
    main()
