"""What the counterparty's state commitment costs as a store grows, in both wire formats: JSON out.

The counterparty keeps its state behind the wire seam's ``ChainState`` (``relayer_sim.counterparty
.wire``): ``sim-tendermint`` (``AppState``, a sorted-leaf Merkle tree) and ``tendermint``
(``MultiStoreState``, IAVL stores under the SDK multistore). For each wire, at 10^2, 10^4 and 10^6
keys in the ``ibc`` store, this measures what the chain calls per block (ten changes: five packet
commitments written, the five oldest deleted, so the store keeps its size; then ``commit`` of the
next height and ``prune`` of the heights before it) and what a relayer asks for
(one membership and one non-membership ``prove`` of an ``ibc`` key at the latest height), each
figure with its ratio to the same wire's smallest store, taken in the same run. A cost that grows
with the tree's height has ratios near log2(n) / log2(10^2): 2 at 10^4, 3 at 10^6.

The store is filled through ``write`` (one call per key) and committed once; how long that took
is reported as ``fill_seconds`` and ``first_commit_seconds``. Each figure is a median over
``--repeat`` runs, fewer when a single run is slow (about ``--budget`` seconds per figure, never
fewer than three). Each wire and size is measured in a fresh process, whose peak RSS (the filled
store, plus the snapshots a wire keeps while measured) is reported too.

Usage: ``python benchmarks/state_commitment.py [--sizes 100,10000,1000000]
[--wires sim-tendermint,tendermint] [--repeat N] [--budget SECONDS] [--out FILE]`` (default
``benchmarks/results/state_commitment.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from measure import RESULTS, answer_parent, in_fresh_process, median_seconds, write_results

from relayer_sim.counterparty.wire import WIRE_FORMATS, KeyPath, new_wire
from relayer_sim.lightclient.headers import Height

#: Changes in one simulated block: half new packet commitments, half the oldest ones deleted (as
#: an acknowledgement deletes them in ibc-go), so that the store keeps its size while measured.
WRITES_PER_BLOCK = 10
REVISION = 1


def packet_path(sequence: int) -> KeyPath:
    """The ``ibc`` store key of a packet commitment, as the chain writes it."""
    key = f"commitments/ports/transfer/channels/channel-0/sequences/{sequence}"
    return (b"ibc", key.encode())


def commitment(sequence: int) -> bytes:
    return hashlib.sha256(sequence.to_bytes(8, "big")).digest()


def median_ms(action: Callable[[], object], repeat: int, budget: float) -> tuple[float, int]:
    """(median milliseconds, runs timed): ``repeat`` runs, fewer if one takes a large share of
    ``budget`` seconds (at least three)."""
    started = time.perf_counter()
    action()
    probe = time.perf_counter() - started
    runs = max(3, min(repeat, int(budget / max(probe, 1e-9))))
    return round(median_seconds(action, runs) * 1e3, 3), runs


def measure_size(wire: str, size: int, repeat: int, budget: float) -> dict[str, object]:
    state = new_wire(wire).new_state()
    started = time.perf_counter()
    for sequence in range(size):
        state.write(packet_path(sequence), commitment(sequence))
    filled = time.perf_counter()
    height = 1
    state.commit(Height(REVISION, height))
    fill_seconds = filled - started
    first_commit_seconds = time.perf_counter() - filled
    oldest, next_sequence = 0, size  # the store holds sequences oldest .. next_sequence - 1

    def commit_block() -> None:
        nonlocal height, oldest, next_sequence
        for _ in range(WRITES_PER_BLOCK // 2):
            state.write(packet_path(next_sequence), commitment(next_sequence))
            state.delete(packet_path(oldest))
            next_sequence += 1
            oldest += 1
        height += 1
        state.commit(Height(REVISION, height))
        state.prune(Height(REVISION, height))

    commit_ms, commit_runs = median_ms(commit_block, repeat, budget)
    present = packet_path(oldest + size // 2)
    absent = (present[0], present[1] + b"\x00")  # between two keys: both neighbours proven

    def prove_present() -> None:
        state.prove(present, Height(REVISION, height))

    def prove_absent() -> None:
        state.prove(absent, Height(REVISION, height))

    present_ms, present_runs = median_ms(prove_present, repeat, budget)
    absent_ms, absent_runs = median_ms(prove_absent, repeat, budget)
    figures: dict[str, object] = {
        "fill_seconds": round(fill_seconds, 3),
        "first_commit_seconds": round(first_commit_seconds, 3),
        "commit_block_ms": commit_ms,
        "prove_membership_ms": present_ms,
        "prove_non_membership_ms": absent_ms,
        "runs": {"commit": commit_runs, "membership": present_runs, "non_membership": absent_runs},
    }
    print(
        f"{wire:<15} {size:>9} keys  fill {fill_seconds:7.2f} s + {first_commit_seconds:6.2f} s"
        f"  block {commit_ms:10.3f} ms  prove {present_ms:9.3f} / {absent_ms:9.3f} ms",
        file=sys.stderr,
        flush=True,
    )
    return figures


def with_ratios(figures: dict[str, dict[str, object]], sizes: list[int]) -> None:
    """Add each figure's ratio to the smallest size's, and log2(n)/log2(smallest) to compare."""
    baseline = figures[str(sizes[0])]
    for size in sizes:
        entry = figures[str(size)]
        for name in ("commit_block", "prove_membership", "prove_non_membership"):
            value, base = entry[f"{name}_ms"], baseline[f"{name}_ms"]
            assert isinstance(value, float) and isinstance(base, float)
            entry[f"{name}_ratio"] = round(value / base, 2)
        entry["log_ratio"] = round(math.log2(size) / math.log2(sizes[0]), 2)


def measure_apart(wire: str, size: int, repeat: int, budget: float) -> dict[str, object]:
    """``measure_size`` in a fresh process: no other store's objects linger in its memory (the
    garbage collector would walk them during the fill), and its peak RSS is this store's."""
    options = [f"--repeat={repeat}", f"--budget={budget}"]
    figures: dict[str, object] = in_fresh_process(__file__, "--one", wire, str(size), *options)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,1000000")
    parser.add_argument("--wires", default=",".join(WIRE_FORMATS))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--budget", type=float, default=5.0, help="seconds per figure, about")
    parser.add_argument("--out", type=Path, default=RESULTS / "state_commitment.json")
    parser.add_argument("--one", nargs=2, metavar=("WIRE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        wire, size = args.one
        figures = measure_size(wire, int(size), args.repeat, args.budget)
        figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        answer_parent(figures)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    wires: dict[str, dict[str, dict[str, object]]] = {}
    for wire in args.wires.split(","):
        figures_by_size: dict[str, dict[str, object]] = {}
        for size in sizes:
            figures_by_size[str(size)] = measure_apart(wire, size, args.repeat, args.budget)
        with_ratios(figures_by_size, sizes)
        wires[wire] = figures_by_size
    write_results(
        {"block": "5 writes + 5 deletes, commit, prune", "store": "ibc", "wires": wires}, args.out
    )


if __name__ == "__main__":
    main()
