"""Whether a long run costs the same every day: the quick-start for a simulated month; JSON out.

The quick-start scenario (``scenarios/quick-start.toml``, its text with ``duration`` set to
``--days`` days and its expectations dropped) runs in a fresh process. An observer, called after
every host block, notes the process's CPU time when each simulated day ends, and its resident
memory then; the figures are the CPU seconds of each simulated day, their ratio last day / first
day (and last day / second day: the first one also creates the client and compiles its
contract), the peak RSS of the process and the RSS at the end of each day. Flat cost means ratios
near 1 and an RSS that stops growing (the counterparty forgets heights older than its state
retention, 21 days).

Usage: ``python benchmarks/long_run.py [--days 30] [--out FILE]`` (default
``benchmarks/results/long_run.json``).
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from measure import RESULTS, answer_parent, in_fresh_process, write_results

from relayer_sim.scenario import Scenario, parse_scenario
from relayer_sim.scenario.shipped import DEFAULT_SCENARIO
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM
from relayer_sim.world import World

DAY_NS = 86_400 * 10**9
PAGE = 4096


def long_quick_start(days: int) -> Scenario:
    """The quick-start for ``days`` simulated days, without its expectations."""
    text = DEFAULT_SCENARIO.read_text()
    text, count = re.subn(r'(?m)^duration = "[^"]*"$', f'duration = "{days}d"', text)
    if count != 1:
        raise SystemExit(f"{DEFAULT_SCENARIO} has {count} duration lines, not one")
    scenario = parse_scenario(text, f"{DEFAULT_SCENARIO} ({days}d)", DEFAULT_SCENARIO.parent)
    return scenario.model_copy(update={"expect": ()})


def rss_mib() -> float:
    """The resident memory of this process now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return round(pages * PAGE / 2**20, 1)


def run_days(days: int) -> dict[str, object]:
    """Run the long quick-start in this process: per-day CPU and memory."""
    scenario = long_quick_start(days)
    ends: list[float] = []
    rss: list[float] = []

    def observe(world: World) -> None:
        # A day ends with the first host block at or after its last nanosecond.
        if world.clock.now_ns >= (len(ends) + 1) * DAY_NS:
            ends.append(time.process_time())
            rss.append(rss_mib())

    vm = WasmVM()
    with tempfile.TemporaryDirectory() as out:
        cpu_started, started = time.process_time(), time.perf_counter()
        run_scenario(scenario, Path(out), vm=vm, observer=observe)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    marks = [cpu_started, *ends]
    per_day = [round(later - earlier, 2) for earlier, later in pairwise(marks)]
    figures: dict[str, object] = {
        "days": days,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "simulated_per_wall": round(days * 86_400 / wall, 1),
        "cpu_seconds_per_day": per_day,
        "rss_mib_at_day_end": rss,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if len(per_day) >= 2:
        figures["last_over_first_day"] = round(per_day[-1] / per_day[0], 3)
        figures["last_over_second_day"] = round(per_day[-1] / per_day[1], 3)
        figures["max_over_min_after_day_1"] = round(max(per_day[1:]) / min(per_day[1:]), 3)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, default=RESULTS / "long_run.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        answer_parent(run_days(args.days))
        return 0
    figures = in_fresh_process(__file__, "--child", f"--days={args.days}")
    figures["scenario"] = f"{DEFAULT_SCENARIO} with duration = {args.days}d, no expectations"
    write_results(figures, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
