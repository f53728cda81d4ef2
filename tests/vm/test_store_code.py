"""store_code: what it accepts (raw, gzip) and what it refuses, with reasons."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
import wasmtime

from relayer_sim.vm import CodeRejected, MemoryStorage, UnknownChecksum, WasmVM
from relayer_sim.vm.static_checks import StaticLimits
from tests.conftest import ENV, GAS, contract_bytes

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def fresh_vm() -> WasmVM:
    return WasmVM(disk_cache=False)


def test_checksum_is_sha256_of_the_raw_wasm(fresh_vm: WasmVM) -> None:
    code = contract_bytes("probe")
    assert fresh_vm.store_code(code) == hashlib.sha256(code).digest()


def test_gzip_code_is_accepted_and_has_the_raw_checksum(fresh_vm: WasmVM) -> None:
    code = contract_bytes("probe")
    checksum = fresh_vm.store_code(gzip.compress(code, mtime=0))
    assert checksum == hashlib.sha256(code).digest()
    assert fresh_vm.code(checksum) == code
    assert fresh_vm.sudo(checksum, ENV, b'{"echo":{"data":""}}', MemoryStorage(), GAS).ok


def test_storing_twice_is_idempotent(fresh_vm: WasmVM) -> None:
    code = contract_bytes("probe")
    assert fresh_vm.store_code(code) == fresh_vm.store_code(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (b"", "magic"),
        (b"\x7fELF" + b"\0" * 100, "magic"),
        (b"\x1f\x8b\x08garbage", "invalid gzip"),
        (gzip.compress(b"\0" * (3 * MIB + 1)), "inflates to more than"),
        (gzip.compress(contract_bytes("probe"))[:-20], "gzip"),
        (b"\0asm\x01\0\0\0" + b"\0" * (3 * MIB), "limit"),
    ],
)
def test_rejected_code_names_the_reason(fresh_vm: WasmVM, code: bytes, reason: str) -> None:
    with pytest.raises(CodeRejected, match=reason) as rejected:
        fresh_vm.store_code(code)
    assert rejected.value.reasons


def test_float_code_is_rejected(fresh_vm: WasmVM) -> None:
    wat = """(module
      (memory (export "memory") 1)
      (func (export "allocate") (param i32) (result i32) (i32.const 0))
      (func (export "deallocate") (param i32))
      (func (export "interface_version_8"))
      (func (export "sudo") (param i32 i32) (result i32)
        (drop (f64.add (f64.const 1) (f64.const 2))) (i32.const 0)))"""
    with pytest.raises(CodeRejected, match="float") as rejected:
        fresh_vm.store_code(wasmtime.wat2wasm(wat))
    assert len(rejected.value.reasons) == 1


def test_every_reason_is_reported_at_once(fresh_vm: WasmVM) -> None:
    wat = """(module
      (import "env" "launch_missiles" (func (param i32)))
      (memory (export "memory") 1 2)
      (func (export "interface_version_7")))"""
    with pytest.raises(CodeRejected) as rejected:
        fresh_vm.store_code(wasmtime.wat2wasm(wat))
    text = " | ".join(rejected.value.reasons)
    for fragment in ("launch_missiles", "maximum", "interface_version_7", "allocate"):
        assert fragment in text


def test_unknown_checksum_is_a_typed_error(fresh_vm: WasmVM) -> None:
    with pytest.raises(UnknownChecksum):
        fresh_vm.sudo(b"\0" * 32, ENV, b"{}", MemoryStorage(), GAS)


def test_a_warm_start_skips_the_static_checks_the_code_passed(tmp_path: Path) -> None:
    code = contract_bytes("probe")
    cold = WasmVM(cache_directory=tmp_path)
    checksum = cold.store_code(code)
    assert cold.modules.stats.checks_skipped == 0

    warm = WasmVM(cache_directory=tmp_path)
    assert warm.store_code(code) == checksum
    assert warm.modules.stats.checks_skipped == 1
    assert warm.query(checksum, ENV, b'{"echo":{"data":"AA=="}}', MemoryStorage(), GAS).ok


def test_a_recorded_pass_does_not_outlive_the_limits_it_was_checked_under(
    tmp_path: Path,
) -> None:
    code = contract_bytes("probe")
    WasmVM(cache_directory=tmp_path).store_code(code)
    stricter = WasmVM(cache_directory=tmp_path, static_limits=StaticLimits(max_imports=1))
    with pytest.raises(CodeRejected, match="imports"):
        stricter.store_code(code)
    assert stricter.modules.stats.checks_skipped == 0
