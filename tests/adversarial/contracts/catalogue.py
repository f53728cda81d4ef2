"""The catalogue: one misbehaving contract per behaviour, with the typed outcome it must get.

Each behaviour is a whole CosmWasm-shaped module (``wat.module``) whose entry point does one bad
thing: a bad region to an import, a resource flood, a trap, a broken export, a start function, a
malformed answer. ``outcome`` is the ``VMError`` subclass the call (or ``store_code``) must raise,
or ``CONTRACT_ERROR`` for a call that must end as ``CallResult(ok=False)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from relayer_sim.vm import (
    CodeRejected,
    ContractAborted,
    ContractTrap,
    DeadlineExceeded,
    ImportOutsideCall,
    InvalidExport,
    InvalidResult,
    IteratorError,
    IteratorLimitExceeded,
    MemoryLimitExceeded,
    MissingExport,
    OutOfGas,
    RegionError,
    ResultTooLarge,
    StackOverflow,
    Storage,
    StorageLimitExceeded,
    VMError,
    WasmVM,
    WriteInReadOnlyCall,
    WriteLimitExceeded,
)
from relayer_sim.vm.addresses import Bech32Addresses
from tests.adversarial.contracts.spin import BLS_LOOP, NEXT_KEY_LOOP, PURE_LOOP
from tests.adversarial.contracts.wat import (
    ALLOCATE,
    DATA_ADDRESS,
    HEAP_START,
    escaped,
    module,
    wasm,
)

CONTRACT_ERROR = "contract error"
Outcome = type[VMError] | str

#: Gas of one catalogue call in the tests: enough for every limit below gas to trip first.
TEST_GAS = 50_000_000_000

KIB = 1024
ADDRESS = Bech32Addresses().humanize(bytes(20))
#: A region pointer far beyond the two pages of memory every module starts with.
FAR = "(i32.const 0x7fff0000)"
DATA = f"(i32.const {DATA_ADDRESS})"


@dataclass(frozen=True)
class Behaviour:
    """One misbehaving contract and the outcome the VM must give it."""

    name: str
    wat: str
    outcome: Outcome
    entry: str = "sudo"
    #: Run under a VM whose deadline is this short (seconds), to see the deadline fire.
    deadline: float | None = None
    #: The gas of the call in the tests.
    gas: int = TEST_GAS


def call(expression: str) -> str:
    """An entry body that evaluates ``expression`` for its effect, then answers ok."""
    return f"{expression}\n(call $ok)"


def drop(expression: str) -> str:
    return call(f"(drop {expression})")


def region(offset: int | str, capacity: int | str, length: int | str) -> str:
    return f"(call $raw_region (i32.const {offset}) (i32.const {capacity}) (i32.const {length}))"


def data(length: int) -> str:
    """A region over ``length`` bytes at the data address (what is there does not matter)."""
    return f"(call $region {DATA} (i32.const {length}))"


def filled(byte: int, length: int) -> str:
    """A region over ``length`` fresh bytes all equal to ``byte``."""
    return (
        f"(call $fill (call $buffer (i32.const {length})) (i32.const {byte}) (i32.const {length}))"
    )


def answer(raw: bytes) -> str:
    """A module whose sudo answers the bytes ``raw`` verbatim."""
    return module(f"(call $region {DATA} (i32.const {len(raw)}))", data=escaped(raw))


def bad_region_calls() -> list[Behaviour]:
    """Every import given a region it must refuse."""
    null = "(i32.const 0)"
    return [
        Behaviour("db_read null key", module(drop(f"(call $db_read {null})")), RegionError),
        Behaviour(
            "db_read key beyond memory",
            module(drop(f"(call $db_read {region(0x7FFF0000, 8, 8)})")),
            RegionError,
        ),
        Behaviour(
            "db_read length above capacity",
            module(drop(f"(call $db_read {region(DATA_ADDRESS, 4, 8)})")),
            RegionError,
        ),
        Behaviour(
            "db_read region pointer beyond memory",
            module(drop(f"(call $db_read {FAR})")),
            RegionError,
        ),
        Behaviour(
            "db_write key offset+capacity overflow",
            module(call(f"(call $db_write {region('0xfffffff0', 256, 4)} {data(1)})")),
            RegionError,
        ),
        Behaviour(
            "db_write key too long",
            module(call(f"(call $db_write {filled(1, 64 * KIB + 1)} {data(1)})")),
            StorageLimitExceeded,
        ),
        Behaviour(
            "db_write value too long",
            module(call(f"(call $db_write {data(1)} {filled(1, 128 * KIB + 1)})")),
            StorageLimitExceeded,
        ),
        Behaviour("db_remove null key", module(call(f"(call $db_remove {null})")), RegionError),
        Behaviour(
            "db_scan start beyond memory",
            module(drop(f"(call $db_scan {region(0x7FFF0000, 4, 4)} {null} (i32.const 1))")),
            RegionError,
        ),
        Behaviour(
            "db_scan bad order",
            module(drop(f"(call $db_scan {null} {null} (i32.const 3))")),
            IteratorError,
        ),
        Behaviour(
            "db_next unknown iterator",
            module(drop("(call $db_next (i32.const 7))")),
            IteratorError,
        ),
        Behaviour(
            "db_next_key unknown iterator",
            module(drop("(call $db_next_key (i32.const -1))")),
            IteratorError,
        ),
        Behaviour(
            "db_next_value unknown iterator",
            module(drop("(call $db_next_value (i32.const 0))")),
            IteratorError,
        ),
        Behaviour(
            "addr_validate input too long",
            module(drop(f"(call $addr_validate {filled(0x61, 300)})")),
            RegionError,
        ),
        Behaviour(
            "addr_canonicalize null destination",
            module(
                drop(f"(call $addr_canonicalize {data(len(ADDRESS))} {null})"),
                data=ADDRESS,
            ),
            RegionError,
        ),
        Behaviour(
            "addr_canonicalize destination too small",
            module(
                drop(
                    f"(call $addr_canonicalize {data(len(ADDRESS))} (call $buffer (i32.const 4)))"
                ),
                data=ADDRESS,
            ),
            RegionError,
        ),
        Behaviour(
            "addr_humanize null source",
            module(drop(f"(call $addr_humanize {null} (call $buffer (i32.const 90)))")),
            RegionError,
        ),
        Behaviour(
            "secp256k1_verify hash too long",
            module(drop(f"(call $secp256k1_verify {data(33)} {data(64)} {data(33)})")),
            RegionError,
        ),
        Behaviour(
            "secp256k1_recover_pubkey null signature",
            module(drop(f"(call $secp256k1_recover_pubkey {data(32)} {null} (i32.const 0))")),
            RegionError,
        ),
        Behaviour(
            "ed25519_verify message too long",
            module(
                drop(f"(call $ed25519_verify {filled(0, 128 * KIB + 1)} {data(64)} {data(32)})")
            ),
            RegionError,
        ),
        Behaviour(
            "ed25519_batch_verify truncated sections",
            module(drop(f"(call $ed25519_batch_verify {data(2)} {data(2)} {data(2)})")),
            RegionError,
        ),
        Behaviour(
            "debug message too long",
            module(
                call(f"(call $debug {region(HEAP_START, 2 * 1024 * KIB + 1, 2 * 1024 * KIB + 1)})")
            ),
            RegionError,
        ),
        Behaviour(
            "query_chain request too long",
            module(drop(f"(call $query_chain {filled(0x5B, 64 * KIB + 1)})")),
            RegionError,
        ),
        Behaviour(
            "allocate answers a bad pointer to the host",
            module(
                "(global.set $evil (i32.const 1))\n" + drop(f"(call $db_read {data(1)})"),
                data="k",
                allocate=EVIL_ALLOCATE,
            ),
            RegionError,
        ),
    ]


#: ``allocate`` that works for the VM's arguments, then answers a pointer beyond memory once the
#: entry point has set ``$evil`` (so the host's own write-back is what it breaks).
EVIL_ALLOCATE = (
    ALLOCATE.replace('(export "allocate") ', "")
    + """
  (global $evil (mut i32) (i32.const 0))
  (func (export "allocate") (param $size i32) (result i32)
    (if (result i32) (global.get $evil)
      (then (i32.const 0x7fff0000))
      (else (call $allocate (local.get $size)))))
"""
)


def bad_results() -> list[Behaviour]:
    """Answers the VM must refuse, and the two ways to answer with an error."""
    return [
        Behaviour("result region null", module("(i32.const 0)"), RegionError),
        Behaviour("result region beyond memory", module(FAR), RegionError),
        Behaviour("result region pointer negative", module("(i32.const -1)"), RegionError),
        Behaviour(
            "result larger than 64 MiB",
            module(region(HEAP_START, 100 * 1024 * KIB, 100 * 1024 * KIB)),
            ResultTooLarge,
        ),
        Behaviour("result not JSON", answer(b"not json at all"), InvalidResult),
        Behaviour("result invalid UTF-8", answer(b'{"error":"\xff\xfe"}'), InvalidResult),
        Behaviour("result NaN", answer(b'{"ok":NaN}'), InvalidResult),
        Behaviour("result error not a string", answer(b'{"error":1}'), InvalidResult),
        Behaviour(
            "result nested 50,000 deep",
            module(filled(0x5B, 50_000)),
            InvalidResult,
        ),
        Behaviour("contract error", module("(call $refuse)"), CONTRACT_ERROR),
        Behaviour(
            "query_chain request nested 60,000 deep",
            module(f"(drop (call $query_chain {filled(0x5B, 60_000)}))\n(call $refuse)"),
            CONTRACT_ERROR,
        ),
        Behaviour("abort", module(call(f"(call $abort {data(4)})"), data="boom"), ContractAborted),
    ]


def traps() -> list[Behaviour]:
    return [
        Behaviour("unreachable", module("unreachable"), ContractTrap),
        Behaviour(
            "division by zero",
            module("(drop (i32.div_u (i32.const 1) (i32.const 0))) (call $ok)"),
            ContractTrap,
        ),
        Behaviour(
            "stack overflow",
            module(
                "(call $recurse (i32.const 0))",
                extra="(func $recurse (param i32) (result i32) "
                "(call $recurse (i32.add (local.get 0) (i32.const 1))))",
            ),
            StackOverflow,
        ),
        Behaviour(
            "load beyond memory",
            module("(drop (i32.load (i32.const 0x7ffffff0))) (call $ok)"),
            ContractTrap,
        ),
        Behaviour(
            "indirect call to a null table entry",
            module(
                "(call_indirect (type $answer) (i32.const 0))",
                extra="(type $answer (func (result i32))) (table 1 funcref)",
            ),
            ContractTrap,
        ),
    ]


def resources() -> list[Behaviour]:
    """Floods of every resource gas alone does not bound, and the spinning loops."""
    return [
        Behaviour(
            "memory.grow until refused",
            module(
                "(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))"
                " unreachable"
            ),
            MemoryLimitExceeded,
        ),
        Behaviour(
            "table.grow 2^31 elements",
            module(
                "(if (i32.eq (table.grow $t (ref.null func) (i32.const 0x7fffffff)) (i32.const -1))"
                " (then unreachable)) (call $ok)",
                extra="(table $t 1 funcref)",
            ),
            ContractTrap,
        ),
        Behaviour(
            "128 KiB writes to distinct keys",
            module(
                """
                (local.set $value (call $buffer (i32.const 131072)))
                (local.set $key (call $buffer (i32.const 4)))
                (loop $write
                  (i32.store (i32.load (local.get $key)) (local.get $n))
                  (call $db_write (local.get $key) (local.get $value))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br $write))
                unreachable""",
                locals_="(local $key i32) (local $value i32) (local $n i32)",
            ),
            WriteLimitExceeded,
        ),
        Behaviour(
            "never-closed iterators",
            module(
                "(loop $open (drop (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1)))"
                " (br $open)) unreachable"
            ),
            IteratorLimitExceeded,
        ),
        Behaviour("spin on db_next_key", NEXT_KEY_LOOP, OutOfGas),
        Behaviour("spin on an unimplemented crypto import", BLS_LOOP, OutOfGas),
        Behaviour("pure Wasm loop", PURE_LOOP, OutOfGas),
        Behaviour(
            "debug flood",
            module(
                f"(local.set $message {filled(0x64, KIB)})"
                "(loop $say (call $debug (local.get $message)) (br $say)) unreachable",
                locals_="(local $message i32)",
            ),
            OutOfGas,
        ),
        Behaviour("deadline", PURE_LOOP, DeadlineExceeded, deadline=0.3, gas=10**15),
        Behaviour(
            "db_write in a query",
            module(call(f"(call $db_write {data(1)} {data(1)})"), entry_point="query"),
            WriteInReadOnlyCall,
            entry="query",
        ),
    ]


def bad_code() -> list[Behaviour]:
    """Broken exports and code the static checks refuse."""
    unexported_allocate = ALLOCATE.replace('(export "allocate") ', "")
    nesting = 50_000
    return [
        Behaviour("no allocate", module(allocate=unexported_allocate), CodeRejected),
        Behaviour("no deallocate", module(deallocate=""), CodeRejected),
        Behaviour("no memory export", module(memory="(memory 2)"), CodeRejected),
        Behaviour("no interface version", module(interface=""), CodeRejected),
        Behaviour(
            "memory with a maximum", module(memory='(memory (export "memory") 2 4)'), CodeRejected
        ),
        Behaviour(
            "float instructions",
            module("(drop (f64.add (f64.const 1) (f64.const 2))) (call $ok)"),
            CodeRejected,
        ),
        Behaviour(
            "50,000 nested blocks",
            module("(block " * nesting + ")" * nesting + " (call $ok)"),
            CodeRejected,
        ),
        Behaviour("no entry point", module(entry_point=""), MissingExport),
        Behaviour(
            "allocate returns nothing",
            module(allocate=unexported_allocate + '(func (export "allocate") (param i32))'),
            InvalidExport,
        ),
        Behaviour(
            "allocate returns i64",
            module(
                allocate=unexported_allocate
                + '(func (export "allocate") (param i32) (result i64) (i64.const 0))'
            ),
            InvalidExport,
        ),
        Behaviour(
            "entry returns nothing",
            module(
                entry_point="",
                extra='(func (export "sudo") (param i32 i32))',
            ),
            InvalidExport,
        ),
        Behaviour(
            "entry returns i64",
            module(
                entry_point="",
                extra='(func (export "sudo") (param i32 i32) (result i64) (i64.const 1))',
            ),
            InvalidExport,
        ),
        Behaviour(
            "entry takes three arguments",
            module(
                entry_point="",
                extra='(func (export "sudo") (param i32 i32 i32) (result i32) (call $ok))',
            ),
            InvalidExport,
        ),
    ]


def start_functions() -> list[Behaviour]:
    """Start functions run while instantiating, before the VM knows the memory."""

    def start(body: str) -> str:
        return module(extra=f"(func $start {body}) (start $start)")

    return [
        Behaviour(
            "start function calls db_write",
            start("(call $db_write (i32.const 8) (i32.const 8))"),
            ImportOutsideCall,
        ),
        Behaviour(
            "start function calls debug", start("(call $debug (i32.const 8))"), ImportOutsideCall
        ),
        Behaviour("start function loops forever", start("(loop $l (br $l))"), OutOfGas),
        Behaviour("start function traps", start("unreachable"), ContractTrap),
        Behaviour(
            "data segment beyond memory",
            module(extra='(data (i32.const 0x7ffffff0) "x")'),
            ContractTrap,
        ),
    ]


CATALOGUE: tuple[Behaviour, ...] = (
    *bad_region_calls(),
    *bad_results(),
    *traps(),
    *resources(),
    *bad_code(),
    *start_functions(),
)

ENV = {
    "block": {"height": 7, "time": "1700000000000000000", "chain_id": "host-1"},
    "transaction": None,
    "contract": {"address": "08-wasm-0"},
}


def run(vm: WasmVM, behaviour: Behaviour, storage: Storage, gas: int) -> tuple[Outcome, int | None]:
    """Store the behaviour's code and call its entry point; the outcome and the gas it used."""
    try:
        checksum = vm.store_code(wasm(behaviour.wat))
        entry = vm.query if behaviour.entry == "query" else vm.sudo
        result = entry(checksum, ENV, b"{}", storage, gas)
    except VMError as error:
        return type(error), error.gas_used
    return ("ok" if result.ok else CONTRACT_ERROR), result.gas_used
