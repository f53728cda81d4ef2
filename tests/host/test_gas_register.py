"""08-wasm's gas register, exactly: 2 000 SDK gas per contract call, the call's CosmWasm gas
divided by 140 000, and a VM limit of what the transaction has left (times 140 000)."""

from __future__ import annotations

import json

import pytest

from relayer_sim.host.errors import OutOfGas
from relayer_sim.host.store import GasMeter
from relayer_sim.host.wasm_proxy import GAS_MULTIPLIER, SETUP_GAS, WasmProxy
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import MemoryStorage, WasmVM

ENV = HostEnv(7, 1_700_000_000 * 10**9, "host-1")


def test_a_call_costs_setup_plus_its_cosmwasm_gas(vm: WasmVM, probe: bytes) -> None:
    proxy = WasmProxy(vm)
    gas = GasMeter(10_000_000)
    write = json.dumps({"db_write": {"key": "aw==", "value": "dg=="}}).encode()
    proxy.call("08-wasm-0", probe, MemoryStorage(), gas, lambda c: c.migrate(ENV, write))
    contract_gas = proxy.take_contract_gas()
    assert contract_gas > GAS_MULTIPLIER
    assert gas.consumed == SETUP_GAS + contract_gas // GAS_MULTIPLIER


def test_the_vm_gets_what_the_transaction_has_left(vm: WasmVM, probe: bytes) -> None:
    proxy = WasmProxy(vm)
    gas = GasMeter(SETUP_GAS + 10)  # 10 SDK gas left: 1.4 M CosmWasm gas for the VM
    loop = json.dumps({"loop": {}}).encode()
    with pytest.raises(OutOfGas):
        proxy.call("08-wasm-0", probe, MemoryStorage(), gas, lambda c: c.migrate(ENV, loop))
    assert gas.consumed == gas.limit
    assert proxy.take_contract_gas() == 10 * GAS_MULTIPLIER
