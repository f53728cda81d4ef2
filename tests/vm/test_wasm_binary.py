"""The wasm reader decodes what wasmtime accepts and refuses broken bytes with MalformedWasm."""

from __future__ import annotations

from itertools import pairwise

import pytest
import wasmtime
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.vm.static_checks import StaticLimits, analyze
from relayer_sim.vm.wasm_binary import (
    FunctionType,
    Limits,
    MalformedWasm,
    Reader,
    encode_u32,
    instructions,
    parse_module,
)

MODULE = wasmtime.wat2wasm(
    """(module
      (type $t (func (param i32) (result i32)))
      (import "env" "db_read" (func $db_read (type $t)))
      (memory (export "memory") 17)
      (table 3 10 funcref)
      (global $g (mut i32) (i32.const 0))
      (func $id (export "id") (type $t) local.get 0)
      (func (export "mix") (param i64) (result i64) (local i32 i64)
        local.get 0 i64.extend32_s
        i32.const 0 i32.const 0 i32.const 0 memory.copy
        i32.const 1 call $id drop
        block (result i64) local.get 0 br 0 end
        i32.const 5 i32.const 6 i32.const 1 select (result i32) drop
        ref.func $id ref.is_null drop
        i64.add)
      (elem declare func $id)
      (data (i32.const 1) "x"))"""
)


def test_sections_are_decoded() -> None:
    module = parse_module(MODULE)
    assert module.types[0] == FunctionType(("i32",), ("i32",))
    assert [(i.module, i.name, i.kind) for i in module.imports] == [("env", "db_read", "func")]
    assert module.memories == [Limits(17, None)]
    assert module.tables == [Limits(3, 10)]
    assert [(e.name, e.kind) for e in module.exports] == [
        ("memory", "memory"),
        ("id", "func"),
        ("mix", "func"),
    ]
    assert module.imported_function_count == 1
    assert module.bodies[1].local_count == 2
    assert module.bodies[1].local_types == {"i32", "i64"}


def test_every_instruction_is_decoded_back_to_back() -> None:
    module = parse_module(MODULE)
    for body in module.bodies:
        decoded = list(instructions(module, body))
        assert decoded[0].start == body.locals_end and decoded[-1].end == body.end
        assert all(a.end == b.start for a, b in pairwise(decoded))
        assert decoded[-1].opcode == 0x0B
    calls = [i.target for i in instructions(module, module.bodies[1]) if i.opcode == 0x10]
    assert calls == [1]


def test_float_instructions_are_recognised() -> None:
    wat = """(module (func (result i32) f32.const 1 i32.trunc_sat_f32_s
      f64.const 2 f64.sqrt drop i32.const 1 i32.add))"""
    module = parse_module(wasmtime.wat2wasm(wat))
    floats = [i.is_float for i in instructions(module, module.bodies[0])]
    assert floats == [True, True, True, True, False, False, False, False]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "magic"),
        (b"\0asm\x02\0\0\0", "version"),
        (b"\0asm\x01\0\0\0\x01\x05\x01\x60", "announced"),
        (b"\0asm\x01\0\0\0\x01\x02\x00\x00", "trailing"),
        (b"\0asm\x01\0\0\0\x01\x04\x01\x61\x00\x00", "0x60"),
        (b"\0asm\x01\0\0\0\x03\x02\x01\x00", "bodies"),
        (b"\0asm\x01\0\0\0\x05\x07\x01\x00\xff\xff\xff\xff\xff", "LEB128"),
    ],
)
def test_malformed_modules_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(MalformedWasm, match=message):
        parse_module(data)


def test_simd_is_refused_by_name() -> None:
    wat = '(module (func (export "f") v128.const i64x2 0 0 drop))'
    module = parse_module(wasmtime.wat2wasm(wat))
    with pytest.raises(MalformedWasm, match="SIMD"):
        list(instructions(module, module.bodies[0]))


@given(st.integers(0, 2**32 - 1))
def test_u32_round_trips(value: int) -> None:
    assert Reader(encode_u32(value)).u32() == value


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_corrupted_modules_never_escape_as_other_errors(data: st.DataObject) -> None:
    """Flip, cut or insert bytes anywhere: the reader answers MalformedWasm or a valid parse,
    and the static checks always answer with a report."""
    code = bytearray(MODULE)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(code) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            code[position] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del code[position:]
            break
        else:
            code.insert(position, data.draw(st.integers(0, 255)))
    corrupted = bytes(code)
    try:
        module = parse_module(corrupted)
        for body in module.bodies:
            list(instructions(module, body))
    except MalformedWasm:
        pass
    report = analyze(corrupted, StaticLimits())
    assert report.code_size == len(corrupted)
