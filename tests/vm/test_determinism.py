"""The same call gives the same result and the same gas, every time and on every cache path."""

from __future__ import annotations

from pathlib import Path

from relayer_sim.vm import MemoryStorage, WasmVM
from tests.conftest import ENV, GAS, Probe, b64, contract_bytes

COMMAND = {
    "seq": [
        {"db_write": {"key": b64(b"k"), "value": b64(b"v" * 100)}},
        {"db_read": {"key": b64(b"k")}},
        {"echo": {"data": b64(b"x" * 1000)}},
    ]
}


def test_hundred_identical_calls_are_identical(contract: Probe) -> None:
    results = []
    for _ in range(100):
        contract.storage = MemoryStorage()
        results.append(contract.sudo(COMMAND))
    assert len({r.gas_used for r in results}) == 1
    assert len({r.data for r in results}) == 1
    assert results[0].ok and results[0].gas_used > 0


def test_gas_is_the_same_when_the_module_comes_from_disk(tmp_path: Path) -> None:
    code = contract_bytes("probe")
    first = WasmVM(cache_directory=tmp_path)
    checksum = first.store_code(code)
    fresh = first.sudo(checksum, ENV, b'{"echo":{"data":"AA=="}}', MemoryStorage(), GAS)
    assert first.modules.stats.compiled == 1

    second = WasmVM(cache_directory=tmp_path)
    second.store_code(code)
    cached = second.sudo(checksum, ENV, b'{"echo":{"data":"AA=="}}', MemoryStorage(), GAS)
    assert second.modules.stats.loaded_from_disk == 1 and second.modules.stats.compiled == 0
    assert cached == fresh


def test_a_corrupted_cache_file_is_recompiled(tmp_path: Path) -> None:
    code = contract_bytes("probe")
    WasmVM(cache_directory=tmp_path).store_code(code)
    (cache_file,) = tmp_path.glob("*.cwasm")
    cache_file.write_bytes(cache_file.read_bytes()[:-10] + b"corrupted!")
    vm = WasmVM(cache_directory=tmp_path)
    checksum = vm.store_code(code)
    assert vm.modules.stats.compiled == 1
    assert vm.sudo(checksum, ENV, b'{"echo":{"data":"AA=="}}', MemoryStorage(), GAS).ok


def test_more_work_costs_more_gas(contract: Probe) -> None:
    small = contract.sudo({"echo": {"data": b64(b"x")}}).gas_used
    large = contract.sudo({"echo": {"data": b64(b"x" * 10_000)}}).gas_used
    assert large > small
