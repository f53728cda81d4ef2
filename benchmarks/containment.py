"""Containment: wall time per gas of import loops against pure Wasm, and the catalogue; JSON out.

A contract may spend its whole gas limit, so gas must bound wall time: the seconds a loop that
only calls one import burns per 10^10 gas should stay within a small constant of a plain Wasm
loop's. Each loop runs under a ``WasmVM`` until it is out of gas; the figure is the median wall
time per 10^10 gas and its ratio to the pure loop, all measured in this run, under the import
pricing before containment (CosmWasm's flat 18,000 gas per import) and under the VM's pricing.

Then every behaviour of the adversarial catalogue (tests/adversarial/contracts) runs once at the
largest transaction's gas (the host's MAX_TX_GAS in CosmWasm gas): its outcome, gas used, wall
time and the process's peak RSS after it; the run checks every call ends under 10 s and the
process stays under 1 GiB.

Usage: ``python benchmarks/containment.py [--gas G] [--repeat N] [--out FILE]`` (default out:
``benchmarks/results/containment.json``); exits 1 if a call or the process broke its bound.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

from measure import RESULTS, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the catalogue lives in tests/

from relayer_sim.host.chain import MAX_TX_GAS
from relayer_sim.host.wasm_proxy import GAS_MULTIPLIER
from relayer_sim.vm import CallLimits, MemoryStorage, OutOfGas, WasmVM
from relayer_sim.vm.gas_costs import UNCONTAINED_IMPORT_COSTS
from tests.adversarial.contracts.catalogue import CATALOGUE, ENV, Behaviour, Outcome, run
from tests.adversarial.contracts.spin import IMPORT_LOOPS, PURE_LOOP
from tests.adversarial.contracts.wat import wasm

PER = 10**10
MAX_CALL_GAS = MAX_TX_GAS * GAS_MULTIPLIER
MAX_CALL_SECONDS = 10.0
MAX_RSS_BYTES = 1 << 30
STORAGE = {b"k": b"v", b"other": b"x"}


def seconds_per_gas(vm: WasmVM, wat: str, gas: int, repeat: int) -> float:
    """Median wall seconds per ``PER`` gas of a loop that runs out of ``gas``."""
    checksum = vm.store_code(wasm(wat))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            vm.sudo(checksum, ENV, b"{}", MemoryStorage(), gas)
        except OutOfGas as error:
            used = error.gas_used or gas
        else:
            raise AssertionError("a spinning loop finished")
        samples.append((time.perf_counter() - start) * PER / used)
    samples.sort()
    return samples[len(samples) // 2]


def spin_figures(vm: WasmVM, gas: int, repeat: int) -> dict[str, object]:
    """Seconds per 10^10 gas of each loop and each import loop's ratio to the pure loop."""
    pure = seconds_per_gas(vm, PURE_LOOP, gas, repeat)
    loops = {name: seconds_per_gas(vm, wat, gas, repeat) for name, wat in IMPORT_LOOPS.items()}
    return {
        "pure_wasm_s_per_1e10_gas": round(pure, 5),
        "import_s_per_1e10_gas": {name: round(value, 4) for name, value in loops.items()},
        "import_over_pure_ratio": {name: round(value / pure, 1) for name, value in loops.items()},
        "worst_ratio": round(max(loops.values()) / pure, 1),
    }


def peak_rss_bytes() -> int:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def outcome_name(outcome: Outcome) -> str:
    return outcome if isinstance(outcome, str) else outcome.__name__


def catalogue_row(vm: WasmVM, behaviour: Behaviour) -> dict[str, Any]:
    """One behaviour at the largest transaction gas: outcome, gas, wall time, peak RSS."""
    storage = MemoryStorage(STORAGE)
    start = time.perf_counter()
    outcome, gas = run(vm, behaviour, storage, MAX_CALL_GAS)
    seconds = time.perf_counter() - start
    return {
        "behaviour": behaviour.name,
        "outcome": outcome_name(outcome),
        "same_as_in_tests": outcome == behaviour.outcome,
        "storage_untouched": storage.items() == STORAGE,
        "gas_used": gas,
        "wall_s": round(seconds, 3),
        "peak_rss_mib": round(peak_rss_bytes() / 2**20, 1),
    }


def catalogue_figures() -> dict[str, Any]:
    vms = {None: WasmVM(disk_cache=False)}
    rows = []
    for behaviour in CATALOGUE:
        if behaviour.deadline not in vms:
            limits = CallLimits(deadline_seconds=behaviour.deadline)
            vms[behaviour.deadline] = WasmVM(disk_cache=False, limits=limits)
        rows.append(catalogue_row(vms[behaviour.deadline], behaviour))
        print(rows[-1], file=sys.stderr)
    return {
        "gas_limit": MAX_CALL_GAS,
        "behaviours": len(rows),
        "slowest_call_s": max(row["wall_s"] for row in rows),
        "peak_rss_mib": round(peak_rss_bytes() / 2**20, 1),
        "outcome_differs_from_tests": [
            row["behaviour"] for row in rows if not row["same_as_in_tests"]
        ],
        "storage_always_untouched": all(row["storage_untouched"] for row in rows),
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gas", type=int, default=PER, help="gas limit of each spin call")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per loop")
    parser.add_argument("--out", type=Path, default=RESULTS / "containment.json")
    args = parser.parse_args()
    # Before containment an import loop could outlast the deadline: give it room to finish.
    before = WasmVM(
        disk_cache=False,
        import_costs=UNCONTAINED_IMPORT_COSTS,
        limits=CallLimits(deadline_seconds=600),
    )
    after = WasmVM(disk_cache=False)
    figures = {
        "gas": args.gas,
        "repeat": args.repeat,
        "spin_before": spin_figures(before, args.gas, args.repeat),
        "spin_after": spin_figures(after, args.gas, args.repeat),
        "catalogue": catalogue_figures(),
    }
    write_results(figures, args.out)
    catalogue = figures["catalogue"]
    within = catalogue["slowest_call_s"] < MAX_CALL_SECONDS and peak_rss_bytes() < MAX_RSS_BYTES
    return 0 if within and catalogue["storage_always_untouched"] else 1


if __name__ == "__main__":
    sys.exit(main())
