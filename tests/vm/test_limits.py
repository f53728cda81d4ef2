"""The per-call limits and prices of ``WasmVM``: each limit ends a call with its own error, and
what the caller's storage raises inside an import comes back unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog

from relayer_sim.vm import MemoryStorage, Storage, WasmVM
from relayer_sim.vm.debug_log import log_debug
from relayer_sim.vm.errors import (
    DeadlineExceeded,
    InstantiationFailed,
    IteratorLimitExceeded,
    MemoryLimitExceeded,
    WriteLimitExceeded,
)
from relayer_sim.vm.gas_costs import UNIMPLEMENTED_CRYPTO
from relayer_sim.vm.limits import CallLimits
from relayer_sim.vm.static_checks import StaticLimits, analyze
from relayer_sim.vm.storage import Pair
from tests.adversarial.contracts.catalogue import ENV
from tests.adversarial.contracts.wat import DATA_ADDRESS, module, wasm

GAS = 10**11
ONE_BYTE = f"(call $region (i32.const {DATA_ADDRESS}) (i32.const 1))"
WRITE_LOOP = module(
    f"(loop $write (call $db_write {ONE_BYTE} {ONE_BYTE}) (br $write)) unreachable", data="k"
)
SCAN_LOOP = module(
    "(loop $open (drop (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1))) (br $open))"
    " unreachable"
)


def sudo(vm: WasmVM, wat: str, storage: Storage | None = None) -> object:
    checksum = vm.store_code(wasm(wat))
    return vm.sudo(checksum, ENV, b"{}", MemoryStorage() if storage is None else storage, GAS)


def test_writes_per_call_are_counted() -> None:
    vm = WasmVM(disk_cache=False, limits=CallLimits(max_writes=5))
    with pytest.raises(WriteLimitExceeded, match="more than 5 writes"):
        sudo(vm, WRITE_LOOP)


def test_iterators_per_call_are_counted() -> None:
    vm = WasmVM(disk_cache=False, limits=CallLimits(max_iterators=3))
    with pytest.raises(IteratorLimitExceeded, match="more than 3 iterators"):
        sudo(vm, SCAN_LOOP)


def test_debug_output_beyond_the_quota_is_one_line() -> None:
    messages: list[str] = []
    vm = WasmVM(
        disk_cache=False,
        limits=CallLimits(max_debug_messages=2),
        debug_handler=messages.append,
    )
    say = f"(call $debug {ONE_BYTE})"
    sudo(vm, module(f"{say} {say} {say} {say} (call $ok)", data="d"))
    assert messages == ["d", "d", "2 debug messages suppressed (2 bytes over this call's quota)"]


def test_unconfigured_logging_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(structlog, "is_configured", lambda: False)
    log_debug("contract says hello")
    assert capsys.readouterr() == ("", "")


def test_an_unimplemented_crypto_import_costs_its_cosmwasm_base_price() -> None:
    zeros = " ".join(["(i32.const 0)"] * 4)
    call = f"(drop (call $bls12_381_hash_to_g1 {zeros}))"
    vm = WasmVM(disk_cache=False)
    result = sudo(vm, module(f"{call} (call $ok)"))
    assert result.gas_used > UNIMPLEMENTED_CRYPTO["bls12_381_hash_to_g1"]  # type: ignore[attr-defined]


class CallerError(Exception):
    """Something the caller's own storage raises (a host's out-of-gas, say)."""


class RaisingStorage(MemoryStorage):
    def get(self, key: bytes) -> bytes | None:
        raise CallerError(key)

    def scan(self, start: bytes | None, end: bytes | None, ascending: bool) -> Iterator[Pair]:
        raise CallerError(start)


def test_the_callers_storage_errors_pass_through_unchanged() -> None:
    vm = WasmVM(disk_cache=False)
    with pytest.raises(CallerError):
        sudo(
            vm, module(f"(drop (call $db_read {ONE_BYTE})) (call $ok)", data="k"), RaisingStorage()
        )
    next_pair = "(drop (call $db_next (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1))))"
    with pytest.raises(CallerError):
        sudo(vm, module(f"{next_pair} (call $ok)"), RaisingStorage())


def nested(depth: int) -> str:
    return "(block " * depth + ")" * depth


@pytest.mark.parametrize(
    ("extra", "limits", "reason"),
    [
        (f"(func {nested(11)})", StaticLimits(max_nesting_depth=10), "nested deeper than 10"),
        (f"(func {'(loop) ' * 11})", StaticLimits(max_function_loops=10), "more than 10 loops"),
        (
            f"(func {'(loop) ' * 8}) (func {'(loop) ' * 8}) (func {'(loop) ' * 8})",
            StaticLimits(max_module_loops=20),
            "at most 20",
        ),
        (f"(func {'(nop) ' * 40})", StaticLimits(max_function_bytes=32), "larger than 32 bytes"),
    ],
)
def test_control_flow_limits(extra: str, limits: StaticLimits, reason: str) -> None:
    report = analyze(wasm(module(extra=extra)), limits)
    assert any(reason in text for text in report.reasons), report.reasons


def test_real_contracts_are_far_below_the_control_flow_limits() -> None:
    from tests.conftest import contract_bytes

    for name in ("probe", "sim-tendermint-v1", "sim-tendermint-v2"):
        assert analyze(contract_bytes(name), StaticLimits()).ok


def test_a_call_past_its_deadline_is_charged_its_whole_gas_limit() -> None:
    vm = WasmVM(disk_cache=False, limits=CallLimits(deadline_seconds=0.1))
    checksum = vm.store_code(wasm(module("(loop $spin (br $spin)) unreachable")))
    with pytest.raises(DeadlineExceeded) as raised:
        vm.sudo(checksum, ENV, b"{}", MemoryStorage(), 10**15)
    assert raised.value.gas_used == 10**15


@pytest.mark.parametrize(
    ("limits", "extra", "error"),
    [
        (CallLimits(memory_bytes=64 * 1024), "", MemoryLimitExceeded),
        (CallLimits(table_elements=1), "(table 2 funcref)", InstantiationFailed),
    ],
)
def test_instantiation_over_the_store_limits_is_typed(
    limits: CallLimits, extra: str, error: type[Exception]
) -> None:
    vm = WasmVM(disk_cache=False, limits=limits)
    with pytest.raises(error):
        sudo(vm, module(extra=extra))
