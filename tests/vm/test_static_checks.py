"""Each static check of cosmwasm-vm 2.1 refuses what it must, with a reason naming the problem."""

from __future__ import annotations

import pytest
import wasmtime

from relayer_sim.vm import StaticLimits, analyze

ABI = """
  (memory (export "memory") 1)
  (func (export "allocate") (param i32) (result i32) i32.const 0)
  (func (export "deallocate") (param i32))
  (func (export "interface_version_8"))
"""


def module(extra: str = "", abi: str = ABI) -> bytes:
    return wasmtime.wat2wasm(f"(module {abi} {extra})")


def reasons(code: bytes, limits: StaticLimits | None = None) -> tuple[str, ...]:
    return analyze(code, limits or StaticLimits()).reasons


def test_a_minimal_contract_passes_and_is_described() -> None:
    report = analyze(module('(func (export "requires_iterator"))'), StaticLimits())
    assert report.ok
    assert report.interface_version == "interface_version_8"
    assert report.required_capabilities == ("iterator",)
    assert report.memory_initial_pages == 1 and report.memory_maximum_pages is None
    assert report.function_count == 4  # the ABI's three and requires_iterator


IMPORT = '(import "env" "{name}" (func (param {params}) (result {result})))'

CASES: list[tuple[str, str, str]] = [
    ("memory limits", ABI.replace('"memory") 1', '"memory") 513'), "513 pages"),
    ("memory maximum", ABI.replace('"memory") 1', '"memory") 1 2'), "maximum"),
    ("no memory", ABI.replace('(memory (export "memory") 1)', ""), "exactly one memory"),
    ("memory not exported", ABI.replace('(export "memory")', ""), "export its memory"),
    ("two tables", ABI + "(table 1 funcref) (table 1 funcref)", "2 tables"),
    ("big table", ABI + "(table 2501 funcref)", "2501 elements"),
    ("table maximum", ABI + "(table 1 3000 funcref)", "3000 elements"),
    ("no allocate", ABI.replace('(export "allocate")', ""), "'allocate'"),
    ("no deallocate", ABI.replace('(export "deallocate")', ""), "'deallocate'"),
    ("no interface", ABI.replace('(export "interface_version_8")', ""), "missing the marker"),
    ("old interface", ABI.replace("interface_version_8", "interface_version_7"), "unsupported"),
    ("two interfaces", ABI + '(func (export "interface_version_9"))', "more than one"),
    ("capability", ABI + '(func (export "requires_teleport"))', "'teleport'"),
    ("unknown import", '(import "env" "launch" (func))' + ABI, "env.launch"),
    ("other module", '(import "wasi" "db_read" (func (param i32) (result i32)))' + ABI, "wasi"),
    ("wrong signature", '(import "env" "db_read" (func (param i64) (result i32)))' + ABI, "i64"),
    ("global import", '(import "env" "g" (global i32))' + ABI, "only functions"),
    ("float", ABI + "(func (result f64) f64.const 1 f64.const 2 f64.add)", "float"),
    (
        "float trunc",
        ABI + "(func (result i32) i32.const 0 f32.convert_i32_s drop i32.const 0)",
        "float",
    ),
    ("two results", ABI + "(func (result i32 i32) i32.const 0 i32.const 0)", "returns 2 values"),
    ("simd", ABI + "(func v128.const i64x2 0 0 drop)", "SIMD"),
]


@pytest.mark.parametrize(("wat", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_check_names_its_problem(wat: str, fragment: str) -> None:
    found = reasons(module(abi=wat))
    assert len(found) == 1, found
    assert fragment in found[0]


def test_function_count_and_parameter_limits() -> None:
    many = ABI + "(func)" * 20
    assert "23 functions" in reasons(module(abi=many), StaticLimits(max_functions=22))[0]
    params = " ".join(["i32"] * 101)
    wide = ABI + f"(func (param {params}))"
    assert "101 parameters" in reasons(module(abi=wide))[0]
    total = ABI + f"(func (param {' '.join(['i32'] * 60)}))" * 2
    assert (
        "122 function parameters"
        in reasons(module(abi=total), StaticLimits(max_total_function_params=100))[0]
    )


def test_too_many_imports() -> None:
    imports = '(import "env" "debug" (func (param i32)))' * 101
    found = reasons(module(abi=imports + ABI))
    assert found == ("101 imports; at most 100 allowed",)


def test_locals_limit_is_off_by_default_and_can_be_set() -> None:
    code = module("(func (local i64 i64 i64) i64.const 0 drop)")
    assert reasons(code) == ()
    assert "declares 3 locals" in reasons(code, StaticLimits(max_function_locals=2))[0]


def test_code_size_limit() -> None:
    code = module()
    assert "limit is 10" in reasons(code, StaticLimits(max_code_size=10))[0]


def test_many_reasons_are_all_reported() -> None:
    wat = '(import "env" "nope" (func)) (memory 600 700) (func (result f32) f32.const 1)'
    found = " | ".join(reasons(module(abi=wat)))
    for fragment in ("env.nope", "600 pages", "maximum", "'allocate'", "marker", "float"):
        assert fragment in found
