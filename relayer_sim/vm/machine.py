"""``WasmVM``: stores contract code and calls its entry points as wasmvm does for 08-wasm.

A call gets a fresh wasmtime store and instance (from a cached ``InstancePre``) under the
``CallLimits``, its arguments are passed as regions, its result envelope is parsed, and its storage
writes are applied only if it succeeded. The per-call work goes through ``capi`` (wasmtime's C API
without wasmtime-py's per-call conversions); compiling and linking use wasmtime-py.

Contract errors come back as ``CallResult(ok=False)``; everything else the contract can cause
raises a ``VMError`` subclass. Exceptions raised by the caller's own storage or handlers inside an
import are not the contract's doing: they pass through unchanged.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import wasmtime

from relayer_sim.vm import capi
from relayer_sim.vm.abi import ENTRY_POINT_ARITY
from relayer_sim.vm.addresses import Bech32Addresses
from relayer_sim.vm.bounded_json import JSONLimitError, decode_base64, loads_bounded
from relayer_sim.vm.deadline import ticker
from relayer_sim.vm.debug_log import DebugBudget, DebugHandler, log_debug
from relayer_sim.vm.errors import (
    CallDepthExceeded,
    CodeRejected,
    ContractTrap,
    DeadlineExceeded,
    InstantiationFailed,
    InvalidExport,
    InvalidResult,
    MemoryLimitExceeded,
    MissingExport,
    OutOfGas,
    ResultTooLarge,
    StackOverflow,
    UnknownChecksum,
    VMError,
)
from relayer_sim.vm.gas import GasMeter
from relayer_sim.vm.gas_costs import ImportCosts
from relayer_sim.vm.imports import CallContext, Imports, QueryHandler, unsupported_query
from relayer_sim.vm.limits import CallLimits
from relayer_sim.vm.metering import instrument
from relayer_sim.vm.module_cache import ModuleCache, default_cache_directory
from relayer_sim.vm.regions import ContractMemory
from relayer_sim.vm.static_checks import StaticLimits, analyze, rules_fingerprint
from relayer_sim.vm.storage import Storage, WriteBuffer
from relayer_sim.vm.wasm_binary import MalformedWasm

MIB = 1024 * 1024
MAX_RESULT_SIZE = 64 * MIB
WASM_PAGE = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b\x08"
#: One instance with its one memory and at most one table per call (the static checks allow no
#: more); the store refuses anything beyond.
INSTANCES_PER_CALL = 1
MEMORIES_PER_CALL = 1
TABLES_PER_CALL = 1

JSONObject = dict[str, Any]
#: An exported function's ``(params, results)`` as type names.
Signature = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class CallResult:
    """What an entry point answered.

    ``ok`` with ``response`` (the parsed ``ok`` value) and ``data`` (query: the decoded bytes;
    instantiate/sudo/migrate: the decoded ``Response.data``), or ``error``: the contract's own
    error message. ``gas_used`` is CosmWasm gas, wasm and host work together; of it,
    ``gas_used_externally`` is what chain queries used outside the VM (wasmvm's
    ``UsedExternally``: the host charged it already, so 08-wasm charges only the rest).
    """

    ok: bool
    error: str | None
    response: Any
    data: bytes | None
    gas_used: int
    gas_used_externally: int = 0

    def data_json(self) -> Any:
        """``data`` parsed as JSON (08-wasm contracts answer JSON), with serde_json's limits."""
        if self.data is None:
            raise ValueError("the call returned no data")
        try:
            return loads_bounded(self.data, "the call's data", max_size=MAX_RESULT_SIZE)
        except JSONLimitError as error:
            raise InvalidResult(str(error)) from None


def decompress_code(code: bytes, limit: int) -> bytes:
    """Raw wasm from raw or gzip bytes, refusing anything that inflates past ``limit`` bytes."""
    if not code.startswith(GZIP_MAGIC):
        return code
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(code, limit + 1)
    except zlib.error as error:
        raise CodeRejected([f"invalid gzip: {error}"]) from None
    if len(raw) > limit:
        raise CodeRejected([f"gzip inflates to more than {limit} bytes"])
    if not inflater.eof:
        raise CodeRejected(["invalid gzip: truncated stream"])
    return raw


@dataclass(frozen=True)
class _Prepared:
    """A compiled module ready to instantiate, with the signatures of its exported functions."""

    instance_pre: wasmtime.InstancePre
    signatures: Mapping[str, Signature]


class WasmVM:
    """A CosmWasm-compatible VM: code store, module cache and metered, isolated calls."""

    def __init__(
        self,
        *,
        limits: CallLimits | None = None,
        import_costs: ImportCosts | None = None,
        static_limits: StaticLimits | None = None,
        cache_directory: Path | None = None,
        disk_cache: bool = True,
        query_handler: QueryHandler = unsupported_query,
        debug_handler: DebugHandler = log_debug,
        addresses: Bech32Addresses | None = None,
    ) -> None:
        self.limits = limits or CallLimits()
        self.static_limits = static_limits or StaticLimits()
        directory = (cache_directory or default_cache_directory()) if disk_cache else None
        self.modules = ModuleCache(directory=directory)
        self.query_handler = query_handler
        self.debug_handler = debug_handler
        self.addresses = addresses or Bech32Addresses()
        self._codes: dict[bytes, bytes] = {}
        self._prepared: dict[bytes, _Prepared] = {}
        self._contexts: list[CallContext] = []
        self._linker = wasmtime.Linker(self.modules.engine)
        self._pending = capi.PendingFailure()
        self._import_callbacks = Imports(
            self._contexts, import_costs or ImportCosts(), self.limits
        ).define(self._linker, self._pending)
        self._ticker = ticker(self.modules.engine)

    # -- code -----------------------------------------------------------------------------------

    def store_code(self, code: bytes, checked: bool = True) -> bytes:
        """Check and compile ``code`` (raw or gzip); return the sha256 of the raw wasm.

        Code that passed the static checks under the same rules before (in this VM, or in any
        process sharing the disk cache) is not checked again. ``checked=False`` compiles
        without the static checks, as wasmvm's ``StoreCodeUnchecked`` (08-wasm's genesis
        import: the code was checked when the exporting chain stored it).
        """
        raw = decompress_code(code, self.static_limits.max_code_size)
        checksum = hashlib.sha256(raw).digest()
        rules = rules_fingerprint(self.static_limits)
        if checked and not self.modules.passed_checks(checksum, rules):
            report = analyze(raw, self.static_limits)
            if not report.ok:
                raise CodeRejected(report.reasons)
        self._codes[checksum] = raw
        try:
            self._instance_pre(checksum)
        except (wasmtime.WasmtimeError, MalformedWasm) as error:  # malformed: unchecked code
            del self._codes[checksum]
            raise CodeRejected([f"wasmtime cannot compile the code: {error}"]) from None
        if checked:
            self.modules.record_passed_checks(checksum, rules)
        return checksum

    def has_code(self, checksum: bytes) -> bool:
        return checksum in self._codes

    def code(self, checksum: bytes) -> bytes:
        """The raw wasm stored under ``checksum``."""
        try:
            return self._codes[checksum]
        except KeyError:
            raise UnknownChecksum(f"no code with checksum {checksum.hex()}") from None

    def _instance_pre(self, checksum: bytes) -> _Prepared:
        prepared = self._prepared.get(checksum)
        if prepared is None:
            raw = self.code(checksum)
            module = self.modules.module(checksum, lambda: instrument(raw))
            signatures = {
                export.name: (
                    tuple(str(kind) for kind in export.type.params),
                    tuple(str(kind) for kind in export.type.results),
                )
                for export in module.exports
                if isinstance(export.type, wasmtime.FuncType)
            }
            prepared = _Prepared(self._linker.instantiate_pre(module), signatures)
            self._prepared[checksum] = prepared
        return prepared

    # -- entry points ---------------------------------------------------------------------------

    def instantiate(
        self,
        checksum: bytes,
        env: JSONObject,
        info: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        """Call ``instantiate(env, info, msg)``."""
        args = [_json(env), _json(info), msg]
        return self._call(checksum, "instantiate", args, storage, gas_limit, False, querier)

    def query(
        self,
        checksum: bytes,
        env: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        """Call ``query(env, msg)``; storage is read-only."""
        return self._call(checksum, "query", [_json(env), msg], storage, gas_limit, True, querier)

    def sudo(
        self,
        checksum: bytes,
        env: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        """Call ``sudo(env, msg)``."""
        return self._call(checksum, "sudo", [_json(env), msg], storage, gas_limit, False, querier)

    def migrate(
        self,
        checksum: bytes,
        env: JSONObject,
        msg: bytes,
        storage: Storage,
        gas_limit: int,
        querier: QueryHandler | None = None,
    ) -> CallResult:
        """Call ``migrate(env, msg)``."""
        args = [_json(env), msg]
        return self._call(checksum, "migrate", args, storage, gas_limit, False, querier)

    # -- one call -------------------------------------------------------------------------------

    def _call(
        self,
        checksum: bytes,
        entry: str,
        args: Sequence[bytes],
        storage: Storage,
        gas_limit: int,
        read_only: bool,
        querier: QueryHandler | None,
    ) -> CallResult:
        """One call; ``querier`` answers its chain queries (None: the VM's ``query_handler``),
        as wasmvm takes a querier with every call."""
        if len(self._contexts) >= self.limits.max_call_depth:
            raise CallDepthExceeded(
                f"{self.limits.max_call_depth} contract calls are running already "
                "(each chain query that calls a contract nests one)"
            )
        prepared = self._instance_pre(checksum)
        for name, signature in (
            ("allocate", _ALLOCATE),
            ("deallocate", _DEALLOCATE),
            (entry, (("i32",) * ENTRY_POINT_ARITY[entry], ("i32",))),
        ):
            _check_signature(prepared.signatures, name, signature)
        store = self._store()
        try:
            return self._metered_call(
                store, prepared, entry, args, storage, gas_limit, read_only, querier
            )
        finally:
            store.close()

    def _metered_call(
        self,
        store: capi.CallStore,
        prepared: _Prepared,
        entry: str,
        args: Sequence[bytes],
        storage: Storage,
        gas_limit: int,
        read_only: bool,
        querier: QueryHandler | None,
    ) -> CallResult:
        meter = GasMeter(store.context, gas_limit)
        writes = WriteBuffer(storage)
        limits = self.limits
        context = CallContext(
            storage=writes,
            read_only=read_only,
            meter=meter,
            query_handler=self.query_handler if querier is None else querier,
            debug=DebugBudget(
                self.debug_handler, limits.max_debug_messages, limits.max_debug_bytes
            ),
            addresses=self.addresses,
        )
        self._contexts.append(context)
        try:
            output = self._execute(store.context, prepared, context, entry, args)
            result = _parse_result(entry, output, meter.settle(), meter.external)
        except wasmtime.Trap as trap:
            error = self._trap_error(trap, store.context, context, meter)
            error.gas_used = _gas_of_failed_call(meter)
            raise error from None
        except wasmtime.WasmtimeError as failure:
            error = self._wasmtime_error(failure)
            error.gas_used = _gas_of_failed_call(meter)
            raise error from None
        except VMError as error:
            error.gas_used = _gas_of_failed_call(meter)
            raise
        finally:
            self._contexts.pop()
            context.debug.close()
        if result.ok:
            writes.apply()
        return result

    def _store(self) -> capi.CallStore:
        """A fresh store under the call limits, its deadline armed."""
        return capi.CallStore(
            self.modules.engine,
            memory_bytes=self.limits.memory_bytes,
            table_elements=self.limits.table_elements,
            instances=INSTANCES_PER_CALL,
            tables=TABLES_PER_CALL,
            memories=MEMORIES_PER_CALL,
            epoch_deadline=self._ticker.deadline(self.limits.deadline_seconds),
        )

    def _execute(
        self,
        store: capi.Context,
        prepared: _Prepared,
        context: CallContext,
        entry: str,
        args: Sequence[bytes],
    ) -> bytes:
        pending = self._pending
        instance = capi.Instance(prepared.instance_pre, store, pending)
        exported_memory = instance.memory("memory")
        if exported_memory is None:
            raise MissingExport("the contract exports no linear memory named 'memory'")
        allocate, deallocate, function = (
            _exported_function(instance, name, pending)
            for name in ("allocate", "deallocate", entry)
        )
        memory = ContractMemory(exported_memory, store)
        context.memory, context.allocate = memory, allocate
        pointers = []
        for arg in args:
            pointer = allocate(store, len(arg))
            memory.refresh(store)
            memory.write(pointer, arg)
            pointers.append(pointer)
        result_pointer = function(store, *pointers)
        memory.refresh(store)
        output = memory.read(result_pointer, MAX_RESULT_SIZE, f"the {entry} result", ResultTooLarge)
        deallocate(store, result_pointer)
        return output

    def _trap_error(
        self, trap: wasmtime.Trap, store: capi.Context, context: CallContext, meter: GasMeter
    ) -> VMError:
        if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
            meter.exhaust()
            return OutOfGas(f"out of gas: the call used its whole limit of {meter.limit}")
        if trap.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
            return StackOverflow("the contract exhausted the wasm stack (call stack too deep)")
        if trap.trap_code == wasmtime.TrapCode.INTERRUPT:
            # Fuel burned since the last host call is not booked when the epoch trap fires; a
            # call that ran out of time is charged like one that ran out of gas: all of it.
            meter.exhaust()
            return DeadlineExceeded(
                f"the call ran past its deadline of {self.limits.deadline_seconds} s"
            )
        summary = _trap_summary(trap)
        limit = self.limits.memory_bytes
        if context.memory is not None:
            context.memory.refresh(store)
            size = context.memory.size
            if size + WASM_PAGE > limit:
                return MemoryLimitExceeded(
                    f"the contract trapped ({summary}) with its memory at the "
                    f"{limit // MIB} MiB limit ({size} bytes)"
                )
        return ContractTrap(f"the contract trapped: {summary}")

    def _wasmtime_error(self, failure: wasmtime.WasmtimeError) -> VMError:
        message = str(failure).splitlines()[0]
        if "memory" in message and ("limit" in message or "minimum" in message):
            return MemoryLimitExceeded(f"the contract needs more memory than allowed: {message}")
        return InstantiationFailed(f"wasmtime refused the call: {message}")


def _trap_summary(trap: wasmtime.Trap) -> str:
    """What the trap was, in words: its trap code, else the cause wasmtime printed last."""
    if trap.trap_code is not None:
        return trap.trap_code.name.lower().replace("_", " ")
    lines = [line.strip() for line in trap.message.splitlines() if line.strip()]
    return lines[-1] if lines else "trap"


def _gas_of_failed_call(meter: GasMeter) -> int:
    """All the gas a failed call burned; an overrun on top of the failure spends the limit."""
    try:
        return meter.settle()
    except OutOfGas:
        return meter.limit


def _json(value: JSONObject) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


_ALLOCATE: Signature = (("i32",), ("i32",))
_DEALLOCATE: Signature = (("i32",), ())


def _check_signature(signatures: Mapping[str, Signature], name: str, expected: Signature) -> None:
    """``MissingExport`` or ``InvalidExport`` unless ``name`` is a function of ``expected`` type."""
    actual = signatures.get(name)
    if actual is None:
        raise MissingExport(f"the contract does not export the function {name!r}")
    if actual != expected:
        raise InvalidExport(
            f"the contract exports {name} as {_signature_text(actual)}; "
            f"the VM calls it as {_signature_text(expected)}"
        )


def _signature_text(signature: Signature) -> str:
    params, results = signature
    return f"({', '.join(params)}) -> ({', '.join(results)})"


def _exported_function(
    instance: capi.Instance, name: str, pending: capi.PendingFailure
) -> capi.Function:
    function = instance.function(name, pending)
    assert function is not None  # _check_signature found it among the exports
    return function


def _decode_base64(text: Any, what: str) -> bytes:
    try:
        return decode_base64(text)
    except ValueError as error:
        raise InvalidResult(f"{what} {error}") from None


def _parse_result(entry: str, output: bytes, gas_used: int, external: int) -> CallResult:
    """Decode the ``{"ok": ...}`` / ``{"error": ...}`` envelope an entry point returns."""
    try:
        envelope = loads_bounded(output, f"the {entry} result", max_size=MAX_RESULT_SIZE)
    except JSONLimitError as error:
        preview = output[:60].decode("utf-8", errors="replace")
        raise InvalidResult(f"{error} (it starts {preview!r})") from None
    if not isinstance(envelope, dict) or len(envelope) != 1:
        raise InvalidResult(f'the {entry} result must be {{"ok": ...}} or {{"error": ...}}')
    if "error" in envelope:
        message = envelope["error"]
        if not isinstance(message, str):
            raise InvalidResult(f"the {entry} error must be a string")
        return CallResult(False, message, None, None, gas_used, external)
    if "ok" not in envelope:
        raise InvalidResult(f'the {entry} result must be {{"ok": ...}} or {{"error": ...}}')
    response = envelope["ok"]
    if entry == "query":
        answer = _decode_base64(response, "query result")
        return CallResult(True, None, response, answer, gas_used, external)
    if not isinstance(response, dict):
        raise InvalidResult(f"the {entry} response must be a JSON object")
    data = response.get("data")
    decoded = None if data is None else _decode_base64(data, f"the {entry} response data")
    return CallResult(True, None, response, decoded, gas_used, external)
