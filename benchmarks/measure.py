"""What every benchmark shares: a median timer and the JSON results file.

Benchmarks are scripts (``python benchmarks/<name>.py``), so this module is imported from the
benchmarks directory, which Python puts first on the path.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path("benchmarks/results")


def median_seconds(
    action: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``action`` over ``repeat`` runs, after one warm-up run; ``setup``,
    when given, runs untimed before each run (the warm-up's too)."""
    if setup is not None:
        setup()
    action()
    samples = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def write_results(figures: Any, out: Path) -> None:
    """Write ``figures`` as JSON to ``out`` and echo them on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    json.dump(figures, sys.stdout, indent=2)
    print()
