"""Crash points of the block log: writers SIGKILLed at random moments, half of the kills also
power cuts that tear the unsynced tail; every restore must hold every acknowledged block and
the state the writer's blocks make (``tests/adversarial/log_writer.py``). JSON out.

The default test suite runs 10 kills; this runs as many as asked (100 by default), each a new
Python process, so it is ``make crash``, not a test.

Usage: ``python benchmarks/log_crashes.py [--kills N] [--seed S] [--out FILE]`` (default out:
``benchmarks/results/log_crashes.json``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from measure import RESULTS, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the writer lives in tests/

from relayer_sim.vm import WasmVM
from tests.adversarial.log_writer import kill_and_restore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS / "log_crashes.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        counts = kill_and_restore(WasmVM(), Path(directory), args.kills, args.seed)
    write_results({"seed": args.seed, **asdict(counts)}, args.out)


if __name__ == "__main__":
    main()
