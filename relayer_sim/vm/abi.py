"""The CosmWasm contract ABI (interface_version_8) as data: the one place that names it.

The static checks, the import linker and ``contract check`` all read these tables, so the set of
imports a contract may use and the set the VM links can never drift apart.
"""

from __future__ import annotations

from typing import Final, Literal

WasmType = Literal["i32", "i64"]

#: Every import the VM links, with its ``(params, results)`` signature (module ``env``).
SUPPORTED_IMPORTS: Final[dict[str, tuple[tuple[WasmType, ...], tuple[WasmType, ...]]]] = {
    "db_read": (("i32",), ("i32",)),
    "db_write": (("i32", "i32"), ()),
    "db_remove": (("i32",), ()),
    "db_scan": (("i32", "i32", "i32"), ("i32",)),
    "db_next": (("i32",), ("i32",)),
    "db_next_key": (("i32",), ("i32",)),
    "db_next_value": (("i32",), ("i32",)),
    "addr_validate": (("i32",), ("i32",)),
    "addr_canonicalize": (("i32", "i32"), ("i32",)),
    "addr_humanize": (("i32", "i32"), ("i32",)),
    "secp256k1_verify": (("i32", "i32", "i32"), ("i32",)),
    "secp256k1_recover_pubkey": (("i32", "i32", "i32"), ("i64",)),
    "ed25519_verify": (("i32", "i32", "i32"), ("i32",)),
    "ed25519_batch_verify": (("i32", "i32", "i32"), ("i32",)),
    "debug": (("i32",), ()),
    "abort": (("i32",), ()),
    "query_chain": (("i32",), ("i32",)),
    # Linked so that contracts built against cosmwasm-std 2.1 load; they answer the generic error.
    "bls12_381_aggregate_g1": (("i32", "i32"), ("i32",)),
    "bls12_381_aggregate_g2": (("i32", "i32"), ("i32",)),
    "bls12_381_pairing_equality": (("i32", "i32", "i32", "i32"), ("i32",)),
    "bls12_381_hash_to_g1": (("i32", "i32", "i32", "i32"), ("i32",)),
    "bls12_381_hash_to_g2": (("i32", "i32", "i32", "i32"), ("i32",)),
    "secp256r1_verify": (("i32", "i32", "i32"), ("i32",)),
    "secp256r1_recover_pubkey": (("i32", "i32", "i32"), ("i64",)),
}

#: The imports that exist only to let such contracts load; calling them yields the generic error.
UNIMPLEMENTED_CRYPTO_IMPORTS: Final[frozenset[str]] = frozenset(
    name for name in SUPPORTED_IMPORTS if name.startswith(("bls12_381_", "secp256r1_"))
)

IMPORT_MODULE: Final = "env"

#: The only interface version the VM runs; any other ``interface_version_*`` export is rejected.
SUPPORTED_INTERFACE_VERSION: Final = "interface_version_8"
INTERFACE_VERSION_PREFIX: Final = "interface_version_"

#: Capabilities a contract may require through a ``requires_<capability>`` export.
SUPPORTED_CAPABILITIES: Final[frozenset[str]] = frozenset(
    {
        "iterator",
        "stargate",
        "staking",
        "cosmwasm_1_1",
        "cosmwasm_1_2",
        "cosmwasm_1_3",
        "cosmwasm_1_4",
        "cosmwasm_2_0",
        "cosmwasm_2_1",
    }
)
CAPABILITY_EXPORT_PREFIX: Final = "requires_"

#: Exports every contract must have (the entry points are checked when called).
REQUIRED_EXPORTS: Final[tuple[str, ...]] = ("allocate", "deallocate")

#: Entry points and their number of region-pointer arguments.
ENTRY_POINT_ARITY: Final[dict[str, int]] = {
    "instantiate": 3,
    "query": 2,
    "sudo": 2,
    "migrate": 2,
}

#: Crypto import return codes (cosmwasm-crypto ``CryptoError::code``).
CRYPTO_VALID: Final = 0
CRYPTO_INVALID: Final = 1
CRYPTO_ERR_HASH_FORMAT: Final = 3
CRYPTO_ERR_SIGNATURE_FORMAT: Final = 4
CRYPTO_ERR_PUBKEY_FORMAT: Final = 5
CRYPTO_ERR_RECOVERY_PARAM: Final = 6
CRYPTO_ERR_BATCH: Final = 7
CRYPTO_ERR_GENERIC: Final = 10

#: db_scan order argument.
ORDER_ASCENDING: Final = 1
ORDER_DESCENDING: Final = 2
