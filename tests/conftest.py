"""Shared fixtures: a real VM with the real built contracts, and the runs of shipped scenarios."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from relayer_sim.scenario import load_scenario
from relayer_sim.sim.expectations import Outcome
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import CallResult, MemoryStorage, WasmVM

GAS = 10_000_000_000
ENV = {
    "block": {"height": 7, "time": "1700000000000000000", "chain_id": "host-1"},
    "transaction": None,
    "contract": {"address": "08-wasm-0"},
}
INFO = {"sender": "", "funds": []}


def contract_bytes(name: str) -> bytes:
    """A built contract shipped as package data."""
    return files("relayer_sim.contracts").joinpath(f"{name}.wasm").read_bytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("module-cache")


@pytest.fixture(scope="session")
def vm(cache_dir: Path) -> WasmVM:
    return WasmVM(cache_directory=cache_dir)


@dataclass(frozen=True)
class ShippedRun:
    """What a test reads of a shipped scenario's run (not its world, which is large)."""

    trace_path: Path
    unmet: tuple[Outcome, ...]


@pytest.fixture(scope="session")
def shipped_run(
    vm: WasmVM, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Path], ShippedRun]:
    """Runs a shipped scenario once per session: the test that every one meets its
    expectations and the tests that look closer at one share the run."""
    runs: dict[Path, ShippedRun] = {}

    def run(path: Path) -> ShippedRun:
        if path not in runs:
            result = run_scenario(load_scenario(path), tmp_path_factory.mktemp(path.stem), vm=vm)
            unmet = tuple(outcome for outcome in result.outcomes if not outcome.met)
            runs[path] = ShippedRun(result.trace_path, unmet)
        return runs[path]

    return run


@pytest.fixture(scope="session")
def probe(vm: WasmVM) -> bytes:
    return vm.store_code(contract_bytes("probe"))


class Probe:
    """Drives the probe contract: ``probe.sudo({"db_write": ...})`` and friends."""

    def __init__(self, vm: WasmVM, checksum: bytes, storage: MemoryStorage) -> None:
        self.vm, self.checksum, self.storage = vm, checksum, storage

    def _msg(self, command: dict[str, Any]) -> bytes:
        return json.dumps(command).encode()

    def sudo(self, command: dict[str, Any], gas: int = GAS) -> CallResult:
        return self.vm.sudo(self.checksum, ENV, self._msg(command), self.storage, gas)

    def query(self, command: dict[str, Any], gas: int = GAS) -> CallResult:
        return self.vm.query(self.checksum, ENV, self._msg(command), self.storage, gas)

    def instantiate(self, command: dict[str, Any], gas: int = GAS) -> CallResult:
        return self.vm.instantiate(self.checksum, ENV, INFO, self._msg(command), self.storage, gas)

    def migrate(self, command: dict[str, Any], gas: int = GAS) -> CallResult:
        return self.vm.migrate(self.checksum, ENV, self._msg(command), self.storage, gas)

    def out(self, command: dict[str, Any]) -> Any:
        """Run ``command`` as sudo and return its JSON output, asserting success."""
        result = self.sudo(command)
        assert result.ok, result.error
        return result.data_json()


@pytest.fixture
def contract(vm: WasmVM, probe: bytes) -> Iterator[Probe]:
    yield Probe(vm, probe, MemoryStorage())
