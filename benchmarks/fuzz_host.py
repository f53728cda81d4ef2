"""Fuzzing the host's transactions: the state machine of ``tests/adversarial/host_fuzz.py`` run
until it has delivered at least ``--transactions`` transactions (100,000 by default), counting
escapes from ``deliver`` or a block, partial writes of failed transactions and divergences of a
restore from the block log, which must all be 0. JSON out, with the rate.

Broken invariants are counted, not shrunk: the run goes on, keeps a few samples, and exits 1.

Usage: ``python benchmarks/fuzz_host.py [--transactions N] [--steps N] [--out FILE]`` (default
``benchmarks/results/fuzz.json``); ``make fuzz`` runs it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from measure import RESULTS, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the machine lives in tests/

from relayer_sim.vm import WasmVM
from tests.adversarial.host_fuzz import Counts, HostMachine, build_world

#: Examples per hypothesis run; runs repeat (each with fresh random seeds) until the target.
EXAMPLES_PER_RUN = 100


class CountingMachine(HostMachine):
    """Counts a broken invariant and carries on, so that a long run reports them all."""

    strict = False


def fuzz(transactions: int, steps: int) -> dict[str, object]:
    world, counts = build_world(WasmVM()), Counts()
    examples = 0
    start = time.perf_counter()
    while counts.transactions < transactions:
        run_state_machine_as_test(
            lambda: CountingMachine(world, counts),  # type: ignore[arg-type]
            settings=settings(
                max_examples=EXAMPLES_PER_RUN,
                stateful_step_count=steps,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
        )
        examples += EXAMPLES_PER_RUN
        print(f"{counts.transactions} transactions", file=sys.stderr)
    seconds = time.perf_counter() - start
    return {
        "transactions": counts.transactions,
        "failed_transactions": counts.failed_transactions,
        "escapes": counts.escapes,
        "partial_writes": counts.partial_writes,
        "divergences": counts.divergences,
        "blocks": counts.blocks,
        "restores": counts.restores,
        "proposals": dict(sorted(counts.proposals.items())),
        "outcomes": dict(sorted(counts.outcomes.items())),
        "examples": examples,
        "steps_per_example": steps,
        "seconds": round(seconds, 1),
        "transactions_per_second": round(counts.transactions / seconds, 1),
        "samples": counts.samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=50, help="rules per example")
    parser.add_argument("--out", type=Path, default=RESULTS / "fuzz.json")
    args = parser.parse_args()
    figures = fuzz(args.transactions, args.steps)
    write_results(figures, args.out)
    broken = (figures["escapes"], figures["partial_writes"], figures["divergences"])
    return 0 if broken == (0, 0, 0) else 1


if __name__ == "__main__":
    sys.exit(main())
