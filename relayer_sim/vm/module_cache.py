"""Compiled modules, kept in memory and on disk so each checksum is compiled once.

Compiling with Cranelift costs far more than a call, so a compiled module is serialised to disk
under a key that covers everything that changes machine code: the wasmtime version, the engine
configuration, the metering scheme and the code checksum. A cache file carries a sha256 of its
payload; wasmtime deserialises only files that pass it (deserialising untrusted bytes is unsafe).

Next to it, an empty marker file records that a checksum passed the static checks under a given
set of rules (``static_checks.rules_fingerprint``), so that a warm start neither re-checks nor
re-instruments the code. Only passes are recorded: a refusal is re-derived, with its reasons.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

import wasmtime
from wasmtime import _bindings

from relayer_sim.vm.metering import METERING_VERSION

#: Wasm stack available to a call; deeper recursion traps with a stack overflow.
MAX_WASM_STACK = 512 * 1024

#: Calls that may be alive at once in one process, across every ``WasmVM``: each holds one
#: instance, one memory and one table slot of the pool until its store is deleted. Calls nest
#: only through chain queries, at most ``limits.MAX_CALL_DEPTH`` deep by default; a call past
#: the pool fails to instantiate (``InstantiationFailed``).
POOLED_CALLS = 16
#: A pool slot holds any 32-bit memory; the per-call limit (``CallLimits.memory_bytes``) is
#: enforced by the store's limiter, below this.
POOLED_MEMORY_BYTES = 4 * 1024**3

_ENGINE_DESCRIPTION = (
    f"fuel;epoch;cranelift-speed;stack={MAX_WASM_STACK};memory-fixed;pooling={POOLED_CALLS}"
)


@cache
def shared_engine() -> wasmtime.Engine:
    """The process-wide engine: compiled modules can only be shared within one engine.

    Epoch interruption (the call deadline, see ``deadline``) adds checks to compiled code, so
    it is part of the cache key; every store of this engine must set an epoch deadline.
    """
    config = wasmtime.Config()
    config.consume_fuel = True
    config.epoch_interruption = True
    config.cranelift_opt_level = "speed"
    config.max_wasm_stack = MAX_WASM_STACK
    # A linear memory stays where it was created (32-bit memories fit the default reservation,
    # so none needs to move to grow): the VM reads a memory's base address once per call.
    config.memory_may_move = False
    _allocate_from_pool(config)
    return wasmtime.Engine(config)


def _allocate_from_pool(config: wasmtime.Config) -> None:
    """Take each call's instance, memory and table from slots reserved once per engine.

    Every contract call runs in a fresh store (as wasmvm instantiates per call), and creating
    then freeing an instance's memory mapping on demand was ~70 µs a call, more than a small
    query's wasm. A pooled slot is only reset between calls. wasmtime-py has no wrapper for
    this, so the C functions it binds are called directly.
    """
    pool = _bindings.wasmtime_pooling_allocation_config_new()
    try:
        _bindings.wasmtime_pooling_allocation_config_total_core_instances_set(pool, POOLED_CALLS)
        _bindings.wasmtime_pooling_allocation_config_total_memories_set(pool, POOLED_CALLS)
        _bindings.wasmtime_pooling_allocation_config_total_tables_set(pool, POOLED_CALLS)
        _bindings.wasmtime_pooling_allocation_config_max_memory_size_set(pool, POOLED_MEMORY_BYTES)
        _bindings.wasmtime_pooling_allocation_strategy_set(config.ptr(), pool)
    finally:
        _bindings.wasmtime_pooling_allocation_config_delete(pool)


def default_cache_directory() -> Path:
    """``$RELAYER_SIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/relayer-sim``, else ``~/.cache``."""
    explicit = os.environ.get("RELAYER_SIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "relayer-sim" / "modules"


@dataclass
class CacheStats:
    """How modules were obtained, for benchmarks and the CLI."""

    compiled: int = 0
    loaded_from_disk: int = 0
    memory_hits: int = 0
    checks_skipped: int = 0


@dataclass
class ModuleCache:
    """Compiles each checksum once per process, and once per machine when a directory is set."""

    engine: wasmtime.Engine = field(default_factory=shared_engine)
    directory: Path | None = field(default_factory=default_cache_directory)
    stats: CacheStats = field(default_factory=CacheStats)
    _modules: dict[bytes, wasmtime.Module] = field(default_factory=dict)
    _passed: set[tuple[bytes, str]] = field(default_factory=set)

    def passed_checks(self, checksum: bytes, rules: str) -> bool:
        """Whether ``checksum`` is known (in memory or on disk) to pass the checks ``rules``."""
        if (checksum, rules) in self._passed:
            return True
        path = self._marker_path(checksum, rules)
        if path is None or not path.is_file():
            return False
        self._passed.add((checksum, rules))
        self.stats.checks_skipped += 1
        return True

    def record_passed_checks(self, checksum: bytes, rules: str) -> None:
        """Remember that ``checksum`` passed the checks ``rules``."""
        self._passed.add((checksum, rules))
        path = self._marker_path(checksum, rules)
        if path is None or path.is_file():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        except OSError:
            # A read-only or full disk only costs a re-check next time.
            return

    def _marker_path(self, checksum: bytes, rules: str) -> Path | None:
        if self.directory is None:
            return None
        key = "|".join(("static-checks", rules, checksum.hex()))
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + ".passed")

    def module(self, checksum: bytes, instrumented_code: Callable[[], bytes]) -> wasmtime.Module:
        """The compiled module for ``checksum``; ``instrumented_code`` is called only to compile."""
        module = self._modules.get(checksum)
        if module is not None:
            self.stats.memory_hits += 1
            return module
        module = self._load(checksum)
        if module is None:
            module = wasmtime.Module(self.engine, instrumented_code())
            self.stats.compiled += 1
            self._save(checksum, module)
        else:
            self.stats.loaded_from_disk += 1
        self._modules[checksum] = module
        return module

    def _path(self, checksum: bytes) -> Path | None:
        if self.directory is None:
            return None
        key = "|".join((version("wasmtime"), _ENGINE_DESCRIPTION, METERING_VERSION, checksum.hex()))
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + ".cwasm")

    def _load(self, checksum: bytes) -> wasmtime.Module | None:
        path = self._path(checksum)
        if path is None or not path.is_file():
            return None
        blob = path.read_bytes()
        digest, payload = blob[:32], blob[32:]
        if hashlib.sha256(payload).digest() != digest:
            return None
        try:
            return wasmtime.Module.deserialize(self.engine, payload)
        except wasmtime.WasmtimeError:
            return None

    def _save(self, checksum: bytes, module: wasmtime.Module) -> None:
        path = self._path(checksum)
        if path is None:
            return
        payload = module.serialize()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(hashlib.sha256(payload).digest() + payload)
            os.replace(handle.name, path)
        except OSError:
            # A read-only or full disk only costs a recompile next time.
            return
