"""Make wasmtime fuel count CosmWasm's per-operator gas table.

wasmtime charges a fixed fuel cost per operator (0 for ``nop``, ``drop``, ``block``, ``loop``,
``unreachable``, ``return``, ``else`` and ``end``; 1 for every other operator; 1 on entering a
function) and wasmtime-py offers no way to change that table. CosmWasm charges 1 unit per operator
and 14 for branch sources and targets. So at store time we put, before each operator, a padding
sequence that costs exactly the difference and does nothing: ``i32.const 0``, then ``i32.eqz``
n-1 times, then ``drop`` burns n fuel, leaves the stack as it was and compiles to no machine code.

With the padding, one unit of fuel is one CosmWasm operation (``GAS_PER_OPERATION`` gas). The one
approximation: a call through a table is padded as a call to a defined function, which is charged
one unit on entry; if the table entry is an imported function, that unit is not charged.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from relayer_sim.vm.gas_costs import BRANCH_OPERATION_MULTIPLIER
from relayer_sim.vm.wasm_binary import (
    OP_BLOCK,
    OP_BR,
    OP_BR_IF,
    OP_BR_TABLE,
    OP_CALL,
    OP_CALL_INDIRECT,
    OP_DROP,
    OP_ELSE,
    OP_END,
    OP_IF,
    OP_LOOP,
    OP_NOP,
    OP_RETURN,
    OP_UNREACHABLE,
    SECTION_CODE,
    FunctionBody,
    WasmModule,
    encode_u32,
    instructions,
    parse_module,
)

#: Changes whenever instrumented code could change; part of the module cache key.
METERING_VERSION: Final = "fuel-padding-1"

#: Operators wasmtime charges no fuel for.
_FREE_IN_WASMTIME: Final = frozenset(
    {OP_NOP, OP_DROP, OP_BLOCK, OP_LOOP, OP_UNREACHABLE, OP_RETURN, OP_ELSE, OP_END}
)
#: Operators CosmWasm charges ``BRANCH_OPERATION_MULTIPLIER`` operations for.
_BRANCH_OPERATORS: Final = frozenset(
    {
        OP_LOOP,
        OP_END,
        OP_IF,
        OP_ELSE,
        OP_BR,
        OP_BR_IF,
        OP_BR_TABLE,
        OP_CALL,
        OP_CALL_INDIRECT,
        OP_RETURN,
    }
)
#: wasmtime charges one unit on entering a defined function; the call pays it.
_ENTRY_FUEL: Final = 1


def cosmwasm_operations(opcode: int) -> int:
    """CosmWasm's cost of one operator, in operations (each worth ``GAS_PER_OPERATION`` gas)."""
    return BRANCH_OPERATION_MULTIPLIER if opcode in _BRANCH_OPERATORS else 1


def padding_fuel(opcode: int, calls_import: bool) -> int:
    """Fuel to add before an operator so that wasmtime charges what CosmWasm charges."""
    native = 0 if opcode in _FREE_IN_WASMTIME else 1
    if opcode in (OP_CALL, OP_CALL_INDIRECT) and not calls_import:
        native += _ENTRY_FUEL
    return cosmwasm_operations(opcode) - native


def padding(fuel: int) -> bytes:
    """A stack-neutral instruction sequence that burns exactly ``fuel`` units."""
    if fuel <= 0:
        return b""
    return b"\x41\x00" + b"\x45" * (fuel - 1) + b"\x1a"


def instrument(code: bytes) -> bytes:
    """``code`` with every function body padded; other sections are copied byte for byte.

    ``code`` must already have passed the static checks (``MalformedWasm`` otherwise).
    """
    module = parse_module(code)
    out = bytearray(code[:8])
    for section in module.sections:
        payload = (
            _instrumented_code_section(module)
            if section.id == SECTION_CODE
            else code[section.start : section.end]
        )
        out += bytes([section.id]) + encode_u32(len(payload)) + payload
    return bytes(out)


def _instrumented_code_section(module: WasmModule) -> bytes:
    out = bytearray(encode_u32(len(module.bodies)))
    for body in module.bodies:
        padded = _instrumented_body(module, body)
        out += encode_u32(len(padded)) + padded
    return bytes(out)


@cache
def _padding_before(opcode: int, calls_import: bool) -> bytes:
    """``padding_fuel`` as bytes, computed once per operator kind (a body has millions)."""
    return padding(padding_fuel(opcode, calls_import))


def _instrumented_body(module: WasmModule, body: FunctionBody) -> bytes:
    imported = module.imported_function_count
    data = module.data
    out = bytearray(data[body.start : body.locals_end])
    for start, end, opcode, _sub, target in instructions(module, body):
        out += _padding_before(opcode, target is not None and target < imported)
        out += data[start:end]
    return bytes(out)
