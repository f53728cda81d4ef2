"""What the real-format state commitment costs as a store grows: JSON out.

The counterparty of the ``tendermint`` format will keep its state in an IAVL-shaped tree under
the SDK's multistore (``relayer_sim.formats.iavl`` and ``multistore``). A commitment that
re-hashed its whole state per block made long runs quadratic; this measures, at 10^2, 10^4 and
10^6 keys, one block's commit (ten writes, then ``save_version`` and the app hash over the
stores) and one key's proof (existence and non-existence, chained to the app hash), with each
figure's ratio to the smallest store's, taken in the same run. Flat ratios mean O(log n).

Usage: ``python benchmarks/state_commitment.py [--sizes 100,10000,1000000] [--repeat N]
[--out FILE]`` (default ``benchmarks/results/state_commitment.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from measure import RESULTS, median_seconds, write_results

from relayer_sim.formats.iavl import IavlTree
from relayer_sim.formats.multistore import app_hash, chain_proof

#: Writes in one simulated block (a few packet commitments and a client update's keys).
WRITES_PER_BLOCK = 10
#: The other stores of an SDK chain, whose roots the app hash also covers.
OTHER_STORES = ("acc", "bank", "staking", "gov", "upgrade", "params")


def key(index: int) -> bytes:
    return b"commitments/" + hashlib.sha256(index.to_bytes(8, "big")).digest()


def measure_size(size: int, repeat: int) -> dict[str, float]:
    build_start = time.perf_counter()
    tree = IavlTree()
    for index in range(size):
        tree.set(key(index), index.to_bytes(8, "big") * 4)
    tree.save_version()
    build_seconds = time.perf_counter() - build_start
    stores = {name: hashlib.sha256(name.encode()).digest() for name in OTHER_STORES}
    next_index = size

    def commit_block() -> None:
        nonlocal next_index
        for _ in range(WRITES_PER_BLOCK):
            tree.set(key(next_index), b"v" * 32)
            next_index += 1
        _, root = tree.save_version()
        tree.prune(tree.version)
        app_hash({**stores, "ibc": root})

    present = key(size // 2)
    absent = present + b"\x00"

    def prove() -> None:
        roots = {**stores, "ibc": tree.root_hash()}
        chain_proof(tree.existence_proof(present, tree.version), roots)
        chain_proof(tree.non_existence_proof(absent, tree.version), roots)

    return {
        "build_seconds": round(build_seconds, 2),
        "commit_block_ms": round(median_seconds(commit_block, repeat) * 1e3, 3),
        "prove_ms": round(median_seconds(prove, repeat) * 1e3, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,1000000")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS / "state_commitment.json")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    figures = {str(size): measure_size(size, args.repeat) for size in sizes}
    baseline = figures[str(sizes[0])]
    for size in sizes:
        entry = figures[str(size)]
        entry["commit_ratio"] = round(entry["commit_block_ms"] / baseline["commit_block_ms"], 2)
        entry["prove_ratio"] = round(entry["prove_ms"] / baseline["prove_ms"], 2)
    write_results({"writes_per_block": WRITES_PER_BLOCK, "sizes": figures}, args.out)


if __name__ == "__main__":
    main()
