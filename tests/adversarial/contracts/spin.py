"""Contracts that do nothing but burn gas: the yardsticks of wall time per gas.

A pure-Wasm loop is what gas prices are calibrated on; an import loop must not buy much more
wall time with the same gas, whatever import it spins on.
"""

from __future__ import annotations

from tests.adversarial.contracts.wat import module

PURE_LOOP = module("(loop $spin (br $spin)) unreachable")

#: ``db_next_key`` on an iterator over an empty range: the cheapest storage import.
NEXT_KEY_LOOP = module(
    """
    (local.set $it (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1)))
    (loop $spin (drop (call $db_next_key (local.get $it))) (br $spin))
    unreachable""",
    locals_="(local $it i32)",
)

#: An unimplemented crypto import: it reads nothing and answers the generic error.
BLS_LOOP = module(
    """
    (loop $spin
      (drop (call $bls12_381_hash_to_g1 (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
      (br $spin))
    unreachable"""
)

#: ``addr_validate`` on a one-byte address: a region read, then a contract-visible error region.
ADDRESS_LOOP = module(
    """
    (local.set $source (call $region (i32.const 0x200) (i32.const 1)))
    (loop $spin (drop (call $addr_validate (local.get $source))) (br $spin))
    unreachable""",
    locals_="(local $source i32)",
    data="x",
)

IMPORT_LOOPS = {
    "db_next_key": NEXT_KEY_LOOP,
    "bls12_381_hash_to_g1": BLS_LOOP,
    "addr_validate": ADDRESS_LOOP,
}
