"""The CosmWasm gas cost table (cosmwasm-vm 2.1), in CosmWasm gas units.

Wasm execution is metered with wasmtime fuel: the code is instrumented at store time so that one
unit of fuel is exactly one ``GAS_PER_OPERATION`` of CosmWasm's per-operator table (see
``metering``). Host work (imports, crypto, region reads) is charged in gas directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

#: Gas for one ordinary wasm operator; one unit of wasmtime fuel is worth this much gas.
GAS_PER_OPERATION: Final = 115
#: Operators that are branch sources or targets cost this many ordinary operations.
BRANCH_OPERATION_MULTIPLIER: Final = 14

#: CosmWasm's flat cost of entering any import (priced for a Rust host: ~18 ns).
HOST_CALL: Final = 18_000
#: Reading a region (an import argument) from contract memory: base + per byte.
REGION_READ_BASE: Final = 200_000
REGION_READ_PER_BYTE: Final = 115

# What host work costs in *this* VM. An import here runs Python behind wasmtime-py's trampoline,
# three orders of magnitude slower than cosmwasm-vm's Rust, while compiled Wasm runs at
# 1-2.5 * 10^12 gas per second (benchmarks/containment.py measures both in one run). At CosmWasm's
# prices an import loop bought ~1,000 times the wall time of a Wasm loop per gas, so one call could
# run for hours. Each host step is therefore charged at least its measured time at
# HOST_GAS_PER_MICROSECOND, a third to a sixth of Wasm's rate: an import loop runs within a
# small constant (under 10) of pure Wasm, and a contract's gas grows only with its import count.
HOST_GAS_PER_MICROSECOND: Final = 400_000
#: Entering any import (trampoline, context, gas booking): measured 11-18 µs.
IMPORT_CALL: Final = 20 * HOST_GAS_PER_MICROSECOND
#: Reading one region, on top of CosmWasm's region read cost: measured ~8 µs.
HOST_REGION_READ: Final = 8 * HOST_GAS_PER_MICROSECOND
#: Handing a result back: a call into the contract's ``allocate`` (wasmtime-py's ``Func`` call
#: alone is ~35 µs) and the copy: measured 40-80 µs.
HOST_ALLOCATION: Final = 80 * HOST_GAS_PER_MICROSECOND

ED25519_VERIFY: Final = 35_000_000
ED25519_BATCH_VERIFY_BASE: Final = 24_000_000
ED25519_BATCH_VERIFY_PER_SIGNATURE: Final = 21_000_000
SECP256K1_VERIFY: Final = 96_000_000
SECP256K1_RECOVER_PUBKEY: Final = 194_000_000

#: cosmwasm-vm 2.1's base costs of the crypto imports the VM links but does not implement (they
#: answer the generic error): charging them keeps a loop on them as dear as on the real thing.
UNIMPLEMENTED_CRYPTO: Final = MappingProxyType(
    {
        "secp256r1_verify": 279_000_000,
        "secp256r1_recover_pubkey": 592_000_000,
        "bls12_381_aggregate_g1": 68_000_000,
        "bls12_381_aggregate_g2": 103_500_000,
        "bls12_381_hash_to_g1": 563_000_000,
        "bls12_381_hash_to_g2": 871_000_000,
        "bls12_381_pairing_equality": 2_112_000_000,
    }
)


@dataclass(frozen=True)
class ImportCosts:
    """The host-work prices an import charges besides CosmWasm's region and crypto table."""

    call: int = IMPORT_CALL
    region_read: int = HOST_REGION_READ
    allocation: int = HOST_ALLOCATION
    unimplemented_crypto: MappingProxyType[str, int] = field(
        default_factory=lambda: UNIMPLEMENTED_CRYPTO
    )


#: The pricing before containment (CosmWasm's flat 18,000 per import, nothing more), kept so that
#: benchmarks/containment.py measures before and after in one run. Never the default.
UNCONTAINED_IMPORT_COSTS: Final = ImportCosts(
    call=HOST_CALL, region_read=0, allocation=0, unimplemented_crypto=MappingProxyType({})
)


def region_read_cost(length: int) -> int:
    """Gas to copy ``length`` bytes out of contract memory."""
    return REGION_READ_BASE + REGION_READ_PER_BYTE * length


def ed25519_batch_verify_cost(signatures: int) -> int:
    """Gas for a batch verification of ``signatures`` signatures."""
    return ED25519_BATCH_VERIFY_BASE + ED25519_BATCH_VERIFY_PER_SIGNATURE * signatures
