"""The CosmWasm gas cost table (cosmwasm-vm 2.1), in CosmWasm gas units.

Wasm execution is metered with wasmtime fuel: the code is instrumented at store time so that one
unit of fuel is exactly one ``GAS_PER_OPERATION`` of CosmWasm's per-operator table (see
``metering``). Host work (imports, crypto, region reads) is charged in gas directly.
"""

from __future__ import annotations

from typing import Final

#: Gas for one ordinary wasm operator; one unit of wasmtime fuel is worth this much gas.
GAS_PER_OPERATION: Final = 115
#: Operators that are branch sources or targets cost this many ordinary operations.
BRANCH_OPERATION_MULTIPLIER: Final = 14

#: Flat cost of entering any import.
HOST_CALL: Final = 18_000
#: Reading a region (an import argument) from contract memory: base + per byte.
REGION_READ_BASE: Final = 200_000
REGION_READ_PER_BYTE: Final = 115

ED25519_VERIFY: Final = 35_000_000
ED25519_BATCH_VERIFY_BASE: Final = 24_000_000
ED25519_BATCH_VERIFY_PER_SIGNATURE: Final = 21_000_000
SECP256K1_VERIFY: Final = 96_000_000
SECP256K1_RECOVER_PUBKEY: Final = 194_000_000


def region_read_cost(length: int) -> int:
    """Gas to copy ``length`` bytes out of contract memory."""
    return REGION_READ_BASE + REGION_READ_PER_BYTE * length


def ed25519_batch_verify_cost(signatures: int) -> int:
    """Gas for a batch verification of ``signatures`` signatures."""
    return ED25519_BATCH_VERIFY_BASE + ED25519_BATCH_VERIFY_PER_SIGNATURE * signatures
