"""The wasmtime C API calls of one contract call, made directly rather than through wasmtime-py.

wasmtime-py's ``Func.__call__`` looks up the function's type, converts and type-checks every
argument and result, and wraps each host call in a ``Caller`` and ``Val`` objects; ``Instance``
enumerates every export on first use; ``Store`` reads and writes fuel through wrapper objects.
That plumbing cost more than the contract's own work. Here a call uses the C functions that
wasmtime-py itself binds with ctypes (``wasmtime._bindings``, stable for the pinned wasmtime
version; the hot ones called without their one-line Python wrappers): unchecked calls over a
reused value buffer, exports fetched by name, fuel and memory read with one C call each, and
imports as unchecked callbacks that pass plain integers.

Compiling, linking and type inspection stay on wasmtime-py's public API: they run once per code.

A Python exception raised inside an import cannot cross wasm frames. The callback parks it in a
``PendingFailure`` and returns a trap; the call that returns that trap raises the parked
exception instead, so callers see the original exception, as with wasmtime-py.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any, Final

import wasmtime
from wasmtime import _bindings
from wasmtime import _ffi as ffi

from relayer_sim.vm.abi import WasmType

#: A store context pointer (``wasmtime_context_t *``): what every per-call C function takes.
Context = Any

# The ctypes function objects themselves, for the calls made several times per contract call.
_func_call_unchecked = _bindings._wasmtime_func_call_unchecked
_caller_context = _bindings._wasmtime_caller_context
_memory_data_size = _bindings._wasmtime_memory_data_size
_context_get_fuel = _bindings._wasmtime_context_get_fuel
_context_set_fuel = _bindings._wasmtime_context_set_fuel
_instance_export_get = _bindings._wasmtime_instance_export_get
_byref = ctypes.byref

_NO_FINALIZER: Final = ctypes.cast(0, ctypes.CFUNCTYPE(None, ctypes.c_void_p))
_TrapPointer = ctypes.POINTER(ffi.wasm_trap_t)
_MAX_ARITY: Final = 4


class PendingFailure:
    """The Python exception an import raised, held until its call returns to the host."""

    def __init__(self) -> None:
        self.exception: BaseException | None = None

    def park(self, exception: BaseException) -> int:
        """Hold ``exception`` and return the trap pointer that unwinds the wasm frames."""
        self.exception = exception
        message = b"python exception"
        trap = ffi.wasmtime_trap_new(message, len(message))
        return ctypes.cast(trap, ctypes.c_void_p).value or 0

    def raise_parked(self) -> None:
        """Raise the parked exception, if any, clearing it."""
        exception, self.exception = self.exception, None
        if exception is not None:
            raise exception


def _raise_failure(
    pending: PendingFailure, error: Any, trap: ctypes._Pointer[ffi.wasm_trap_t]
) -> None:
    """Turn a C call's error or trap into the exception wasmtime-py would raise."""
    if error:
        pending.raise_parked()
        raise wasmtime.WasmtimeError._from_ptr(error)
    if trap:
        trap_object = wasmtime.Trap._from_ptr(trap)
        pending.raise_parked()
        raise trap_object


class CallStore:
    """One call's store: created under its resource limits and deadline, deleted by ``close``."""

    def __init__(
        self,
        engine: wasmtime.Engine,
        *,
        memory_bytes: int,
        table_elements: int,
        instances: int,
        tables: int,
        memories: int,
        epoch_deadline: int,
    ) -> None:
        self._store: Any = ffi.wasmtime_store_new(engine.ptr(), None, _NO_FINALIZER)
        self.context: Context = ffi.wasmtime_store_context(self._store)
        ffi.wasmtime_store_limiter(
            self._store, memory_bytes, table_elements, instances, tables, memories
        )
        ffi.wasmtime_context_set_epoch_deadline(self.context, epoch_deadline)

    def close(self) -> None:
        """Free the store and everything in it (instances, memory); idempotent."""
        if self._store is not None:
            ffi.wasmtime_store_delete(self._store)
            self._store = None
            self.context = None


def get_fuel(context: Context) -> int:
    fuel = ctypes.c_uint64()
    error = _context_get_fuel(context, _byref(fuel))
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)
    return fuel.value


def set_fuel(context: Context, fuel: int) -> None:
    error = _context_set_fuel(context, fuel)
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)


class Instance:
    """An instance of a pre-linked module in a call's store, with its exports fetched by name."""

    def __init__(
        self, pre: wasmtime.InstancePre, context: Context, pending: PendingFailure
    ) -> None:
        self._instance = ffi.wasmtime_instance_t()
        self._context = context
        trap = _TrapPointer()
        error = ffi.wasmtime_instance_pre_instantiate(
            pre.ptr(), context, ctypes.byref(self._instance), ctypes.byref(trap)
        )
        _raise_failure(pending, error, trap)

    def _export(self, name: str) -> Any:
        item = ffi.wasmtime_extern_t()
        encoded = name.encode()
        found = _instance_export_get(
            self._context, _byref(self._instance), encoded, len(encoded), _byref(item)
        )
        return item if found else None

    def memory(self, name: str) -> Memory | None:
        item = self._export(name)
        if item is None or item.kind != ffi.WASMTIME_EXTERN_MEMORY.value:
            return None
        return Memory(item.of.memory)

    def function(self, name: str, pending: PendingFailure) -> Function | None:
        item = self._export(name)
        if item is None or item.kind != ffi.WASMTIME_EXTERN_FUNC.value:
            return None
        return Function(item.of.func, pending)


class Memory:
    """An exported linear memory: where it is and how large (the size changes when it grows)."""

    __slots__ = ("_memory",)

    def __init__(self, memory: Any) -> None:
        self._memory = memory

    def base(self, context: Context) -> int:
        return ctypes.addressof(
            ffi.wasmtime_memory_data(context, ctypes.byref(self._memory)).contents
        )

    def size(self, context: Context) -> int:
        return int(_memory_data_size(context, _byref(self._memory)))


class Function:
    """An exported function of i32 parameters and at most one i32 result, called unchecked.

    The caller has checked the signature (``WasmVM`` does, from the module's export types), so
    the arguments and the result share one reused buffer with no per-call conversion.
    """

    __slots__ = ("_function", "_pending", "_values")

    def __init__(self, function: Any, pending: PendingFailure) -> None:
        self._function = function
        self._pending = pending
        self._values = (ffi.wasmtime_val_raw_t * _MAX_ARITY)()

    def __call__(self, context: Context, *arguments: int) -> int:
        values = self._values
        for index, argument in enumerate(arguments):
            values[index].i32 = argument
        trap = _TrapPointer()
        error = _func_call_unchecked(
            context, _byref(self._function), values, _MAX_ARITY, _byref(trap)
        )
        if error or trap:
            _raise_failure(self._pending, error, trap)
        return int(values[0].i32)


#: An import's body: the calling store's context and the i32 arguments in, an integer (or
#: nothing) out.
ImportBody = Callable[..., int | None]


def define_import(
    linker: wasmtime.Linker,
    module: str,
    name: str,
    signature: tuple[tuple[WasmType, ...], tuple[WasmType, ...]],
    body: ImportBody,
    pending: PendingFailure,
) -> Callable[..., int]:
    """Link ``module.name`` to ``body`` as an unchecked callback.

    Returns the C callback object; the caller must keep it alive as long as the linker.
    """
    params, results = signature
    kinds = {"i32": wasmtime.ValType.i32(), "i64": wasmtime.ValType.i64()}
    func_type = wasmtime.FuncType(
        [kinds[kind] for kind in params], [kinds[kind] for kind in results]
    )
    arity = len(params)
    result_kind = results[0] if results else None

    def callback(_env: Any, caller: Any, values: Any, _count: int) -> int:
        try:
            context = _caller_context(caller)
            answer = body(context, *[values[index].i32 for index in range(arity)])
            if result_kind == "i32":
                values[0].i32 = answer
            elif result_kind == "i64":
                values[0].i64 = answer
            return 0
        except BaseException as exception:  # re-raised by the call that returns the trap
            return pending.park(exception)

    c_callback = ffi.wasmtime_func_unchecked_callback_t(callback)
    encoded_module, encoded_name = module.encode(), name.encode()
    error = ffi.wasmtime_linker_define_func_unchecked(
        linker.ptr(),
        encoded_module,
        len(encoded_module),
        encoded_name,
        len(encoded_name),
        func_type.ptr(),
        c_callback,
        None,
        _NO_FINALIZER,
    )
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)
    return c_callback
