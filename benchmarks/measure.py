"""What every benchmark shares: a median timer and the JSON results file.

Benchmarks are scripts (``python benchmarks/<name>.py``), so this module is imported from the
benchmarks directory, which Python puts first on the path.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path("benchmarks/results")


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``action`` over ``repeat`` runs, after one warm-up run."""
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@dataclass(frozen=True)
class Medians:
    """Median seconds of one action: wall time, and the CPU time of the thread running it (on a
    shared machine, what the action cost without the time other processes took the core)."""

    wall: float
    cpu: float


def interleaved_medians(
    runs: Sequence[tuple[Callable[[], object], Callable[[], object] | None]], repeat: int
) -> list[Medians]:
    """The medians of each ``(action, setup)`` of ``runs`` over ``repeat`` runs, their runs
    taken in turn (one of each, ``repeat`` times), so that a figure and its baseline see the
    same load on a shared machine; after one warm-up run of each. ``setup``, when not None, runs
    untimed before each run of its action."""
    walls: list[list[float]] = [[] for _ in runs]
    cpus: list[list[float]] = [[] for _ in runs]
    for round_ in range(repeat + 1):
        for (action, setup), wall, cpu in zip(runs, walls, cpus, strict=True):
            if setup is not None:
                setup()
            start, start_cpu = time.perf_counter(), time.thread_time()
            action()
            end_cpu, end = time.thread_time(), time.perf_counter()
            if round_:
                wall.append(end - start)
                cpu.append(end_cpu - start_cpu)
    return [
        Medians(statistics.median(wall), statistics.median(cpu))
        for wall, cpu in zip(walls, cpus, strict=True)
    ]


def write_results(figures: Any, out: Path) -> None:
    """Write ``figures`` as JSON to ``out`` and echo them on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    json.dump(figures, sys.stdout, indent=2)
    print()


def in_fresh_process(script: str, *arguments: str) -> Any:
    """Run ``script arguments…`` in a fresh interpreter (its memory and caches its own) and
    return the figures it printed with ``answer_parent``."""
    child = subprocess.run(
        [sys.executable, script, *arguments], check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(child.stdout.splitlines()[-1])


def answer_parent(figures: Any) -> None:
    """Print ``figures`` as the last line of stdout, for ``in_fresh_process``."""
    json.dump(figures, sys.stdout)
    print()
