"""Every malicious or broken behaviour ends in a typed error; the process and the VM survive.

After each failure the same VM serves a normal call, and the storage the failed call was given is
exactly as it was before.
"""

from __future__ import annotations

import pytest

from relayer_sim.vm import (
    ContractAborted,
    ContractTrap,
    InvalidResult,
    MemoryLimitExceeded,
    OutOfGas,
    RegionError,
    ResultTooLarge,
    StackOverflow,
    StorageLimitExceeded,
    VMError,
    WriteInReadOnlyCall,
)
from tests.conftest import Probe, b64

FAILURES: list[tuple[str, dict[str, object], type[VMError], str]] = [
    ("sudo", {"loop": {}}, OutOfGas, "whole limit"),
    ("sudo", {"memory_bomb": {}}, MemoryLimitExceeded, "32 MiB"),
    ("sudo", {"recurse": {"depth": 0}}, StackOverflow, "stack"),
    ("sudo", {"huge_result": {"size": 100 * 1024 * 1024}}, ResultTooLarge, "limit"),
    ("sudo", {"huge_result": {"size": 40 * 1024 * 1024}}, RegionError, "beyond memory"),
    ("sudo", {"bad_region": {"kind": "null"}}, RegionError, "null"),
    ("sudo", {"bad_region": {"kind": "length_over_capacity"}}, RegionError, "above capacity"),
    ("sudo", {"bad_region": {"kind": "out_of_bounds"}}, RegionError, "memory"),
    ("sudo", {"invalid_json_result": {}}, InvalidResult, "not valid JSON"),
    ("sudo", {"raw_result": {"json": '{"ok":1,"error":"x"}'}}, InvalidResult, "ok"),
    ("query", {"raw_result": {"json": '{"ok":"%%%"}'}}, InvalidResult, "base64"),
    ("query", {"raw_result": {"json": '{"ok":"\\u00e9AA="}'}}, InvalidResult, "outside ASCII"),
    ("sudo", {"raw_result": {"json": '{"ok":{"data":"\\u00e9"}}'}}, InvalidResult, "base64"),
    ("sudo", {"abort": {"message": "invariant broken"}}, ContractAborted, "invariant broken"),
    ("sudo", {"divide_by_zero": {}}, ContractTrap, "trapped"),
    ("query", {"db_write": {"key": b64(b"k"), "value": b64(b"v")}}, WriteInReadOnlyCall, "query"),
    ("query", {"db_remove": {"key": b64(b"k")}}, WriteInReadOnlyCall, "query"),
    ("sudo", {"big_key": {"size": 64 * 1024 + 1}}, StorageLimitExceeded, "key"),
    ("sudo", {"big_value": {"size": 128 * 1024 + 1}}, StorageLimitExceeded, "value"),
]


@pytest.mark.parametrize(("entry", "command", "error", "message"), FAILURES)
def test_failure_is_typed_and_harmless(
    contract: Probe, entry: str, command: dict[str, object], error: type[VMError], message: str
) -> None:
    contract.storage.set(b"before", b"1")
    snapshot = contract.storage.items()
    with pytest.raises(error, match=message) as raised:
        getattr(contract, entry)(command, gas=2_000_000_000)
    assert raised.value.gas_used is not None and raised.value.gas_used > 0
    assert contract.storage.items() == snapshot
    # The VM is still healthy: the next call works.
    assert contract.out({"echo": {"data": b64(b"still here")}}) == {"data": b64(b"still here")}


def test_storage_limits_accept_the_maximum(contract: Probe) -> None:
    contract.out({"big_key": {"size": 64 * 1024}})
    contract.out({"big_value": {"size": 128 * 1024}})
    assert len(contract.storage) == 2


def test_trap_after_writes_leaves_storage_untouched(contract: Probe) -> None:
    with pytest.raises(ContractTrap):
        contract.sudo({"write_then_trap": {"key": b64(b"k"), "value": b64(b"v")}})
    assert contract.storage.items() == {}


def test_contract_error_after_writes_leaves_storage_untouched(contract: Probe) -> None:
    result = contract.sudo(
        {
            "seq": [
                {"db_write": {"key": b64(b"k"), "value": b64(b"v")}},
                {"fail": {"message": "changed my mind"}},
            ]
        }
    )
    assert not result.ok and result.error == "changed my mind"
    assert contract.storage.items() == {}


def test_out_of_gas_reports_the_whole_limit(contract: Probe) -> None:
    with pytest.raises(OutOfGas) as raised:
        contract.sudo({"loop": {}}, gas=50_000_000)
    assert raised.value.gas_used == 50_000_000


def test_out_of_gas_in_a_host_charge(contract: Probe) -> None:
    needed = contract.sudo({"db_write": {"key": b64(b"k"), "value": b64(b"v")}}).gas_used
    contract.storage.delete(b"k")
    with pytest.raises(OutOfGas):
        contract.sudo({"db_write": {"key": b64(b"k"), "value": b64(b"v")}}, gas=needed - 1)
    assert contract.storage.items() == {}


def test_bounded_recursion_is_fine(contract: Probe) -> None:
    assert contract.out({"recurse": {"depth": 100}}) == {"depth": 100}


def test_a_result_that_is_not_an_envelope_is_rejected(contract: Probe) -> None:
    with pytest.raises(InvalidResult):
        contract.sudo({"raw_result": {"json": "[]"}})


def test_the_exact_gas_suffices_and_one_less_does_not(contract: Probe) -> None:
    command = {"echo": {"data": b64(b"x" * 300)}}
    needed = contract.sudo(command).gas_used
    assert contract.sudo(command, gas=needed).gas_used == needed
    with pytest.raises(OutOfGas) as raised:
        contract.sudo(command, gas=needed - 1)
    assert raised.value.gas_used == needed - 1
