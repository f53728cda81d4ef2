"""VM call overhead, compile against cached load, and gas per call; JSON out.

Measures, in one run and on one machine, so the ratios mean something anywhere:
- the median time of a ~1 KB ``query`` through ``WasmVM`` (fresh store + instance, regions,
  metering, envelope parsing) against a bare wasmtime-py instantiate + call of the same module
  (no metering, no checks), and against the same bare call made through the C API as the VM
  makes it (``relayer_sim.vm.capi``: the floor of this VM's plumbing);
- compiling the instrumented probe against deserialising it from the disk cache, and a cold
  ``store_code`` (static checks + instrument + compile) against a warm one (disk cache);
- the CosmWasm gas of the measured call.

Usage: ``python benchmarks/vm.py [--repeat N] [--out FILE]`` (default out:
``benchmarks/results/vm.json``).
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import json
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import wasmtime
from measure import RESULTS, median_seconds, write_results

from relayer_sim.contracts import load_contract
from relayer_sim.vm import MemoryStorage, WasmVM, capi
from relayer_sim.vm.limits import CallLimits
from relayer_sim.vm.metering import instrument
from relayer_sim.vm.module_cache import shared_engine

ENV = {
    "block": {"height": 1, "time": "1700000000000000000", "chain_id": "bench-1"},
    "transaction": None,
    "contract": {"address": "08-wasm-0"},
}
QUERY = json.dumps({"echo": {"data": base64.b64encode(b"x" * 740).decode()}}).encode()
GAS_LIMIT = 10_000_000_000


def bare_wasmtime_query(code: bytes) -> Callable[[], bytes]:
    """The floor: instantiate the raw module and call ``query`` with no metering or checks."""
    engine = wasmtime.Engine()
    module = wasmtime.Module(engine, code)
    linker = wasmtime.Linker(engine)
    linker.define_unknown_imports_as_traps(module)
    prepared = linker.instantiate_pre(module)
    env = json.dumps(ENV).encode()

    def call() -> bytes:
        store = wasmtime.Store(engine)
        exports = prepared.instantiate(store).exports(store)
        memory = exports["memory"]
        allocate, query = exports["allocate"], exports["query"]
        assert isinstance(memory, wasmtime.Memory)
        assert isinstance(allocate, wasmtime.Func) and isinstance(query, wasmtime.Func)
        pointers = []
        for arg in (env, QUERY):
            pointer = allocate(store, len(arg))
            offset = struct.unpack("<I", memory.read(store, pointer, pointer + 4))[0]
            memory.write(store, arg, offset)
            memory.write(store, struct.pack("<I", len(arg)), pointer + 8)
            pointers.append(pointer)
        result = query(store, *pointers)
        offset, _capacity, length = struct.unpack("<III", memory.read(store, result, result + 12))
        return bytes(memory.read(store, offset, offset + length))

    return call


def capi_floor_query(code: bytes) -> Callable[[], bytes]:
    """The same bare call through ``capi`` (raw C API calls, no metering or checks)."""
    engine = shared_engine()
    module = wasmtime.Module(engine, code)
    linker = wasmtime.Linker(engine)
    linker.define_unknown_imports_as_traps(module)
    prepared = linker.instantiate_pre(module)
    pending = capi.PendingFailure()
    env = json.dumps(ENV).encode()
    limits = CallLimits()

    def call() -> bytes:
        store = capi.CallStore(
            engine,
            memory_bytes=limits.memory_bytes,
            table_elements=limits.table_elements,
            instances=1,
            tables=1,
            memories=1,
            epoch_deadline=1 << 40,
        )
        try:
            context = store.context
            capi.set_fuel(context, 1 << 62)
            instance = capi.Instance(prepared, context, pending)
            memory = instance.memory("memory")
            allocate = instance.function("allocate", pending)
            query = instance.function("query", pending)
            assert memory is not None and allocate is not None and query is not None
            pointers = []
            for arg in (env, QUERY):
                pointer = allocate(context, len(arg))
                base = memory.base(context)
                (offset,) = struct.unpack("<I", ctypes.string_at(base + pointer, 4))
                ctypes.memmove(base + offset, arg, len(arg))
                ctypes.memmove(base + pointer + 8, struct.pack("<I", len(arg)), 4)
                pointers.append(pointer)
            result = query(context, *pointers)
            base = memory.base(context)
            offset, _capacity, length = struct.unpack("<III", ctypes.string_at(base + result, 12))
            return ctypes.string_at(base + offset, length)
        finally:
            store.close()

    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="timed runs per measurement")
    parser.add_argument("--out", type=Path, default=RESULTS / "vm.json")
    args = parser.parse_args()

    code = load_contract("probe")
    vm = WasmVM(disk_cache=False)
    checksum = vm.store_code(code)
    storage = MemoryStorage()
    result = vm.query(checksum, ENV, QUERY, storage, GAS_LIMIT)
    assert result.ok, result.error
    bare = bare_wasmtime_query(code)
    assert json.loads(bare())["ok"] == result.response
    floor = capi_floor_query(code)
    assert floor() == bare()

    vm_call = median_seconds(
        lambda: vm.query(checksum, ENV, QUERY, storage, GAS_LIMIT), args.repeat
    )
    bare_call = median_seconds(bare, args.repeat)
    floor_call = median_seconds(floor, args.repeat)

    instrumented = instrument(code)
    engine = shared_engine()
    serialized = wasmtime.Module(engine, instrumented).serialize()
    compile_time = median_seconds(lambda: wasmtime.Module(engine, instrumented), 5)
    load_time = median_seconds(lambda: wasmtime.Module.deserialize(engine, serialized), 20)

    with tempfile.TemporaryDirectory() as cache:
        cold_store = median_seconds(lambda: WasmVM(disk_cache=False).store_code(code), 5)
        WasmVM(cache_directory=Path(cache)).store_code(code)
        warm_store = median_seconds(
            lambda: WasmVM(cache_directory=Path(cache)).store_code(code), 20
        )

    figures = {
        "query_bytes": len(QUERY),
        "contract_bytes": len(code),
        "instrumented_bytes": len(instrumented),
        "vm_query_median_us": round(vm_call * 1e6, 1),
        "bare_wasmtime_query_median_us": round(bare_call * 1e6, 1),
        "vm_over_bare_ratio": round(vm_call / bare_call, 2),
        "capi_floor_query_median_us": round(floor_call * 1e6, 1),
        "vm_over_capi_floor_ratio": round(vm_call / floor_call, 2),
        "compile_ms": round(compile_time * 1e3, 2),
        "cached_load_ms": round(load_time * 1e3, 3),
        "compile_over_cached_load_ratio": round(compile_time / load_time, 1),
        "store_code_cold_ms": round(cold_store * 1e3, 2),
        "store_code_warm_ms": round(warm_store * 1e3, 2),
        "store_code_cold_over_warm_ratio": round(cold_store / warm_store, 1),
        "gas_per_query": result.gas_used,
        "repeat": args.repeat,
    }
    write_results(figures, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
