"""How many times real time the quick-start runs, against what its signatures alone allow; JSON
out.

The shipped quick-start (``scenarios/quick-start.toml`` as it is: 6 simulated hours, its
expectations checked) runs ``--repeat`` times in one fresh process; the figures are the median
wall and CPU time and simulated seconds per wall second (the issue's target, #13: 10,000 or
more).
Then the same process runs it once more with every signature operation timed: the
counterparty's signing (``SigningKey.sign`` of the schemes), the Python light clients'
verifications (``SignatureScheme.verify``) and the VM's crypto imports (``ed25519_verify``,
also each signature of ``ed25519_batch_verify``, ``secp256k1_verify``,
``secp256k1_recover_pubkey``), each a call into libsodium or libsecp256k1. The seconds spent in
them are the floor: a run that did nothing else would take that long. Figures: how many of each
operation, their seconds, the floor's simulated seconds per wall second, and the run's median
wall time over the floor (1 would be a run that costs only its signatures). The timed run's
wall time is given too: timing ~10^5 calls costs a little.

The same timed run also splits every contract call (``relayer_sim.vm.capi``) into the wasmtime
lifecycle of its fresh store and instance (create, instantiate, delete), the contract's own wasm
(the time inside exported functions, less the time in the imports they call) and the imports.
Signatures, lifecycle and wasm together are a second floor: what a run costs with nothing of
this project's Python around the contracts, as long as each call gets a fresh instance, as
wasmvm gives it.

Usage: ``python benchmarks/quick_start.py [--repeat N] [--out FILE]`` (default 3 runs,
``benchmarks/results/quick_start.json``).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from contract_time import ContractTime
from measure import RESULTS, answer_parent, in_fresh_process, write_results

from relayer_sim.lightclient import schemes
from relayer_sim.scenario import load_scenario
from relayer_sim.scenario.shipped import DEFAULT_SCENARIO
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM, crypto

#: Every place a signature is made or checked: (owner, attribute, label). None of them calls
#: another (``ed25519_batch_verify`` calls ``ed25519_verify``, timed there).
SIGNATURE_OPERATIONS: tuple[tuple[Any, str, str], ...] = (
    (schemes._Ed25519Key, "sign", "ed25519 sign (counterparty)"),
    (schemes._Secp256k1Key, "sign", "secp256k1 sign (counterparty)"),
    (schemes.Ed25519, "verify", "ed25519 verify (Python)"),
    (schemes.Secp256k1, "verify", "secp256k1 verify (Python)"),
    (crypto, "ed25519_verify", "ed25519 verify (VM import)"),
    (crypto, "secp256k1_verify", "secp256k1 verify (VM import)"),
    (crypto, "secp256k1_recover_pubkey", "secp256k1 recover (VM import)"),
)


@contextmanager
def timed_signatures() -> Iterator[tuple[Counter[str], Counter[str]]]:
    """Within: every signature operation counted (first) and its seconds summed (second)."""
    calls: Counter[str] = Counter()
    seconds: Counter[str] = Counter()

    def timed(function: Callable[..., Any], label: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - start
                calls[label] += 1

        return wrapper

    with ExitStack() as stack:
        for owner, name, label in SIGNATURE_OPERATIONS:
            original = vars(owner)[name]
            stack.enter_context(mock.patch.object(owner, name, timed(original, label)))
        yield calls, seconds


def one_run(vm: WasmVM) -> tuple[float, float, bool]:
    """The quick-start once: wall seconds, CPU seconds, whether its expectations were met."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    with tempfile.TemporaryDirectory() as out:
        cpu, wall = time.process_time(), time.perf_counter()
        result = run_scenario(scenario, Path(out), vm=vm)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, result.ok


def measure(repeat: int) -> dict[str, Any]:
    simulated = load_scenario(DEFAULT_SCENARIO).duration / 10**9
    vm = WasmVM()
    runs = [one_run(vm) for _ in range(repeat)]
    wall = statistics.median(run[0] for run in runs)
    cpu = statistics.median(run[1] for run in runs)
    contract_time = ContractTime()
    with contract_time.measuring(), timed_signatures() as (calls, seconds):
        timed_wall, _, timed_ok = one_run(contract_time.vm())
    floor = sum(seconds.values())
    with_contracts = floor + contract_time.lifecycle + contract_time.wasm
    return {
        "scenario": str(DEFAULT_SCENARIO),
        "simulated_seconds": simulated,
        "repeat": repeat,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "wall_seconds_each": [round(run[0], 2) for run in runs],
        "simulated_per_wall": round(simulated / wall, 1),
        "simulated_per_cpu": round(simulated / cpu, 1),
        "expectations_met": all(run[2] for run in runs) and timed_ok,
        "signature_operations": dict(sorted(calls.items())),
        "signature_seconds": {label: round(value, 3) for label, value in sorted(seconds.items())},
        "signatures_only_seconds": round(floor, 3),
        "signatures_only_simulated_per_wall": round(simulated / floor, 1),
        "wall_over_signatures_ratio": round(wall / floor, 2),
        "contract_calls": contract_time.calls,
        "contract_call_seconds": contract_time.seconds(),
        "signatures_lifecycle_and_wasm_seconds": round(with_contracts, 3),
        "signatures_lifecycle_and_wasm_simulated_per_wall": round(simulated / with_contracts, 1),
        "timed_run_wall_seconds": round(timed_wall, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="untimed-signature runs")
    parser.add_argument("--out", type=Path, default=RESULTS / "quick_start.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        answer_parent(measure(args.repeat))
        return 0
    figures = in_fresh_process(__file__, "--child", f"--repeat={args.repeat}")
    write_results(figures, args.out)
    return 0 if figures["expectations_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
