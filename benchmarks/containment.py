"""Containment: wall time per gas of import-heavy loops against a pure-Wasm loop; JSON out.

A contract may spend its whole gas limit, so gas must bound wall time: the seconds a loop that
only calls one import burns per 10^10 gas should stay within a small constant of a plain Wasm
loop's. Each loop runs under a ``WasmVM`` until it is out of gas; the figure is the median wall
time per 10^10 gas and its ratio to the pure loop, all measured in this run, under the import
pricing before containment (CosmWasm's flat 18,000 gas per import) and under the VM's pricing.

Usage: ``python benchmarks/containment.py [--gas G] [--repeat N] [--out FILE]`` (default out:
``benchmarks/results/containment.json``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from measure import RESULTS, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the catalogue lives in tests/

from relayer_sim.vm import MemoryStorage, OutOfGas, WasmVM  # noqa: E402
from relayer_sim.vm.gas_costs import UNCONTAINED_IMPORT_COSTS  # noqa: E402
from tests.adversarial.contracts.spin import IMPORT_LOOPS, PURE_LOOP  # noqa: E402
from tests.adversarial.contracts.wat import wasm  # noqa: E402

ENV = {
    "block": {"height": 1, "time": "1700000000000000000", "chain_id": "bench-1"},
    "transaction": None,
    "contract": {"address": "08-wasm-0"},
}
PER = 10**10


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gas", type=int, default=PER, help="gas limit of each spin call")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per loop")
    parser.add_argument("--out", type=Path, default=RESULTS / "containment.json")
    args = parser.parse_args()
    before = WasmVM(disk_cache=False, import_costs=UNCONTAINED_IMPORT_COSTS)
    after = WasmVM(disk_cache=False)
    figures = {
        "gas": args.gas,
        "repeat": args.repeat,
        "spin_before": spin_figures(before, args.gas, args.repeat),
        "spin_after": spin_figures(after, args.gas, args.repeat),
    }
    write_results(figures, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
