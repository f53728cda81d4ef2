"""A CosmWasm-shaped module in WAT around one misbehaving entry point.

Every module of the catalogue shares this frame: one exported memory, a bump ``allocate`` that
grows memory when it must, a no-op ``deallocate``, ``interface_version_8``, every import the VM
links, and helpers to build regions and answer. A behaviour replaces only the parts it breaks.
"""

from __future__ import annotations

import wasmtime

from relayer_sim.vm.abi import IMPORT_MODULE, SUPPORTED_IMPORTS

#: Where the static answers live in memory (first page, below the heap).
OK_ADDRESS = 0x100
ERROR_ADDRESS = 0x180
DATA_ADDRESS = 0x200
HEAP_START = 0x10000

OK_SUDO = '{"ok":{"messages":[],"attributes":[],"events":[],"data":null}}'
ERROR_ANSWER = '{"error":"refused"}'

ALLOCATE = """
  (func $allocate (export "allocate") (param $size i32) (result i32)
    (local $region i32) (local $stop i32)
    (local.set $region (global.get $heap))
    (local.set $stop (i32.add (i32.add (local.get $region) (i32.const 12)) (local.get $size)))
    (block $fits
      (br_if $fits (i32.le_u (local.get $stop) (i32.shl (memory.size) (i32.const 16))))
      (br_if $fits (i32.ne (i32.const -1) (memory.grow (i32.add (i32.const 1) (i32.shr_u
        (i32.sub (local.get $stop) (i32.shl (memory.size) (i32.const 16))) (i32.const 16))))))
      unreachable)
    (i32.store (local.get $region) (i32.add (local.get $region) (i32.const 12)))
    (i32.store offset=4 (local.get $region) (local.get $size))
    (i32.store offset=8 (local.get $region) (i32.const 0))
    (global.set $heap (i32.and (i32.add (local.get $stop) (i32.const 7)) (i32.const -8)))
    (local.get $region))
"""
DEALLOCATE = '(func (export "deallocate") (param i32))'
MEMORY = '(memory (export "memory") 2)'
ENTRY_SIGNATURES = {
    "instantiate": "(param $env i32) (param $info i32) (param $msg i32) (result i32)",
    "sudo": "(param $env i32) (param $msg i32) (result i32)",
    "query": "(param $env i32) (param $msg i32) (result i32)",
    "migrate": "(param $env i32) (param $msg i32) (result i32)",
}

HELPERS = f"""
  (global $heap (mut i32) (i32.const {HEAP_START}))
  ;; A region header with any fields, consistent or not.
  (func $raw_region (param $offset i32) (param $capacity i32) (param $length i32) (result i32)
    (local $pointer i32)
    (local.set $pointer (call $allocate (i32.const 0)))
    (i32.store (local.get $pointer) (local.get $offset))
    (i32.store offset=4 (local.get $pointer) (local.get $capacity))
    (i32.store offset=8 (local.get $pointer) (local.get $length))
    (local.get $pointer))
  ;; A region over bytes already in memory.
  (func $region (param $offset i32) (param $length i32) (result i32)
    (call $raw_region (local.get $offset) (local.get $length) (local.get $length)))
  ;; A fresh buffer of $length bytes (zeroed by memory.grow or left over), as a full region.
  (func $buffer (param $length i32) (result i32)
    (local $pointer i32)
    (local.set $pointer (call $allocate (local.get $length)))
    (i32.store offset=8 (local.get $pointer) (local.get $length))
    (local.get $pointer))
  ;; The region, after filling its first $length bytes with $byte.
  (func $fill (param $region i32) (param $byte i32) (param $length i32) (result i32)
    (memory.fill (i32.load (local.get $region)) (local.get $byte) (local.get $length))
    (local.get $region))
  (func $ok (result i32) (call $region (i32.const {OK_ADDRESS}) (i32.const {len(OK_SUDO)})))
  (func $refuse (result i32)
    (call $region (i32.const {ERROR_ADDRESS}) (i32.const {len(ERROR_ANSWER)})))
  (data (i32.const {OK_ADDRESS}) "{OK_SUDO.replace('"', chr(92) + '"')}")
  (data (i32.const {ERROR_ADDRESS}) "{ERROR_ANSWER.replace('"', chr(92) + '"')}")
"""


def imports() -> str:
    """Every import the VM links, as ``$name`` functions."""
    lines = []
    for name, (params, results) in SUPPORTED_IMPORTS.items():
        param = f"(param {' '.join(params)})" if params else ""
        result = f"(result {' '.join(results)})" if results else ""
        lines.append(f'  (import "{IMPORT_MODULE}" "{name}" (func ${name} {param} {result}))')
    return "\n".join(lines)


def entry(body: str, name: str = "sudo", locals_: str = "") -> str:
    """An exported entry point whose body is ``body`` (it must leave the result pointer)."""
    return f'(func (export "{name}") {ENTRY_SIGNATURES[name]} {locals_}\n{body})'


def module(
    body: str = "(call $ok)",
    *,
    entry_point: str = "sudo",
    locals_: str = "",
    extra: str = "",
    data: str = "",
    memory: str = MEMORY,
    allocate: str = ALLOCATE,
    deallocate: str = DEALLOCATE,
    interface: str = '(func (export "interface_version_8"))',
) -> str:
    """The WAT of a catalogue module; each keyword replaces one part of the frame."""
    return "\n".join(
        [
            "(module",
            imports(),
            memory,
            HELPERS,
            allocate,
            deallocate,
            interface,
            entry(body, entry_point, locals_) if entry_point else "",
            extra,
            f'(data (i32.const {DATA_ADDRESS}) "{data}")' if data else "",
            ")",
        ]
    )


def escaped(data: bytes) -> str:
    """``data`` as the body of a WAT string literal."""
    return "".join(f"\\{byte:02x}" for byte in data)


def wasm(wat: str) -> bytes:
    """The binary of ``wat``."""
    return wasmtime.wat2wasm(wat)
