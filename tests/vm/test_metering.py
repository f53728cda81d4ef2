"""Instrumented code burns CosmWasm's operator costs in wasmtime fuel and computes the same."""

from __future__ import annotations

import wasmtime
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.vm.metering import instrument
from relayer_sim.vm.module_cache import shared_engine

FUEL = 10**9
#: wasmtime charges one unit when the host enters an exported function.
HOST_ENTRY = 1
BRANCH = 14


def metered(wat: str, *args: int) -> tuple[int, object]:
    """Run export ``f`` of the instrumented module; return (fuel burned, result)."""
    engine = shared_engine()
    module = wasmtime.Module(engine, instrument(wasmtime.wat2wasm(wat)))
    store = wasmtime.Store(engine)
    store.set_fuel(FUEL)
    store.set_epoch_deadline(1 << 40)  # the shared engine interrupts stores without a deadline
    linker = wasmtime.Linker(engine)
    linker.define_func("env", "host", wasmtime.FuncType([], []), lambda: None)
    instance = linker.instantiate(store, module)
    function = instance.exports(store)["f"]
    assert isinstance(function, wasmtime.Func)
    result = function(store, *args)
    return FUEL - store.get_fuel(), result


def test_empty_function_pays_its_end() -> None:
    assert metered('(module (func (export "f")))') == (HOST_ENTRY + BRANCH, None)


def test_free_operators_cost_one() -> None:
    wat = '(module (func (export "f") nop i32.const 1 drop block end))'
    # nop, const, drop, block: 1 each; the block's end and the function's end: 14 each.
    assert metered(wat)[0] == HOST_ENTRY + 4 + 2 * BRANCH


def test_calls_cost_fourteen_plus_the_callee() -> None:
    defined = '(module (func $g) (func (export "f") call $g))'
    assert metered(defined)[0] == HOST_ENTRY + BRANCH + BRANCH + BRANCH  # call, g's end, f's end
    imported = '(module (import "env" "host" (func $h)) (func (export "f") call $h))'
    assert metered(imported)[0] == HOST_ENTRY + BRANCH + BRANCH


def test_call_indirect_costs_like_a_call() -> None:
    wat = """(module (type $t (func)) (table 1 funcref) (elem (i32.const 0) $g) (func $g)
      (func (export "f") i32.const 0 call_indirect (type $t)))"""
    assert metered(wat)[0] == HOST_ENTRY + 1 + BRANCH + BRANCH + BRANCH


def test_if_else_and_return() -> None:
    wat = """(module (func (export "f") (param i32) (result i32)
      local.get 0 if (result i32) i32.const 1 else i32.const 2 end return))"""
    # An operator's cost is paid on the path that reaches it in sequence (as wasmer's metering
    # does): the then arm pays the else, the else arm pays the end. get 1, if 14, const 1,
    # else or end 14, return 14.
    assert metered(wat, 1) == (HOST_ENTRY + 1 + BRANCH + 1 + BRANCH + BRANCH, 1)
    assert metered(wat, 0) == (HOST_ENTRY + 1 + BRANCH + 1 + BRANCH + BRANCH, 2)


def test_loop_is_charged_per_iteration() -> None:
    wat = """(module (func (export "f") (param i32) (result i32) (local i32)
      loop local.get 1 i32.const 1 i32.add local.set 1
           local.get 1 local.get 0 i32.lt_u br_if 0 end local.get 1))"""
    for iterations in (1, 5, 50):
        # loop 14; per iteration 7 plain operators and br_if 14; end 14; get 1; function end 14
        expected = HOST_ENTRY + BRANCH + iterations * (7 + BRANCH) + BRANCH + 1 + BRANCH
        assert metered(wat, iterations) == (expected, iterations)


def test_br_table() -> None:
    wat = """(module (func (export "f") (param i32) (result i32)
      block block local.get 0 br_table 0 1 end i32.const 10 return end i32.const 20))"""
    # block, block 1+1; get 1; br_table 14; a branch skips the end it jumps past, then
    # const 1 and return 14, or const 1 and the function's end 14.
    assert metered(wat, 0) == (HOST_ENTRY + 2 + 1 + BRANCH + 1 + BRANCH, 10)
    assert metered(wat, 1) == (HOST_ENTRY + 2 + 1 + BRANCH + 1 + BRANCH, 20)


ARITHMETIC = ["i32.add", "i32.sub", "i32.mul", "i32.and", "i32.or", "i32.xor", "i32.shl"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ARITHMETIC), st.integers(-(2**31), 2**31 - 1))))
def test_straight_line_code_costs_one_per_operator_and_computes_the_same(
    steps: list[tuple[str, int]],
) -> None:
    body = " ".join(f"i32.const {value} {operator}" for operator, value in steps)
    wat = f'(module (func (export "f") (param i32) (result i32) local.get 0 {body}))'
    fuel, result = metered(wat, 7)
    assert fuel == HOST_ENTRY + 1 + 2 * len(steps) + BRANCH
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    plain = wasmtime.Instance(store, wasmtime.Module(engine, wasmtime.wat2wasm(wat)), [])
    function = plain.exports(store)["f"]
    assert isinstance(function, wasmtime.Func)
    assert result == function(store, 7)


def test_only_the_code_section_changes() -> None:
    wat = """(module (memory (export "memory") 1) (data (i32.const 8) "hello")
      (func (export "f") (result i32) i32.const 8 i32.load8_u))"""
    code = wasmtime.wat2wasm(wat)
    instrumented = instrument(code)
    assert instrumented != code and instrumented[:8] == code[:8]
    assert b"hello" in instrumented
    assert metered(wat)[1] == ord("h")
